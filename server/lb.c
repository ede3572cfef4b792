#include "lb.h"

#include <jansson.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "csv.h"
#include "http.h"	/* http_json_shorten() */
#include "util.h"

struct lb_snap {
	char slug[64];
	int priv;		/* the private split */
	enum board_vis vis;	/* the track's visibility */
	uint64_t gen;		/* lb->gen when built */
	int64_t built;		/* UNIX seconds */
	char *body[2];		/* JSON, CSV */
	size_t len[2];
	char etag[2][40];
};

struct lb {
	pthread_mutex_t mu;
	atomic_uint_fast64_t gen;
	int64_t max_age;
	struct lb_snap *snaps;
	size_t nsnaps;
};

struct lb *
lb_new(int64_t max_age)
{
	struct lb *lb = util_xcalloc(1, sizeof(*lb));

	pthread_mutex_init(&lb->mu, NULL);
	atomic_init(&lb->gen, 1);
	lb->max_age = max_age;
	return lb;
}

void
lb_free(struct lb *lb)
{
	size_t i;

	if (lb == NULL)
		return;
	for (i = 0; i < lb->nsnaps; i++) {
		free(lb->snaps[i].body[0]);
		free(lb->snaps[i].body[1]);
	}
	free(lb->snaps);
	pthread_mutex_destroy(&lb->mu);
	free(lb);
}

void
lb_invalidate(struct lb *lb)
{
	atomic_fetch_add(&lb->gen, 1);
}

char *
lb_csv(json_t *doc, size_t *outlen)
{
	json_t *entries = json_object_get(doc, "entries"), *e, *tasks, *v;
	struct csv c = CSV_INIT;
	char num[64];
	size_t i, j, ntasks;
	const char *task, **tv;
	static const char *const cols[] = { "rank", "team", "method_name",
	    "submission_id", "n_samples", "submitted_at", "baseline" };

	/* every task seen, "overall" first */
	tasks = json_object();
	json_array_foreach(entries, i, e)
		json_object_foreach(json_object_get(e, "scores"), task, v)
			json_object_set_new(tasks, task, json_true());
	ntasks = json_object_size(tasks);
	tv = util_xcalloc(ntasks + 1, sizeof(*tv));
	j = 0;
	if (json_object_get(tasks, "overall"))
		tv[j++] = "overall";
	json_object_foreach(tasks, task, v)
		if (strcmp(task, "overall") != 0)
			tv[j++] = task;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		csv_cell(&c, cols[i]);
	for (i = 0; i < ntasks; i++)
		csv_cell(&c, tv[i]);
	csv_end_row(&c);
	json_array_foreach(entries, i, e) {
		json_t *r = json_object_get(e, "rank");

		if (json_is_integer(r))
			util_fmt(num, sizeof(num), "%lld",
			    (long long)json_integer_value(r));
		else
			num[0] = '\0';
		csv_cell(&c, num);
		csv_cell(&c, json_string_value(json_object_get(e, "team")));
		csv_cell(&c, json_string_value(json_object_get(e,
		    "method_name")));
		csv_cell(&c, json_string_value(json_object_get(e,
		    "submission_id")));
		util_fmt(num, sizeof(num), "%lld", (long long)
		    json_integer_value(json_object_get(e, "n_samples")));
		csv_cell(&c, num);
		csv_cell(&c, json_string_value(json_object_get(e,
		    "submitted_at")));
		csv_cell(&c, json_is_true(json_object_get(e, "baseline")) ?
		    "true" : "false");
		for (j = 0; j < ntasks; j++) {
			v = json_object_get(json_object_get(e, "scores"), tv[j]);
			if (json_is_number(v))
				util_fmt(num, sizeof(num), "%.6g",
				    json_number_value(v));
			else
				num[0] = '\0';
			csv_cell(&c, num);
		}
		csv_end_row(&c);
	}
	free(tv);
	json_decref(tasks);
	return csv_take(&c, outlen);
}

static void
lb_etag(const char *body, size_t len, char out[40])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	SHA256((const unsigned char *)body, len, md);
	util_hex(md, 12, hex);
	util_fmt(out, 40, "\"%.24s\"", hex);
}

/* Rebuild snapshot s from the database. */
static int
lb_build(struct db *db, struct lb_snap *s, uint64_t gen)
{
	struct db_lbopts o;
	json_t *doc;
	char ts[21], *plain;
	int rc;

	memset(&o, 0, sizeof(o));
	o.priv = s->priv;
	o.now = (int64_t)time(NULL);
	rc = db_leaderboard_ex(db, s->slug, &o, &doc, &s->vis);
	if (rc != DB_OK)
		return rc;
	if (s->priv && json_is_null(json_object_get(doc, "published_at"))) {
		json_decref(doc);
		return LB_NOT_PUBLISHED;
	}
	s->built = (int64_t)time(NULL);
	/* the ETags ignore generated_at: hash the document without it */
	plain = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	lb_etag(plain, strlen(plain), s->etag[1]);
	free(plain);
	db_iso_time(s->built, ts);
	json_object_set_new(doc, "generated_at", json_string(ts));
	free(s->body[0]);
	free(s->body[1]);
	s->body[0] = json_dumps(doc, JSON_COMPACT);
	s->len[0] = http_json_shorten(s->body[0], strlen(s->body[0]));
	s->body[1] = lb_csv(doc, &s->len[1]);
	json_decref(doc);
	memcpy(s->etag[0], s->etag[1], sizeof(s->etag[0]));
	s->etag[0][1] = 'j';	/* distinct from the CSV's */
	s->gen = gen;
	return DB_OK;
}

int
lb_get(struct lb *lb, struct db *db, const char *slug, int priv, int csv,
    const char *if_none_match, char **body, size_t *len, char etag[40],
    enum board_vis *vis)
{
	uint64_t gen = atomic_load(&lb->gen);
	int64_t now = (int64_t)time(NULL);
	struct lb_snap *s = NULL;
	size_t i;
	int rc = DB_OK;

	csv = csv ? 1 : 0;
	*body = NULL;
	*len = 0;
	if (strlen(slug) >= sizeof(s->slug))
		return DB_NOTFOUND;
	pthread_mutex_lock(&lb->mu);
	priv = priv ? 1 : 0;
	*vis = VIS_PUBLIC;
	for (i = 0; i < lb->nsnaps; i++)
		if (strcmp(lb->snaps[i].slug, slug) == 0 &&
		    lb->snaps[i].priv == priv)
			s = &lb->snaps[i];
	if (s == NULL || s->gen != gen || now - s->built >= lb->max_age) {
		struct lb_snap fresh;

		memset(&fresh, 0, sizeof(fresh));
		util_fmt(fresh.slug, sizeof(fresh.slug), "%s", slug);
		fresh.priv = priv;
		if (s != NULL) {
			fresh.body[0] = s->body[0];
			fresh.body[1] = s->body[1];
		}
		rc = lb_build(db, &fresh, gen);
		if (rc != DB_OK) {
			if (s != NULL) {	/* keep the old one */
				s->body[0] = fresh.body[0];
				s->body[1] = fresh.body[1];
			}
			goto out;
		}
		if (s == NULL) {
			lb->snaps = util_xreallocarray(lb->snaps,
			    lb->nsnaps + 1, sizeof(*lb->snaps));
			s = &lb->snaps[lb->nsnaps++];
		}
		*s = fresh;
	}
	*vis = s->vis;
	memcpy(etag, s->etag[csv], 40);
	if (if_none_match != NULL && strstr(if_none_match, s->etag[csv])) {
		rc = LB_NOT_MODIFIED;
		goto out;
	}
	*body = util_xmalloc(s->len[csv] + 1);
	memcpy(*body, s->body[csv], s->len[csv] + 1);
	*len = s->len[csv];
out:
	pthread_mutex_unlock(&lb->mu);
	return rc;
}
