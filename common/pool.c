/*
 * pool: open a pool index read-only and answer lookups (see pool.h).
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "pool_format.h"
#include "util.h"

struct pool {
	const unsigned char *map;
	size_t size;
	const struct pool_header *h;
	const struct pool_dataset_rec *ds;
	const struct pool_entry *ents;
	const char *idblob;
	const uint64_t *idhash;
	const pool_image_rec *images;
	const char *imgblob;
	const uint32_t *imghash;
	const char *datadir;
};

/* xxh3-64 of a whole file, by mapping it; -1 with err set on failure. */
static int
pool_checksum(const char *path, uint64_t size, uint64_t *sum, char *err,
    size_t errlen)
{
	void *m;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (size == 0) {
		close(fd);
		*sum = XXH3_64bits("", 0);
		return 0;
	}
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		util_fmt(err, errlen, "cannot map %s: %s", path, strerror(errno));
		return -1;
	}
	(void)madvise(m, size, MADV_SEQUENTIAL);
	*sum = XXH3_64bits(m, size);
	munmap(m, size);
	return 0;
}

/* Check every section lies inside the file. */
static int
pool_check_layout(const struct pool_header *h, size_t size)
{
	const struct { uint64_t off, len; } s[] = {
		{ h->off_datasets, (uint64_t)h->n_datasets *
		    sizeof(struct pool_dataset_rec) },
		{ h->off_entries, (uint64_t)h->n_ids * sizeof(struct pool_entry) },
		{ h->off_idblob, h->idblob_len },
		{ h->off_idhash, h->id_slots * sizeof(uint64_t) },
		{ h->off_images, (uint64_t)h->n_images * sizeof(pool_image_rec) },
		{ h->off_imgblob, h->imgblob_len },
		{ h->off_imghash, h->img_slots * sizeof(uint32_t) },
		{ h->off_datadir, h->datadir_len + 1 },
	};
	size_t i;

	if (h->file_size != size || h->n_datasets > POOL_MAX_DATASETS ||
	    h->id_slots == 0 || (h->id_slots & (h->id_slots - 1)) ||
	    h->img_slots == 0 || (h->img_slots & (h->img_slots - 1)) ||
	    h->id_slots < h->n_ids || h->img_slots < h->n_images)
		return -1;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i].off % 8 || s[i].off > size || s[i].len > size - s[i].off)
			return -1;
	return 0;
}

/* Refuse an index whose source files changed since it was built. */
static int
pool_check_sources(struct pool *p, int flags, const char *ipath, char *err,
    size_t errlen)
{
	char path[4200];
	struct stat st;
	uint32_t i;
	uint64_t sum;

	for (i = 0; i < p->h->n_datasets; i++) {
		const struct pool_dataset_rec *d = &p->ds[i];
		int64_t mt;

		if (memchr(d->name, '\0', sizeof(d->name)) == NULL)
			goto corrupt;
		util_fmt(path, sizeof(path), "%s/%s.json", p->datadir, d->name);
		if (stat(path, &st) != 0) {
			util_fmt(err, errlen, "pool index %s is stale: its source "
			    "%s is gone (%s); rebuild it with 'dataoptim pool "
			    "build'", ipath, path, strerror(errno));
			return -1;
		}
		if ((uint64_t)st.st_size != d->size) {
			util_fmt(err, errlen, "pool index %s is stale: %s changed "
			    "since the index was built (%llu bytes, now %llu); "
			    "rebuild it with 'dataoptim pool build'", ipath, path,
			    (unsigned long long)d->size,
			    (unsigned long long)st.st_size);
			return -1;
		}
		mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		/* a copied pool has new mtimes: then the checksum decides */
		if (mt == d->mtime_ns && !(flags & POOL_OPEN_VERIFY))
			continue;
		if (pool_checksum(path, d->size, &sum, err, errlen) != 0)
			return -1;
		if (sum != d->checksum) {
			util_fmt(err, errlen, "pool index %s is stale: the content "
			    "of %s changed since the index was built (checksum "
			    "differs); rebuild it with 'dataoptim pool build'",
			    ipath, path);
			return -1;
		}
	}
	return 0;
corrupt:
	util_fmt(err, errlen, "%s: corrupt pool index (dataset table)", ipath);
	return -1;
}

struct pool *
pool_open(const char *path, int flags, char *err, size_t errlen)
{
	struct pool *p = util_xcalloc(1, sizeof(*p));
	struct stat st;
	void *m;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open pool index %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(struct pool_header)) {
		util_fmt(err, errlen, "%s is not a pool index (too short)", path);
		close(fd);
		goto fail;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		util_fmt(err, errlen, "cannot map %s: %s", path, strerror(errno));
		goto fail;
	}
	p->map = m;
	p->size = (size_t)st.st_size;
	p->h = m;
	if (memcmp(p->h->magic, POOL_MAGIC, 8) != 0) {
		util_fmt(err, errlen, "%s is not a pool index (bad magic)", path);
		goto fail;
	}
	if (p->h->version != POOL_VERSION) {
		util_fmt(err, errlen, "%s: pool index version %u, this program "
		    "reads version %u; rebuild it", path, p->h->version,
		    POOL_VERSION);
		goto fail;
	}
	if (pool_check_layout(p->h, p->size) != 0) {
		util_fmt(err, errlen, "%s: corrupt or truncated pool index", path);
		goto fail;
	}
	p->ds = (const void *)(p->map + p->h->off_datasets);
	p->ents = (const void *)(p->map + p->h->off_entries);
	p->idblob = (const char *)p->map + p->h->off_idblob;
	p->idhash = (const void *)(p->map + p->h->off_idhash);
	p->images = (const void *)(p->map + p->h->off_images);
	p->imgblob = (const char *)p->map + p->h->off_imgblob;
	p->imghash = (const void *)(p->map + p->h->off_imghash);
	p->datadir = (const char *)p->map + p->h->off_datadir;
	if (p->datadir[p->h->datadir_len] != '\0') {
		util_fmt(err, errlen, "%s: corrupt pool index (data dir)", path);
		goto fail;
	}
	if (pool_check_sources(p, flags, path, err, errlen) != 0)
		goto fail;
	return p;
fail:
	pool_close(p);
	return NULL;
}

void
pool_close(struct pool *p)
{
	if (p == NULL)
		return;
	if (p->map != NULL)
		munmap((void *)p->map, p->size);
	free(p);
}

uint32_t
pool_count(const struct pool *p)
{
	return p->h->n_ids;
}

uint32_t
pool_ndatasets(const struct pool *p)
{
	return p->h->n_datasets;
}

uint32_t
pool_nimages(const struct pool *p)
{
	return p->h->n_images;
}

const char *
pool_datadir(const struct pool *p)
{
	return p->datadir;
}

const char *
pool_dataset_name(const struct pool *p, uint32_t i)
{
	return p->ds[i].name;
}

uint64_t
pool_dataset_count(const struct pool *p, uint32_t i)
{
	return p->ds[i].n_items;
}

uint64_t
pool_dataset_images(const struct pool *p, uint32_t i)
{
	return p->ds[i].n_images;
}

const char *
pool_id(const struct pool *p, uint32_t i, size_t *len)
{
	*len = (size_t)(p->ents[i].packed >> 48);
	return p->idblob + p->ents[i].id_off;
}

void
pool_get(const struct pool *p, uint32_t i, struct pool_item *it)
{
	const struct pool_entry *e = &p->ents[i];

	it->dataset = (uint32_t)((e->packed >> POOL_OFF_BITS) & 0xff);
	it->offset = e->packed & POOL_OFF_MASK;
	it->length = e->length;
	it->hash = e->hash;
	it->image = e->image;
}

int64_t
pool_find(const struct pool *p, const char *id, size_t len)
{
	uint64_t h, mask = p->h->id_slots - 1, i, s;
	uint32_t tag;

	if (len == 0 || len > POOL_MAX_ID)
		return -1;
	h = XXH3_64bits(id, len);
	tag = (uint32_t)(h >> 32);
	for (i = h & mask; (s = p->idhash[i]) != 0; i = (i + 1) & mask) {
		uint32_t k = (uint32_t)s - 1;
		const struct pool_entry *e;

		if ((uint32_t)(s >> 32) != tag || k >= p->h->n_ids)
			continue;
		e = &p->ents[k];
		if ((e->packed >> 48) == len &&
		    memcmp(p->idblob + e->id_off, id, len) == 0)
			return k;
	}
	return -1;
}

const char *
pool_image(const struct pool *p, uint32_t i, size_t *len)
{
	*len = (size_t)(p->images[i] >> 48);
	return p->imgblob + (p->images[i] & 0xffffffffffffu);
}

int
pool_has_image(const struct pool *p, const char *path, size_t len)
{
	uint64_t h, mask = p->h->img_slots - 1, i;
	uint32_t s;

	if (len == 0 || len > 65535)
		return 0;
	h = XXH3_64bits(path, len);
	for (i = h & mask; (s = p->imghash[i]) != 0; i = (i + 1) & mask) {
		size_t n;
		const char *q;

		if (s - 1 >= p->h->n_images)
			continue;
		q = pool_image(p, s - 1, &n);
		if (n == len && memcmp(q, path, len) == 0)
			return 1;
	}
	return 0;
}
