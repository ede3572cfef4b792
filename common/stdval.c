/*
 * stdval: validate a standard submission, a text file of pool IDs (see
 * stdval.h).  The file is read in chunks; each line is trimmed and looked
 * up in the pool's hash table.  Duplicates are found with a bitmap over
 * the pool's entries, which also yields the sorted ID order for the set
 * hash (entry order is ID order), so nothing is sorted here.
 */
#include "stdval.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pool.h"
#include "utf8.h"
#include "util.h"
#include "vresult.h"

#define SV_CHUNK (1 << 20)

struct sv {
	const struct pool *pool;
	struct vresult *res;
	uint64_t budget;
	uint64_t *seen;		/* bitmap over pool entries */
	uint32_t *ids;		/* entry indexes in file order */
	uint32_t *lines;	/* their line numbers */
	uint64_t n, cap;
	uint64_t n_listed;	/* IDs on lines, valid or not */
	uint64_t *per_ds;
};

/* The line on which entry k was first listed (only for reported errors). */
static uint64_t
sv_first_line(const struct sv *v, uint32_t k)
{
	uint64_t i;

	for (i = 0; i < v->n; i++)
		if (v->ids[i] == k)
			return v->lines[i];
	return 0;
}

static void
sv_line(struct sv *v, uint64_t lineno, const char *s, size_t len)
{
	char q[96], q2[96];
	const char *sp;
	int64_t k;

	/* trim spaces, tabs and a CR (CRLF files) at both ends */
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r'))
		len--;
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	if (len == 0)
		return;
	if (++v->n_listed == v->budget + 1 && v->budget)
		vresult_error(v->res, lineno, -1, -1, NULL, NULL,
		    "more IDs than the track's budget of %llu samples: this is "
		    "ID number %llu", (unsigned long long)v->budget,
		    (unsigned long long)v->n_listed);
	if (memchr(s, '\0', len) != NULL) {
		vresult_error(v->res, lineno, -1, -1, NULL, NULL,
		    "NUL byte in the line");
		return;
	}
	if (utf8_invalid_at((const unsigned char *)s, len) != len) {
		vresult_error(v->res, lineno, -1, -1, NULL, NULL,
		    "invalid UTF-8: \"%s\"", util_quote(q, sizeof(q), s, len));
		return;
	}
	if ((sp = memchr(s, ' ', len)) != NULL || (sp = memchr(s, '\t', len))
	    != NULL || (sp = memchr(s, '\r', len)) != NULL) {
		vresult_error(v->res, lineno, -1, -1, NULL, NULL,
		    "more than one ID on the line (one ID per line): \"%s\"",
		    util_quote(q, sizeof(q), s, len));
		return;
	}
	if ((k = pool_find(v->pool, s, len)) < 0) {
		const char *us = memchr(s, '_', len);
		uint32_t d, nd = pool_ndatasets(v->pool);
		size_t plen = us ? (size_t)(us - s) : 0;

		for (d = 0; d < nd && plen; d++) {
			const char *name = pool_dataset_name(v->pool, d);

			if (strlen(name) == plen && memcmp(name, s, plen) == 0)
				break;
		}
		if (plen == 0)
			vresult_error(v->res, lineno, -1, -1, NULL, NULL,
			    "unknown ID \"%s\": pool IDs look like "
			    "<dataset>_<number>", util_quote(q, sizeof(q), s, len));
		else if (d == nd)
			vresult_error(v->res, lineno, -1, -1, NULL, NULL,
			    "unknown ID \"%s\": the pool has no dataset \"%s\"",
			    util_quote(q, sizeof(q), s, len),
			    util_quote(q2, sizeof(q2), s, plen));
		else
			vresult_error(v->res, lineno, -1, -1, NULL, NULL,
			    "unknown ID \"%s\": not in the pool's %s dataset",
			    util_quote(q, sizeof(q), s, len),
			    pool_dataset_name(v->pool, d));
		return;
	}
	if (v->seen[k / 64] & (UINT64_C(1) << (k % 64))) {
		if (v->res->n_errors < VRESULT_KEEP)
			vresult_error(v->res, lineno, -1, -1, NULL, NULL,
			    "duplicate ID \"%s\" (first on line %llu)",
			    util_quote(q, sizeof(q), s, len), (unsigned long long)
			    sv_first_line(v, (uint32_t)k));
		else
			v->res->n_errors++;
		return;
	}
	v->seen[k / 64] |= UINT64_C(1) << (k % 64);
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 65536;
		v->ids = util_xreallocarray(v->ids, v->cap, sizeof(*v->ids));
		v->lines = util_xreallocarray(v->lines, v->cap,
		    sizeof(*v->lines));
	}
	v->ids[v->n] = (uint32_t)k;
	v->lines[v->n] = (uint32_t)(lineno > UINT32_MAX ? UINT32_MAX : lineno);
	v->n++;
}

/* SHA-256 of the sorted IDs, one per line, walking the bitmap. */
static void
sv_set_hash(struct sv *v)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32];
	uint64_t words = ((uint64_t)pool_count(v->pool) + 63) / 64, w;
	char buf[8192];
	size_t used = 0;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (w = 0; w < words; w++) {
		uint64_t bits = v->seen[w];

		while (bits) {
			uint32_t k = (uint32_t)(w * 64 + (uint64_t)__builtin_ctzll(bits));
			size_t len;
			const char *id = pool_id(v->pool, k, &len);
			struct pool_item it;

			bits &= bits - 1;
			if (used + len + 1 > sizeof(buf)) {
				EVP_DigestUpdate(ctx, buf, used);
				used = 0;
			}
			memcpy(buf + used, id, len);
			buf[used + len] = '\n';
			used += len + 1;
			pool_get(v->pool, k, &it);
			v->per_ds[it.dataset]++;
		}
	}
	EVP_DigestUpdate(ctx, buf, used);
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	util_hex(md, 32, v->res->set_hash);
}

int
stdval_file(const struct pool *pool, const char *path, uint64_t budget,
    struct vresult *res, uint32_t **ids, uint64_t *n_ids, char *err,
    size_t errlen)
{
	struct sv v;
	EVP_MD_CTX *fctx = NULL;
	unsigned char md[32];
	char *buf = NULL;
	size_t carry = 0, start;
	uint64_t lineno = 1, total = 0;
	ssize_t r;
	int fd = -1, rc = -1, first = 1, toolong = 0;
	uint32_t d;

	memset(&v, 0, sizeof(v));
	v.pool = pool;
	v.res = res;
	v.budget = budget;
	if (ids)
		*ids = NULL;
	if (n_ids)
		*n_ids = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	v.seen = util_xcalloc(((uint64_t)pool_count(pool) + 63) / 64 + 1,
	    sizeof(*v.seen));
	v.per_ds = util_xcalloc(pool_ndatasets(pool) + 1, sizeof(*v.per_ds));
	buf = util_xmalloc(SV_CHUNK + STDVAL_MAX_LINE + 1);
	fctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(fctx, EVP_sha256(), NULL);
	for (;;) {
		char *p, *end, *nl;

		r = read(fd, buf + carry, SV_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			util_fmt(err, errlen, "read %s: %s", path, strerror(errno));
			goto out;
		}
		EVP_DigestUpdate(fctx, buf + carry, (size_t)r);
		total += (uint64_t)r;
		p = buf;
		end = buf + carry + (size_t)r;
		if (first && end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3;
		if (end - p >= 3 || r == 0)
			first = 0;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			if (toolong)
				toolong = 0;	/* its error is already out */
			else if (nl - p > STDVAL_MAX_LINE)
				vresult_error(res, lineno, -1, -1, NULL, NULL,
				    "line longer than %d bytes", STDVAL_MAX_LINE);
			else
				sv_line(&v, lineno, p, (size_t)(nl - p));
			lineno++;
			p = nl + 1;
		}
		start = (size_t)(p - buf);
		carry = (size_t)(end - p);
		if (r == 0) {
			if (carry > 0 && !toolong)
				sv_line(&v, lineno, p, carry);
			break;
		}
		if (carry > STDVAL_MAX_LINE) {
			if (!toolong)
				vresult_error(res, lineno, -1, -1, NULL, NULL,
				    "line longer than %d bytes", STDVAL_MAX_LINE);
			toolong = 1;
			carry = 0;
		} else if (start > 0)
			memmove(buf, p, carry);
	}
	EVP_DigestFinal_ex(fctx, md, NULL);
	util_hex(md, 32, res->sha256);
	if (v.n_listed == 0 && res->n_errors == 0)
		vresult_error(res, 0, -1, -1, NULL, NULL, total == 0 ?
		    "the file is empty: a submission lists at least one ID" :
		    "no IDs in the file: a submission lists at least one ID");
	res->n_samples = v.n;
	sv_set_hash(&v);
	for (d = 0; d < pool_ndatasets(pool); d++)
		if (v.per_ds[d])
			vresult_comp_add(res, pool_dataset_name(pool, d), v.per_ds[d]);
	vresult_comp_sort(res);
	if (ids && res->n_errors == 0) {
		*ids = v.ids;
		v.ids = NULL;
	}
	if (n_ids && res->n_errors == 0)
		*n_ids = v.n;
	rc = 0;
out:
	EVP_MD_CTX_free(fctx);
	free(buf);
	free(v.per_ds);
	free(v.lines);
	free(v.ids);
	free(v.seen);
	close(fd);
	return rc;
}
