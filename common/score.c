/*
 * score: the scorer (see score.h).  The choice and exact metrics first,
 * then the validation set, then the result-file reader; the vqa metric's
 * normalisation is in score_evalai.c.
 */
#include "score.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

/* ---- the choice and exact metrics ---- */

/* Bytes of the UTF-8 sequence that starts with byte c (1 if invalid). */
static size_t
utf8_seq_len(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc2)
		return 2;
	return 1;
}

int
score_choice_extract(const char *s, size_t len)
{
	static const char pat[] = "The answer is ";
	const size_t pl = sizeof(pat) - 1;
	size_t i = 0;
	int found = 0, letter = 0;

	s = score_strip(s, &len);
	if (len == 1 && s[0] >= 'A' && s[0] <= 'Z')
		return s[0];
	if (len >= 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] == '.' &&
	    s[2] == ' ')
		return s[0];
	/* findall(r"The answer is ([A-Z]).") - non-overlapping matches;
	 * '.' is one character (a whole UTF-8 sequence), not a newline. */
	while (i + pl + 2 <= len) {
		const char *hit = memmem(s + i, len - i, pat, pl);
		size_t at;

		if (hit == NULL)
			break;
		at = (size_t)(hit - s);
		if (at + pl + 2 <= len && s[at + pl] >= 'A' &&
		    s[at + pl] <= 'Z' && s[at + pl + 1] != '\n') {
			size_t k = utf8_seq_len((unsigned char)s[at + pl + 1]);

			if (at + pl + 1 + k > len)
				k = len - (at + pl + 1);
			found++;
			letter = s[at + pl];
			i = at + pl + 1 + k;
		} else
			i = at + 1;
	}
	return found == 1 ? letter : 0;
}

int
score_match(enum score_metric m, const char *pred, size_t plen,
    const char *ans, size_t alen)
{
	int ok = 0;

	switch (m) {
	case SCORE_VQA: {
		size_t pn, an;
		char *p = score_vqa_normalize(pred, plen, &pn);
		char *a = score_vqa_normalize(ans, alen, &an);

		ok = pn == an && memcmp(p, a, pn) == 0;
		free(p);
		free(a);
		break;
	}
	case SCORE_CHOICE: {
		int a = score_choice_extract(ans, alen);

		if (a == 0)
			return -1;
		ok = score_choice_extract(pred, plen) == a;
		break;
	}
	case SCORE_EXACT:
		pred = score_strip(pred, &plen);
		ans = score_strip(ans, &alen);
		ok = plen == alen && memcmp(pred, ans, plen) == 0;
		break;
	}
	return ok;
}

static const char *const score_metric_names[] = { "vqa", "choice", "exact" };

const char *
score_metric_name(enum score_metric m)
{
	return (unsigned)m < 3 ? score_metric_names[m] : "?";
}

int
score_metric_parse(const char *name, enum score_metric *m)
{
	unsigned i;

	for (i = 0; i < 3; i++)
		if (strcmp(name, score_metric_names[i]) == 0) {
			*m = (enum score_metric)i;
			return 0;
		}
	return -1;
}

int
score_map_parse(char *spec, struct score_map *map, size_t max, size_t *n,
    char *err, size_t errlen)
{
	char *tok, *eq, *save = NULL;

	for (tok = strtok_r(spec, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if ((eq = strchr(tok, '=')) == NULL || eq == tok) {
			util_fmt(err, errlen, "'%s' is not "
			    "TASK=vqa|choice|exact", tok);
			return -1;
		}
		*eq = '\0';
		if (*n >= max) {
			util_fmt(err, errlen, "more than %zu entries", max);
			return -1;
		}
		if (score_metric_parse(eq + 1, &map[*n].metric) != 0) {
			util_fmt(err, errlen, "%s: unknown metric '%s' (vqa, "
			    "choice or exact)", tok, eq + 1);
			return -1;
		}
		map[(*n)++].task = tok;
	}
	return 0;
}

/* ---- the validation set ---- */

struct sv_item {
	char *question, *image_id, *answer;
	size_t qlen, ilen, alen;
	size_t task;
	size_t next;		/* next item with the same image_id, or 0 */
};

struct score_val {
	struct sv_item *items;
	size_t n;
	char **tasks;		/* sorted names */
	size_t ntasks;
	size_t *slots;		/* image_id hash: first item index + 1, or 0 */
	size_t nslots;		/* a power of two */
};

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* First item index + 1 with this image_id, or 0. */
static size_t
val_lookup(const struct score_val *v, const char *id, size_t n)
{
	size_t mask = v->nslots - 1, s = hash_bytes(id, n) & mask;

	while (v->slots[s] != 0) {
		const struct sv_item *it = &v->items[v->slots[s] - 1];

		if (it->ilen == n && memcmp(it->image_id, id, n) == 0)
			return v->slots[s];
		s = (s + 1) & mask;
	}
	return 0;
}

static int
task_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > SCORE_MAX_TASK || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
task_index(const struct score_val *v, const char *name)
{
	char *const *hit = bsearch(&name, v->tasks, v->ntasks,
	    sizeof(v->tasks[0]), cmp_str);

	return hit ? (size_t)(hit - v->tasks) : (size_t)-1;
}

static const char *
json_str(json_t *o, const char *key, size_t *len)
{
	json_t *s = json_object_get(o, key);

	if (!json_is_string(s))
		return NULL;
	*len = json_string_length(s);
	return json_string_value(s);
}

static char *
mem_dup(const char *s, size_t n)
{
	char *p = util_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

struct score_val *
score_val_load(const char *path, int *kind, char *err, size_t errlen)
{
	struct score_val *v = util_xcalloc(1, sizeof(*v));
	json_t *root = NULL;
	json_error_t je;
	char *buf = NULL, q[80];
	size_t len, i, t;
	int k = SCORE_EFORMAT;

	if ((buf = util_read_small(path, SCORE_MAX_VAL, &len, err,
	    errlen)) == NULL) {
		k = SCORE_EIO;
		goto fail;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		util_fmt(err, errlen, "%s:%d:%d: %s", path, je.line, je.column,
		    je.text);
		goto fail;
	}
	if (!json_is_array(root)) {
		util_fmt(err, errlen, "%s: not a JSON array", path);
		goto fail;
	}
	v->n = json_array_size(root);
	v->items = util_xcalloc(v->n ? v->n : 1, sizeof(v->items[0]));
	v->tasks = util_xcalloc(v->n ? v->n : 1, sizeof(v->tasks[0]));
	for (i = 0; i < v->n; i++) {
		json_t *o = json_array_get(root, i);
		struct sv_item *it = &v->items[i];
		const char *qs, *is, *as, *slash;
		size_t ql = 0, il = 0, al = 0;

		if (!json_is_object(o)) {
			util_fmt(err, errlen, "%s: [%zu] is not an object", path,
			    i);
			goto fail;
		}
		qs = json_str(o, "question", &ql);
		is = json_str(o, "image_id", &il);
		as = json_str(o, "answer", &al);
		if (!qs || !is || !as) {
			util_fmt(err, errlen, "%s: [%zu].%s is missing or not a "
			    "string", path, i, !qs ? "question" : !is ?
			    "image_id" : "answer");
			goto fail;
		}
		if (il == 0 || strpbrk(is, "\t\n\r") != NULL) {
			util_fmt(err, errlen, "%s: [%zu].image_id '%s' is empty "
			    "or holds a tab or newline", path, i,
			    util_quote(q, sizeof(q), is, il));
			goto fail;
		}
		slash = memchr(is, '/', il);
		if (!task_name_ok(is, slash ? (size_t)(slash - is) : il)) {
			util_fmt(err, errlen, "%s: [%zu].image_id '%s': task "
			    "name must be 1-%d of [A-Za-z0-9_.-], not starting "
			    "with '.'", path, i, util_quote(q, sizeof(q), is, il),
			    SCORE_MAX_TASK);
			goto fail;
		}
		it->question = mem_dup(qs, ql);
		it->qlen = ql;
		it->image_id = mem_dup(is, il);
		it->ilen = il;
		it->answer = mem_dup(as, al);
		it->alen = al;
		v->tasks[v->ntasks++] = mem_dup(is, slash ?
		    (size_t)(slash - is) : il);
	}
	/* Distinct sorted task names. */
	qsort(v->tasks, v->ntasks, sizeof(v->tasks[0]), cmp_str);
	for (i = 0, t = 0; i < v->ntasks; i++) {
		if (t > 0 && strcmp(v->tasks[t - 1], v->tasks[i]) == 0) {
			free(v->tasks[i]);
			continue;
		}
		v->tasks[t++] = v->tasks[i];
	}
	v->ntasks = t;
	/* Task of each item; image_id hash with same-id chains in order. */
	for (v->nslots = 16; v->nslots < 2 * v->n; v->nslots *= 2)
		;
	v->slots = util_xcalloc(v->nslots, sizeof(v->slots[0]));
	for (i = v->n; i-- > 0;) {
		struct sv_item *it = &v->items[i];
		const char *slash = memchr(it->image_id, '/', it->ilen);
		char name[SCORE_MAX_TASK + 1];
		size_t tl = slash ? (size_t)(slash - it->image_id) : it->ilen;
		size_t mask = v->nslots - 1;
		size_t s = hash_bytes(it->image_id, it->ilen) & mask;

		memcpy(name, it->image_id, tl);
		name[tl] = '\0';
		it->task = task_index(v, name);
		/* Walking backwards, each item becomes the chain's head. */
		while (v->slots[s] != 0) {
			const struct sv_item *o = &v->items[v->slots[s] - 1];

			if (o->ilen == it->ilen && memcmp(o->image_id,
			    it->image_id, it->ilen) == 0)
				break;
			s = (s + 1) & mask;
		}
		it->next = v->slots[s];
		v->slots[s] = i + 1;
	}
	json_decref(root);
	free(buf);
	return v;
fail:
	if (kind)
		*kind = k;
	json_decref(root);
	free(buf);
	score_val_free(v);
	return NULL;
}

void
score_val_free(struct score_val *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n && v->items; i++) {
		free(v->items[i].question);
		free(v->items[i].image_id);
		free(v->items[i].answer);
	}
	for (i = 0; i < v->ntasks; i++)
		free(v->tasks[i]);
	free(v->items);
	free(v->tasks);
	free(v->slots);
	free(v);
}

size_t score_val_count(const struct score_val *v) { return v->n; }
size_t score_val_ntasks(const struct score_val *v) { return v->ntasks; }

const char *
score_val_task_name(const struct score_val *v, size_t t)
{
	return v->tasks[t];
}

const char *
score_val_question(const struct score_val *v, size_t i)
{
	return v->items[i].question;
}

const char *
score_val_image_id(const struct score_val *v, size_t i)
{
	return v->items[i].image_id;
}

const char *
score_val_answer(const struct score_val *v, size_t i)
{
	return v->items[i].answer;
}

size_t
score_val_task(const struct score_val *v, size_t i)
{
	return v->items[i].task;
}

/* ---- scoring a result directory ---- */

struct score_result {
	struct score_task *tasks;	/* names owned here */
	size_t ntasks;
	double overall;
};

/* What one score_dir() call tracks. */
struct scan {
	const struct score_val *v;
	const char *dir;
	enum score_metric *metric;	/* per task */
	uint64_t *line_of;		/* per item: its record's line, 0 */
	unsigned char *ok;		/* per item: 1 if answered right */
	char *err;
	size_t errlen;
};

static enum score_metric
default_metric(const char *task)
{
	return strncmp(task, "choice", 6) == 0 ? SCORE_CHOICE : SCORE_VQA;
}

static uint64_t
count_nl(const char *s, size_t n)
{
	uint64_t k = 0;
	const char *e = s + n, *p = s;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/*
 * Read path whole.  Returns 0 (*buf malloc'd), 1 if it does not exist, or
 * SCORE_EIO / SCORE_EFORMAT with err set.
 */
static int
read_result(const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, rc = SCORE_EIO;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 1;
		util_fmt(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return SCORE_EIO;
	}
	if (fstat(fd, &st) != 0) {
		util_fmt(err, errlen, "stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		util_fmt(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > SCORE_MAX_FILE) {
		util_fmt(err, errlen, "%s: larger than %u bytes", path,
		    SCORE_MAX_FILE);
		rc = SCORE_EFORMAT;
		goto fail;
	}
	*buf = util_xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		r = read(fd, *buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			util_fmt(err, errlen, "read %s: %s", path,
			    r < 0 ? strerror(errno) : "file shrank");
			goto fail;
		}
		got += (size_t)r;
	}
	(*buf)[got] = '\0';
	*len = got;
	close(fd);
	return 0;
fail:
	free(*buf);
	*buf = NULL;
	close(fd);
	return rc;
}

/* Check UTF-8 and line lengths; 0 or SCORE_EFORMAT naming file:line. */
static int
check_text(struct scan *sc, const char *path, const char *buf, size_t len)
{
	size_t bad = utf8_invalid_at((const unsigned char *)buf, len);
	const char *p = buf, *e = buf + len;
	uint64_t line = 1;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(e - p);

		if ((size_t)(p - buf) <= bad && bad < (size_t)(p - buf) + ll +
		    1 && bad < len) {
			util_fmt(sc->err, sc->errlen, "%s:%llu: invalid UTF-8 "
			    "at byte %zu of the line", path,
			    (unsigned long long)line, bad - (size_t)(p - buf) +
			    1);
			return SCORE_EFORMAT;
		}
		if (ll > SCORE_MAX_LINE) {
			util_fmt(sc->err, sc->errlen, "%s:%llu: line longer than "
			    "%u bytes", path, (unsigned long long)line,
			    SCORE_MAX_LINE);
			return SCORE_EFORMAT;
		}
		line++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}

static int
scan_file(struct scan *sc, size_t task, const char *path, const char *buf,
    size_t len)
{
	const struct score_val *v = sc->v;
	size_t pos = 0;
	uint64_t line = 1;
	char q[96];
	int rc;

	if ((rc = check_text(sc, path, buf, len)) != 0)
		return rc;
	while (pos < len) {
		const char *ls = buf + pos, *tab1, *rest, *out, *oend, *nl;
		const char *lend;
		size_t ll, pl, restlen, head, c, chosen = 0, f1;
		uint64_t extra = 0;
		const struct sv_item *it;
		int found = 0, m;

		nl = memchr(ls, '\n', len - pos);
		ll = nl ? (size_t)(nl - ls) : len - pos;
		pl = (ll > 0 && ls[ll - 1] == '\r') ? ll - 1 : ll;
		lend = ls + pl;
		if (pl == 0) {
			pos += ll + 1;
			line++;
			continue;
		}
		if ((tab1 = memchr(ls, '\t', pl)) == NULL) {
			util_fmt(sc->err, sc->errlen, "%s:%llu: malformed line: "
			    "expected 4 tab-separated fields ({image_id}.jpg, "
			    "question, answer, output), found 1", path,
			    (unsigned long long)line);
			return SCORE_EFORMAT;
		}
		f1 = (size_t)(tab1 - ls);
		if (f1 < 5 || memcmp(tab1 - 4, ".jpg", 4) != 0) {
			util_fmt(sc->err, sc->errlen, "%s:%llu: malformed line: "
			    "first field '%s' is not {image_id}.jpg", path,
			    (unsigned long long)line,
			    util_quote(q, sizeof(q), ls, f1));
			return SCORE_EFORMAT;
		}
		if ((head = val_lookup(v, ls, f1 - 4)) == 0) {
			util_fmt(sc->err, sc->errlen, "%s:%llu: unknown image_id "
			    "'%s' (not in the validation set)", path,
			    (unsigned long long)line,
			    util_quote(q, sizeof(q), ls, f1 - 4));
			return SCORE_EFORMAT;
		}
		if (v->items[head - 1].task != task) {
			util_fmt(sc->err, sc->errlen, "%s:%llu: image_id '%s' "
			    "belongs to task '%s', not '%s'", path,
			    (unsigned long long)line,
			    util_quote(q, sizeof(q), ls, f1 - 4),
			    v->tasks[v->items[head - 1].task], v->tasks[task]);
			return SCORE_EFORMAT;
		}
		rest = tab1 + 1;
		restlen = len - (size_t)(rest - buf);
		/* 1: the record repeats the item's question and answer. */
		for (c = head; c != 0 && !found; c = v->items[c - 1].next) {
			it = &v->items[c - 1];
			if (sc->line_of[c - 1] != 0 ||
			    it->qlen + it->alen + 2 > restlen ||
			    memcmp(rest, it->question, it->qlen) != 0 ||
			    rest[it->qlen] != '\t' ||
			    memcmp(rest + it->qlen + 1, it->answer,
			    it->alen) != 0 || rest[it->qlen + 1 + it->alen] != '\t')
				continue;
			found = 1;
			chosen = c - 1;
			out = rest + it->qlen + it->alen + 2;
			extra = count_nl(rest, it->qlen + it->alen + 2);
			if (extra == 0)
				oend = lend;
			else {
				const char *onl = memchr(out, '\n',
				    (size_t)(buf + len - out));

				oend = onl ? onl : buf + len;
				if (oend > out && oend[-1] == '\r')
					oend--;
			}
		}
		/* 2: split the physical line at its first three tabs. */
		if (!found) {
			const char *tab2 = memchr(rest, '\t', (size_t)(lend - rest));
			const char *tab3 = tab2 ? memchr(tab2 + 1, '\t',
			    (size_t)(lend - tab2 - 1)) : NULL;
			size_t first = 0;

			if (tab3 == NULL) {
				util_fmt(sc->err, sc->errlen, "%s:%llu: malformed "
				    "line: expected 4 tab-separated fields "
				    "({image_id}.jpg, question, answer, output), "
				    "found %d", path, (unsigned long long)line,
				    tab2 ? 3 : 2);
				return SCORE_EFORMAT;
			}
			for (c = head; c != 0; c = v->items[c - 1].next) {
				it = &v->items[c - 1];
				if (sc->line_of[c - 1] != 0)
					continue;
				if (first == 0)
					first = c;
				if (it->qlen == (size_t)(tab2 - rest) &&
				    memcmp(it->question, rest, it->qlen) == 0) {
					first = c;
					break;
				}
			}
			if (first == 0) {
				util_fmt(sc->err, sc->errlen, "%s:%llu: second "
				    "record for image_id '%s' (the first is at "
				    "line %llu)", path, (unsigned long long)line,
				    util_quote(q, sizeof(q), ls, f1 - 4),
				    (unsigned long long)sc->line_of[head - 1]);
				return SCORE_EFORMAT;
			}
			chosen = first - 1;
			out = tab3 + 1;
			oend = lend;
		}
		it = &v->items[chosen];
		m = score_match(sc->metric[task], out, (size_t)(oend - out),
		    it->answer, it->alen);
		sc->ok[chosen] = m == 1;
		sc->line_of[chosen] = line;
		/* Move past the record's last line. */
		line += extra + 1;
		nl = memchr(oend, '\n', (size_t)(buf + len - oend));
		pos = nl ? (size_t)(nl - buf) + 1 : len;
	}
	return 0;
}

struct score_result *
score_dir(const struct score_val *v, const char *dir,
    const struct score_map *map, size_t nmap, int *kind, char *err,
    size_t errlen)
{
	struct score_result *r = util_xcalloc(1, sizeof(*r));
	struct scan sc;
	size_t i, t;
	char q[96];
	int rc = SCORE_EFORMAT;

	memset(&sc, 0, sizeof(sc));
	sc.v = v;
	sc.dir = dir;
	sc.err = err;
	sc.errlen = errlen;
	sc.metric = util_xcalloc(v->ntasks + 1, sizeof(sc.metric[0]));
	sc.line_of = util_xcalloc(v->n + 1, sizeof(sc.line_of[0]));
	sc.ok = util_xcalloc(v->n + 1, 1);
	r->ntasks = v->ntasks;
	r->tasks = util_xcalloc(v->ntasks + 1, sizeof(r->tasks[0]));

	/* Metrics: defaults, then "*", then the named tasks. */
	for (t = 0; t < v->ntasks; t++)
		sc.metric[t] = default_metric(v->tasks[t]);
	for (i = 0; i < nmap; i++)
		if (strcmp(map[i].task, "*") == 0)
			for (t = 0; t < v->ntasks; t++)
				sc.metric[t] = map[i].metric;
	for (i = 0; i < nmap; i++) {
		if (strcmp(map[i].task, "*") == 0)
			continue;
		if ((t = task_index(v, map[i].task)) == (size_t)-1) {
			util_fmt(err, errlen, "metric for task '%s': the "
			    "validation set has no such task", util_quote(q,
			    sizeof(q), map[i].task, strlen(map[i].task)));
			goto fail;
		}
		sc.metric[t] = map[i].metric;
	}
	/* A choice task needs a letter in every answer. */
	for (i = 0; i < v->n; i++) {
		const struct sv_item *it = &v->items[i];

		if (sc.metric[it->task] == SCORE_CHOICE &&
		    score_choice_extract(it->answer, it->alen) == 0) {
			util_fmt(err, errlen, "validation item [%zu] (image_id "
			    "'%s'): answer '%s' holds no option letter, but task "
			    "'%s' is scored with metric choice", i,
			    it->image_id, util_quote(q, sizeof(q), it->answer,
			    it->alen), v->tasks[it->task]);
			goto fail;
		}
	}
	for (t = 0; t < v->ntasks; t++) {
		size_t plen = strlen(dir) + strlen(v->tasks[t]) + 8, len = 0;
		char *path = util_xmalloc(plen), *buf = NULL;
		int got;

		snprintf(path, plen, "%s/%s.txt", dir, v->tasks[t]);
		got = read_result(path, &buf, &len, err, errlen);
		if (got == 0)
			got = scan_file(&sc, t, path, buf, len);
		else if (got == 1) {
			r->tasks[t].file_missing = 1;
			got = 0;
		}
		free(buf);
		free(path);
		if (got != 0) {
			rc = got;
			goto fail;
		}
	}
	for (t = 0; t < v->ntasks; t++) {
		r->tasks[t].name = util_xstrdup(v->tasks[t]);
		r->tasks[t].metric = sc.metric[t];
	}
	for (i = 0; i < v->n; i++) {
		struct score_task *st = &r->tasks[v->items[i].task];

		st->n++;
		st->correct += sc.ok[i];
		st->missing += sc.line_of[i] == 0;
	}
	for (t = 0; t < v->ntasks; t++) {
		struct score_task *st = &r->tasks[t];

		st->score = st->n ? (double)st->correct / (double)st->n : 0.0;
		r->overall += st->score;
	}
	if (v->ntasks)
		r->overall /= (double)v->ntasks;
	free(sc.metric);
	free(sc.line_of);
	free(sc.ok);
	return r;
fail:
	if (kind)
		*kind = rc;
	free(sc.metric);
	free(sc.line_of);
	free(sc.ok);
	score_result_free(r);
	return NULL;
}

void
score_result_free(struct score_result *r)
{
	size_t t;

	if (r == NULL)
		return;
	for (t = 0; t < r->ntasks; t++)
		free((char *)r->tasks[t].name);
	free(r->tasks);
	free(r);
}

double
score_result_overall(const struct score_result *r)
{
	return r->overall;
}

size_t
score_result_ntasks(const struct score_result *r)
{
	return r->ntasks;
}

void
score_result_task(const struct score_result *r, size_t t,
    struct score_task *out)
{
	*out = r->tasks[t];
}

char *
score_result_json(const struct score_result *r)
{
	json_t *o = json_object(), *tasks = json_object();
	char *s, *out;
	size_t t;

	json_object_set_new(o, "overall", json_real(r->overall));
	for (t = 0; t < r->ntasks; t++) {
		const struct score_task *st = &r->tasks[t];
		json_t *e = json_object();

		json_object_set_new(e, "metric",
		    json_string(score_metric_name(st->metric)));
		json_object_set_new(e, "score", json_real(st->score));
		json_object_set_new(e, "n", json_integer((json_int_t)st->n));
		json_object_set_new(tasks, st->name, e);
	}
	json_object_set_new(o, "tasks", tasks);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (s == NULL)
		abort();	/* only on allocation failure */
	out = util_xstrdup(s);
	free(s);
	return out;
}

