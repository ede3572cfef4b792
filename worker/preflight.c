/* preflight: the training file and its images, checked before training
 * (see preflight.h). */
#include "preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "jsonlex.h"
#include "util.h"

#define PF_MAX_DEPTH 512	/* nesting the scan follows */
#define PF_MAX_PATH 4096	/* an image path's bytes */
#define PF_HEAD 12		/* bytes read to tell an image's format */

/* What an image is found to be; the words are preflight_bad_image()'s. */
enum pf_status {
	PF_OK = 0,
	PF_MISSING,
	PF_NOT_FILE,
	PF_EMPTY,
	PF_UNREADABLE,
	PF_NOT_IMAGE,
	PF_OUTSIDE,
	PF_NSTATUS
};

static const char *const pf_words[PF_NSTATUS] = {
	[PF_OK] = "ok",
	[PF_MISSING] = "missing",
	[PF_NOT_FILE] = "not a regular file",
	[PF_EMPTY] = "empty",
	[PF_UNREADABLE] = "unreadable",
	[PF_NOT_IMAGE] = "not an image",
	[PF_OUTSIDE] = "outside the image folder",
};

/* The formats PIL opens that LLaVA's images come in: their first bytes
 * (a second run of bytes further on, for WebP's RIFF container). */
static const struct pf_magic {
	size_t off1;
	const char *b1;
	size_t off2;
	const char *b2;
} pf_magics[] = {
	{ 0, "\xff\xd8\xff", 0, NULL },			/* JPEG */
	{ 0, "\x89PNG\r\n\x1a\n", 0, NULL },		/* PNG */
	{ 0, "GIF87a", 0, NULL },			/* GIF */
	{ 0, "GIF89a", 0, NULL },
	{ 0, "RIFF", 8, "WEBP" },			/* WebP */
	{ 0, "BM", 0, NULL },				/* BMP */
};

/* One work item: images [from, to). */
struct pf_work {
	uv_work_t w;
	struct preflight *p;
	size_t from, to;
};

struct preflight {
	char *folder;		/* "" : images not checked */
	uint64_t items;
	struct buf paths;	/* the image paths, NUL-separated */
	size_t *off;		/* offsets into paths; sorted, distinct
				   after the scan */
	size_t n, cap;
	unsigned char *status;	/* enum pf_status per image (the work
				   items write disjoint ranges) */
	size_t *bad;		/* indexes of the unusable ones */
	size_t nbad;
	/* preflight_run() */
	struct pf_work *works;
	unsigned nworks, in_flight;
	size_t next;		/* the first image not yet queued */
	preflight_done_cb *cb;
	void *arg;
};

struct preflight *
preflight_new(const char *image_folder)
{
	struct preflight *p = util_xcalloc(1, sizeof(*p));

	p->folder = util_xstrdup(image_folder != NULL ? image_folder : "");
	return p;
}

void
preflight_free(struct preflight *p)
{
	if (p == NULL)
		return;
	buf_free(&p->paths);
	free(p->folder);
	free(p->off);
	free(p->status);
	free(p->bad);
	free(p->works);
	free(p);
}

uint64_t
preflight_items(const struct preflight *p)
{
	return p->items;
}

size_t
preflight_images(const struct preflight *p)
{
	return p->n;
}

size_t
preflight_bad(const struct preflight *p)
{
	return p->nbad;
}

/* ---- the scan ---- */

static void
pf_add_path(struct preflight *p, const char *s, size_t n)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->off = util_xreallocarray(p->off, p->cap, sizeof(*p->off));
	}
	p->off[p->n++] = p->paths.len;
	buf_add(&p->paths, s, n);
	buf_addc(&p->paths, '\0');
}

/* qsort_r's order of two offsets into the paths (base). */
static int
pf_cmp(const void *a, const void *b, void *base)
{
	return strcmp((const char *)base + *(const size_t *)a,
	    (const char *)base + *(const size_t *)b);
}

/* Sort the paths and keep each once. */
static void
pf_distinct(struct preflight *p)
{
	size_t i, k = 0;

	if (p->n == 0)
		return;
	qsort_r(p->off, p->n, sizeof(*p->off), pf_cmp, p->paths.p);
	for (i = 1; i < p->n; i++)
		if (strcmp(p->paths.p + p->off[i], p->paths.p + p->off[k]) != 0)
			p->off[++k] = p->off[i];
	p->n = k + 1;
}

/* What the grammar expects next. */
enum pf_expect {
	PF_E_VALUE,		/* a value (top level, after ':' or ',') */
	PF_E_VALUE_OR_END,	/* right after '[' */
	PF_E_KEY,		/* after ',' in an object */
	PF_E_KEY_OR_END,	/* right after '{' */
	PF_E_COLON,
	PF_E_COMMA_OR_END,	/* after a value inside a container */
	PF_E_NOTHING		/* after the top-level value */
};

/* The scan's state: the containers open, what comes next, whether the
 * value that comes is an item's "image". */
struct pf_scan {
	struct preflight *p;
	char stack[PF_MAX_DEPTH];	/* '[' or '{' per open container */
	int depth;
	enum pf_expect expect;
	int image;			/* the next value is an item's image */
	char *err;
	size_t errlen;
};

static int
pf_fail(struct pf_scan *s, const struct jl_token *t, const char *what)
{
	util_fmt(s->err, s->errlen, "%s (byte %llu)", what,
	    (unsigned long long)t->offset);
	return -1;
}

/* A value starts (its first token t): the item rules, then the
 * container it opens, if any. */
static int
pf_value(struct pf_scan *s, const struct jl_token *t)
{
	char what[160];

	if (s->depth == 0 && t->type != JL_LBRACKET)
		return pf_fail(s, t, "the training file is not a JSON array");
	if (s->depth == 1) {
		s->p->items++;
		if (t->type != JL_LBRACE) {
			util_fmt(what, sizeof(what), "item %llu is not an "
			    "object", (unsigned long long)s->p->items - 1);
			return pf_fail(s, t, what);
		}
	}
	if (s->image) {
		s->image = 0;
		if (t->type != JL_STRING || t->truncated) {
			util_fmt(what, sizeof(what), "item %llu: \"image\" is "
			    "not a path string", (unsigned long long)
			    s->p->items - 1);
			return pf_fail(s, t, what);
		}
		pf_add_path(s->p, t->str, t->len);
	}
	if (t->type == JL_LBRACKET || t->type == JL_LBRACE) {
		if (s->depth == PF_MAX_DEPTH)
			return pf_fail(s, t, "nested too deep");
		s->stack[s->depth++] = t->type == JL_LBRACKET ? '[' : '{';
		s->expect = t->type == JL_LBRACKET ? PF_E_VALUE_OR_END :
		    PF_E_KEY_OR_END;
		return 0;
	}
	s->expect = s->depth == 0 ? PF_E_NOTHING : PF_E_COMMA_OR_END;
	return 0;
}

/* A container closes with t. */
static int
pf_close(struct pf_scan *s, const struct jl_token *t)
{
	char want = t->type == JL_RBRACKET ? '[' : '{';

	if (s->depth == 0 || s->stack[s->depth - 1] != want)
		return pf_fail(s, t, "not valid JSON: a bracket that does not "
		    "match");
	s->depth--;
	s->expect = s->depth == 0 ? PF_E_NOTHING : PF_E_COMMA_OR_END;
	return 0;
}

/* One token against the grammar. */
static int
pf_token(struct pf_scan *s, const struct jl_token *t)
{
	int is_close = t->type == JL_RBRACKET || t->type == JL_RBRACE;

	switch (s->expect) {
	case PF_E_VALUE_OR_END:
		if (t->type == JL_RBRACKET)
			return pf_close(s, t);
		/* FALLTHROUGH */
	case PF_E_VALUE:
		if (is_close || t->type == JL_COLON || t->type == JL_COMMA)
			break;
		return pf_value(s, t);
	case PF_E_KEY_OR_END:
		if (t->type == JL_RBRACE)
			return pf_close(s, t);
		/* FALLTHROUGH */
	case PF_E_KEY:
		if (t->type != JL_STRING)
			break;
		s->image = s->depth == 2 && t->len == 5 &&
		    memcmp(t->str, "image", 5) == 0;
		s->expect = PF_E_COLON;
		return 0;
	case PF_E_COLON:
		if (t->type != JL_COLON)
			break;
		s->expect = PF_E_VALUE;
		return 0;
	case PF_E_COMMA_OR_END:
		if (is_close)
			return pf_close(s, t);
		if (t->type != JL_COMMA)
			break;
		s->expect = s->stack[s->depth - 1] == '[' ? PF_E_VALUE :
		    PF_E_KEY;
		return 0;
	case PF_E_NOTHING:
		return pf_fail(s, t, "not valid JSON: more after the array");
	}
	return pf_fail(s, t, "not valid JSON: a token out of place");
}

int
preflight_scan(struct preflight *p, const char *path, char *err,
    size_t errlen)
{
	struct pf_scan s;
	struct jl_token t;
	struct jl *jl;
	int fd, rc = -1;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.err = err;
	s.errlen = errlen;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	jl = jl_new(fd, PF_MAX_PATH);
	for (;;) {
		if (jl_next(jl, &t) == JL_ERROR) {
			util_fmt(err, errlen, "not valid JSON at byte %llu: %s",
			    (unsigned long long)jl_error_offset(jl),
			    jl_error(jl));
			break;
		}
		if (t.type == JL_EOF) {
			if (s.expect == PF_E_NOTHING)
				rc = 0;
			else
				util_fmt(err, errlen, "not valid JSON: the "
				    "file ends early");
			break;
		}
		if (pf_token(&s, &t) != 0)
			break;
	}
	jl_free(jl);
	close(fd);
	if (rc == 0)
		pf_distinct(p);
	return rc;
}

/* ---- the images ---- */

/* 1 if rel leaves the folder it is joined to (absolute, or a ".."
 * segment): os.path.join would not look under the folder. */
static int
pf_outside(const char *rel)
{
	const char *s = rel;

	if (rel[0] == '/')
		return 1;
	while ((s = strstr(s, "..")) != NULL) {
		if ((s == rel || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return 1;
		s += 2;
	}
	return 0;
}

static enum pf_status
pf_magic(const unsigned char *head, size_t n)
{
	size_t i, l1, l2;

	for (i = 0; i < sizeof(pf_magics) / sizeof(pf_magics[0]); i++) {
		const struct pf_magic *m = &pf_magics[i];

		l1 = strlen(m->b1);
		l2 = m->b2 ? strlen(m->b2) : 0;
		if (n >= m->off1 + l1 && memcmp(head + m->off1, m->b1, l1) == 0 &&
		    (l2 == 0 || (n >= m->off2 + l2 &&
		    memcmp(head + m->off2, m->b2, l2) == 0)))
			return PF_OK;
	}
	return PF_NOT_IMAGE;
}

/* Check one image: folder/rel as LLaVA opens it. */
static enum pf_status
pf_check(const char *folder, const char *rel)
{
	unsigned char head[PF_HEAD];
	char path[PATH_MAX];
	enum pf_status r;
	struct stat st;
	ssize_t got;
	int fd, n;

	if (pf_outside(rel))
		return PF_OUTSIDE;
	n = snprintf(path, sizeof(path), "%s/%s", folder, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return PF_UNREADABLE;
	/* O_NONBLOCK: a FIFO never blocks the open */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? PF_MISSING :
		    PF_UNREADABLE;
	if (fstat(fd, &st) != 0)
		r = PF_UNREADABLE;
	else if (!S_ISREG(st.st_mode))
		r = PF_NOT_FILE;
	else if (st.st_size == 0)
		r = PF_EMPTY;
	else if ((got = pread(fd, head, sizeof(head), 0)) < 0)
		r = PF_UNREADABLE;
	else
		r = pf_magic(head, (size_t)got);
	close(fd);
	return r;
}

/* work: images [from, to). */
static void
pf_work_run(uv_work_t *w)
{
	struct pf_work *pw = w->data;
	struct preflight *p = pw->p;
	size_t i;

	for (i = pw->from; i < pw->to; i++)
		p->status[i] = (unsigned char)pf_check(p->folder,
		    p->paths.p + p->off[i]);
}

static void pf_work_after(uv_work_t *w, int status);

/* Queue the next chunk in slot pw; 0 if none is left. */
static int
pf_queue(struct preflight *p, struct pf_work *pw, uv_loop_t *loop)
{
	if (p->next >= p->n)
		return 0;
	pw->from = p->next;
	pw->to = p->n - p->next > PREFLIGHT_CHUNK ? p->next + PREFLIGHT_CHUNK :
	    p->n;
	p->next = pw->to;
	pw->w.data = pw;
	if (uv_queue_work(loop, &pw->w, pf_work_run, pf_work_after) != 0) {
		fprintf(stderr, "dataoptim-worker: uv_queue_work failed\n");
		abort();	/* never with a valid loop */
	}
	p->in_flight++;
	return 1;
}

/* Every image was checked: the index of the unusable ones. */
static void
pf_collect(struct preflight *p)
{
	size_t i;

	p->bad = util_xreallocarray(NULL, p->n, sizeof(*p->bad));
	for (i = 0; i < p->n; i++)
		if (p->status[i] != PF_OK)
			p->bad[p->nbad++] = i;
}

static void
pf_work_after(uv_work_t *w, int status)
{
	struct pf_work *pw = w->data;
	struct preflight *p = pw->p;

	(void)status;
	p->in_flight--;
	if (pf_queue(p, pw, w->loop) || p->in_flight > 0)
		return;
	pf_collect(p);
	p->cb(p->arg);
}

int
preflight_run(struct preflight *p, uv_loop_t *loop, unsigned parallel,
    preflight_done_cb *cb, void *arg)
{
	unsigned i;

	if (p->folder[0] == '\0' || p->n == 0)
		return 0;
	if (parallel < 1)
		parallel = 1;
	if (parallel > 64)
		parallel = 64;
	free(p->status);
	p->status = util_xcalloc(p->n, 1);
	p->works = util_xcalloc(parallel, sizeof(*p->works));
	p->nworks = parallel;
	p->next = 0;
	p->cb = cb;
	p->arg = arg;
	for (i = 0; i < parallel; i++) {
		p->works[i].p = p;
		if (!pf_queue(p, &p->works[i], loop))
			break;
	}
	return 1;
}

const char *
preflight_bad_image(const struct preflight *p, size_t i, const char **why)
{
	size_t k = p->bad[i];

	*why = pf_words[p->status[k]];
	return p->paths.p + p->off[k];
}

int
preflight_result(const struct preflight *p, char *msg, size_t msglen)
{
	size_t count[PF_NSTATUS] = { 0 }, i, l;
	const char *why, *path;
	struct buf b = BUF_INIT;
	int first = 1;

	msg[0] = '\0';
	if (p->nbad == 0)
		return 0;
	for (i = 0; i < p->nbad; i++)
		count[p->status[p->bad[i]]]++;
	buf_printf(&b, "%zu of %zu images are not usable under the image "
	    "folder (", p->nbad, p->n);
	for (i = 1; i < PF_NSTATUS; i++) {
		if (count[i] == 0)
			continue;
		buf_printf(&b, "%s%zu %s", first ? "" : ", ", count[i],
		    pf_words[i]);
		first = 0;
	}
	buf_adds(&b, "):");
	for (i = 0; i < p->nbad && i < PREFLIGHT_LIST; i++) {
		path = preflight_bad_image(p, i, &why);
		l = strlen(path);
		buf_printf(&b, "%s %.*s%s (%s)", i ? "," : "",
		    (int)(l > 200 ? 200 : l), path, l > 200 ? "..." : "", why);
	}
	if (p->nbad > PREFLIGHT_LIST)
		buf_printf(&b, " and %zu more", p->nbad - PREFLIGHT_LIST);
	util_fmt(msg, msglen, "%s", b.p);
	buf_free(&b);
	return -1;
}
