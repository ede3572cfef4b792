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

/* The sections' names in messages: the header, then enum pool_sec's. */
static const char *const pool_sec_names[1 + POOL_NSEC] = {
	"header", "datasets", "files", "entries", "ids", "id-hash", "images",
	"image-paths", "image-hash", "datadir",
};

/* Bytes read at open between two drops of the pages read (pool_drop()). */
#define POOL_WINDOW (UINT64_C(4) << 20)

struct pool {
	const unsigned char *map;
	size_t size;
	const struct pool_header *h;
	const struct pool_dataset_rec *ds;
	const struct pool_file_rec *files;
	const struct pool_entry *ents;
	const char *idblob;
	const uint64_t *idhash;
	const pool_image_rec *images;
	const char *imgblob;
	const uint32_t *imghash;
	const char *datadir;
	uint64_t page;		/* the system's page size */
	uint64_t drop_from;	/* pool_drop()'s next start, page-aligned */
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

/* Section s's bytes with its zero padding (the layout is checked). */
static uint64_t
pool_padded(const struct pool_section *s)
{
	return s->len + (8 - s->len % 8) % 8;
}

/*
 * Unmap from this process the whole pages from p->drop_from up to byte
 * `to`, which pool_open() has read: they stay in the page cache and fault
 * back in when a lookup needs them, so reading the whole index at open
 * does not grow the resident set by the index's size.
 */
static void
pool_drop(struct pool *p, uint64_t to)
{
	uint64_t end = to - to % p->page;

	if (end > p->drop_from) {
		(void)madvise((void *)(p->map + p->drop_from), end - p->drop_from,
		    MADV_DONTNEED);
		p->drop_from = end;
	}
}

/* xxh3-64 of map[off, off + len), which lies inside the map. */
static uint64_t
pool_sum(struct pool *p, XXH3_state_t *st, uint64_t off, uint64_t len)
{
	uint64_t n;

	XXH3_64bits_reset(st);
	for (; len > 0; off += n, len -= n) {
		n = len < POOL_WINDOW ? len : POOL_WINDOW;
		XXH3_64bits_update(st, p->map + off, n);
		pool_drop(p, off + n);
	}
	return XXH3_64bits_digest(st);
}

/*
 * Check the header's section table: the sections follow the header in
 * order, each padded to a multiple of 8, the last one ending the file, and
 * each as long as the header's counts make it.  Every sum is bounded by
 * size before it is made, so no value in the table can overflow one.
 */
static int
pool_check_layout(const struct pool_header *h, size_t size)
{
	const uint64_t any = UINT64_MAX;
	uint64_t want[POOL_NSEC], end = sizeof(*h), pad;
	size_t i;

	if (h->file_size != size || h->n_datasets > POOL_MAX_DATASETS ||
	    h->n_files > POOL_MAX_FILES ||
	    h->id_slots == 0 || (h->id_slots & (h->id_slots - 1)) ||
	    h->img_slots == 0 || (h->img_slots & (h->img_slots - 1)) ||
	    h->id_slots <= h->n_ids || h->img_slots <= h->n_images ||
	    h->id_slots > size / sizeof(uint64_t) ||
	    h->img_slots > size / sizeof(uint32_t))
		return -1;
	want[POOL_SEC_DATASETS] = (uint64_t)h->n_datasets *
	    sizeof(struct pool_dataset_rec);
	want[POOL_SEC_FILES] = (uint64_t)h->n_files *
	    sizeof(struct pool_file_rec);
	want[POOL_SEC_ENTRIES] = (uint64_t)h->n_ids * sizeof(struct pool_entry);
	want[POOL_SEC_IDBLOB] = any;
	want[POOL_SEC_IDHASH] = h->id_slots * sizeof(uint64_t);
	want[POOL_SEC_IMAGES] = (uint64_t)h->n_images * sizeof(pool_image_rec);
	want[POOL_SEC_IMGBLOB] = any;
	want[POOL_SEC_IMGHASH] = h->img_slots * sizeof(uint32_t);
	want[POOL_SEC_DATADIR] = any;
	for (i = 0; i < POOL_NSEC; i++) {
		const struct pool_section *s = &h->sec[i];

		if (s->off != end || s->len > size - end ||
		    (want[i] != any && s->len != want[i]))
			return -1;
		pad = (8 - s->len % 8) % 8;
		if (pad > size - end - s->len)
			return -1;
		end += s->len + pad;
	}
	if (end != size || h->sec[POOL_SEC_DATADIR].len == 0)
		return -1;
	return 0;
}

/* Check every section's checksum; the first one that differs is told. */
static int
pool_check_sums(struct pool *p, const char *path, char *err, size_t errlen)
{
	XXH3_state_t *st;
	const char *bad = NULL;
	size_t i;

	if ((st = XXH3_createState()) == NULL) {
		util_fmt(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (i = 0; i < POOL_NSEC && bad == NULL; i++) {
		const struct pool_section *s = &p->h->sec[i];

		if (pool_sum(p, st, s->off, pool_padded(s)) != s->sum)
			bad = pool_sec_names[1 + i];
	}
	XXH3_freeState(st);
	if (bad != NULL) {
		util_fmt(err, errlen, "%s: section '%s' is corrupted (checksum "
		    "mismatch); rebuild the index with 'dataoptim pool build'",
		    path, bad);
		return -1;
	}
	return 0;
}

/*
 * Check that every record points inside its section or table: each
 * entry's ID inside the ID blob, its file and image inside their tables,
 * its item inside its file's recorded size; each file's dataset inside
 * the dataset table (a file with items has one); each image path inside
 * the image blob; each dataset name, file path and the data dir
 * NUL-terminated.  Only a faulty writer makes such an index (a changed
 * byte fails its checksum first), but the lookups trust these records.
 */
static int
pool_check_records(struct pool *p, const char *path, char *err,
    size_t errlen)
{
	const struct pool_header *h = p->h;
	uint64_t idlen = h->sec[POOL_SEC_IDBLOB].len;
	uint64_t imglen = h->sec[POOL_SEC_IMGBLOB].len;
	const char *bad = NULL;
	uint32_t i;

	for (i = 0; i < h->n_datasets; i++)
		if (memchr(p->ds[i].name, '\0', sizeof(p->ds[i].name)) == NULL)
			bad = "datasets";
	for (i = 0; i < h->n_files; i++) {
		const struct pool_file_rec *f = &p->files[i];

		if (memchr(f->path, '\0', sizeof(f->path)) == NULL ||
		    (f->dataset >= h->n_datasets && (f->dataset !=
		    POOL_NO_DATASET || f->n_items != 0)))
			bad = "files";
	}
	if (p->datadir[h->sec[POOL_SEC_DATADIR].len - 1] != '\0')
		bad = "datadir";
	p->drop_from = h->sec[POOL_SEC_ENTRIES].off / p->page * p->page;
	for (i = 0; i < h->n_ids && bad == NULL; i++) {
		const struct pool_entry *e = &p->ents[i];
		uint64_t len = pool_ent_idlen(e), off = pool_ent_off(e);
		uint32_t f = pool_ent_file(e);

		if (len == 0 || len > POOL_MAX_ID || e->id_off > idlen ||
		    len > idlen - e->id_off || f >= h->n_files ||
		    p->files[f].dataset >= h->n_datasets ||
		    (e->image != POOL_NO_IMAGE && e->image >= h->n_images) ||
		    off > p->files[f].size || e->length > p->files[f].size - off)
			bad = "entries";
		if (i % 65536 == 65535)
			pool_drop(p, h->sec[POOL_SEC_ENTRIES].off +
			    (uint64_t)i * sizeof(*e));
	}
	pool_drop(p, h->sec[POOL_SEC_ENTRIES].off +
	    h->sec[POOL_SEC_ENTRIES].len);
	p->drop_from = h->sec[POOL_SEC_IMAGES].off / p->page * p->page;
	for (i = 0; i < h->n_images && bad == NULL; i++) {
		uint64_t len = p->images[i] >> 48;
		uint64_t off = p->images[i] & 0xffffffffffffu;

		if (len == 0 || off > imglen || len > imglen - off)
			bad = "images";
		if (i % 65536 == 65535)
			pool_drop(p, h->sec[POOL_SEC_IMAGES].off +
			    (uint64_t)i * sizeof(p->images[0]));
	}
	pool_drop(p, h->sec[POOL_SEC_IMAGES].off +
	    h->sec[POOL_SEC_IMAGES].len);
	if (bad != NULL) {
		util_fmt(err, errlen, "%s: section '%s' is inconsistent (a "
		    "record points outside its table); rebuild the index with "
		    "'dataoptim pool build'", path, bad);
		return -1;
	}
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

	for (i = 0; i < p->h->n_files; i++) {
		const struct pool_file_rec *d = &p->files[i];
		int64_t mt;

		util_fmt(path, sizeof(path), "%s/%s", p->datadir, d->path);
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
}

struct pool *
pool_open(const char *path, int flags, char *err, size_t errlen)
{
	struct pool *p = util_xcalloc(1, sizeof(*p));
	const struct pool_header *h;
	struct stat st;
	void *m;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open pool index %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	/* the magic and the version are where every version has them */
	if (fstat(fd, &st) != 0 || (size_t)st.st_size <
	    offsetof(struct pool_header, version) + sizeof(h->version)) {
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
	p->h = h = m;
	p->page = (uint64_t)sysconf(_SC_PAGESIZE);
	if (memcmp(h->magic, POOL_MAGIC, 8) != 0) {
		util_fmt(err, errlen, "%s is not a pool index (bad magic)", path);
		goto fail;
	}
	if (h->version != POOL_VERSION) {
		util_fmt(err, errlen, "%s: pool index format version %u, this "
		    "program reads version %u (datasets by ID prefix, source "
		    "files in subfolders); rebuild it with 'dataoptim pool "
		    "build'", path, h->version,
		    POOL_VERSION);
		goto fail;
	}
	if (p->size < sizeof(*h)) {
		util_fmt(err, errlen, "%s: corrupt or truncated pool index "
		    "(shorter than its header)", path);
		goto fail;
	}
	if (XXH3_64bits(h, offsetof(struct pool_header, header_sum)) !=
	    h->header_sum) {
		util_fmt(err, errlen, "%s: section '%s' is corrupted (checksum "
		    "mismatch); rebuild the index with 'dataoptim pool build'",
		    path, pool_sec_names[0]);
		goto fail;
	}
	if (pool_check_layout(h, p->size) != 0) {
		util_fmt(err, errlen, "%s: corrupt or truncated pool index (%llu "
		    "bytes, its header says %llu); rebuild it with 'dataoptim "
		    "pool build'", path, (unsigned long long)p->size,
		    (unsigned long long)h->file_size);
		goto fail;
	}
	if (pool_check_sums(p, path, err, errlen) != 0)
		goto fail;
	p->ds = (const void *)(p->map + h->sec[POOL_SEC_DATASETS].off);
	p->files = (const void *)(p->map + h->sec[POOL_SEC_FILES].off);
	p->ents = (const void *)(p->map + h->sec[POOL_SEC_ENTRIES].off);
	p->idblob = (const char *)p->map + h->sec[POOL_SEC_IDBLOB].off;
	p->idhash = (const void *)(p->map + h->sec[POOL_SEC_IDHASH].off);
	p->images = (const void *)(p->map + h->sec[POOL_SEC_IMAGES].off);
	p->imgblob = (const char *)p->map + h->sec[POOL_SEC_IMGBLOB].off;
	p->imghash = (const void *)(p->map + h->sec[POOL_SEC_IMGHASH].off);
	p->datadir = (const char *)p->map + h->sec[POOL_SEC_DATADIR].off;
	if (pool_check_records(p, path, err, errlen) != 0 ||
	    pool_check_sources(p, flags, path, err, errlen) != 0)
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

unsigned
pool_nsections(const struct pool *p)
{
	return 1 + POOL_NSEC;
}

int
pool_section(const struct pool *p, unsigned i, struct pool_section_info *si)
{
	if (i >= 1 + POOL_NSEC)
		return -1;
	si->name = pool_sec_names[i];
	if (i == 0) {
		si->off = 0;
		si->len = sizeof(*p->h);
		si->sum = p->h->header_sum;
	} else {
		si->off = p->h->sec[i - 1].off;
		si->len = pool_padded(&p->h->sec[i - 1]);
		si->sum = p->h->sec[i - 1].sum;
	}
	return 0;
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
pool_nfiles(const struct pool *p)
{
	return p->h->n_files;
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

uint64_t
pool_dataset_files(const struct pool *p, uint32_t i)
{
	return p->ds[i].n_files;
}

const char *
pool_file_path(const struct pool *p, uint32_t i)
{
	return p->files[i].path;
}

const char *
pool_id(const struct pool *p, uint32_t i, size_t *len)
{
	*len = pool_ent_idlen(&p->ents[i]);
	return p->idblob + p->ents[i].id_off;
}

void
pool_get(const struct pool *p, uint32_t i, struct pool_item *it)
{
	const struct pool_entry *e = &p->ents[i];

	it->file = pool_ent_file(e);
	it->dataset = p->files[it->file].dataset;
	it->offset = pool_ent_off(e);
	it->length = e->length;
	it->hash = e->hash;
	it->image = e->image;
}

int64_t
pool_find(const struct pool *p, const char *id, size_t len)
{
	uint64_t h, mask = p->h->id_slots - 1, i, s, probes;
	uint32_t tag;

	if (len == 0 || len > POOL_MAX_ID)
		return -1;
	h = XXH3_64bits(id, len);
	tag = (uint32_t)(h >> 32);
	/* probes bounds the walk even in a table without an empty slot */
	for (i = h & mask, probes = 0; probes <= mask &&
	    (s = p->idhash[i]) != 0; i = (i + 1) & mask, probes++) {
		uint32_t k = (uint32_t)s - 1;
		const struct pool_entry *e;

		if ((uint32_t)(s >> 32) != tag || k >= p->h->n_ids)
			continue;
		e = &p->ents[k];
		if (pool_ent_idlen(e) == len &&
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
	uint64_t h, mask = p->h->img_slots - 1, i, probes;
	uint32_t s;

	if (len == 0 || len > 65535)
		return 0;
	h = XXH3_64bits(path, len);
	/* probes bounds the walk even in a table without an empty slot */
	for (i = h & mask, probes = 0; probes <= mask &&
	    (s = p->imghash[i]) != 0; i = (i + 1) & mask, probes++) {
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
