/* Unit tests of the server's pieces that need no network: the config
 * table, the route matcher, credentials, the data layer (migrations,
 * quotas, the commit transaction, leases and fencing, the leaderboard)
 * and the leaderboard's ranking policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "../../server/api.h"
#include "../../server/auth.h"
#include "../../server/cfg.h"
#include "../../common/csv.h"
#include "../../server/db.h"
#include "../../server/db_int.h"
#include "../../server/field.h"
#include "../../server/hook.h"
#include "../../server/jcache.h"
#include "../../server/lb_rank.h"
#include "../../server/pcache.h"
#include "../../server/route.h"
#include "../unit/testutil.h"
#include "../unit/tests.h"

void
test_cfg_table(void **state)
{
	struct cfg *c = cfg_new();
	char err[256];
	const char *p;

	(void)state;
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_int_equal(c->threads, 2);
	assert_int_equal(cfg_set(c, "server", "threads", "4", err,
	    sizeof(err)), 0);
	assert_int_equal(c->threads, 4);
	assert_int_equal(cfg_set(c, "server", "threads", "0", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(cfg_set(c, "server", "threads", "2x", err,
	    sizeof(err)), -1);
	assert_int_equal(cfg_set(c, "server", "cookie_secure", "yes", err,
	    sizeof(err)), 0);
	assert_int_equal(c->cookie_secure, 1);
	assert_int_equal(cfg_set(c, "server", "cookie_secure", "maybe", err,
	    sizeof(err)), -1);
	assert_int_equal(cfg_set(c, "server", "nosuch", "1", err,
	    sizeof(err)), -1);
	p = tu_writes(tu_tmpdir(), "a.ini", "[server]\nlisten = 0.0.0.0:9\n"
	    "[worker]\nanything = goes\n[jobs]\nmax_attempts = 5 ; comment\n");
	assert_int_equal(cfg_load(c, p, err, sizeof(err)), 0);
	assert_string_equal(c->listen, "0.0.0.0:9");
	assert_int_equal(c->max_attempts, 5);
	p = tu_writes(tu_tmpdir(), "b.ini", "[jobs]\nmax_atempts = 5\n");
	assert_int_equal(cfg_load(c, p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "b.ini:2"));
	assert_int_equal(cfg_load(c, "/nonexistent.ini", err, sizeof(err)), -1);
	cfg_free(c);
	cfg_free(NULL);
}

void
test_route_match(void **state)
{
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_LEN];
	const struct route *r;
	int wrong;

	(void)state;
	r = route_match("GET", "/api/v1/jobs/j_abc", params, &wrong);
	assert_non_null(r);
	assert_string_equal(r->name, "job_get");
	assert_string_equal(params[0], "j_abc");
	r = route_match("HEAD", "/api/v1/submissions/s_1/file", params, &wrong);
	assert_non_null(r);
	assert_string_equal(r->name, "submission_file");
	r = route_match("POST", "/api/v1/admin/submissions/s_1/hide", params,
	    &wrong);
	assert_non_null(r);
	assert_string_equal(params[0], "s_1");
	assert_true(r->handler == api_admin_sub_hide);	/* its own route */
	/* an action that is none: no route (404) */
	assert_null(route_match("POST", "/api/v1/admin/jobs/j_1/explode",
	    params, &wrong));
	r = route_match("POST", "/api/v1/admin/jobs/j_1/priority", params,
	    &wrong);
	assert_non_null(r);
	assert_true(r->handler == api_admin_job_priority);
	assert_null(route_match("DELETE", "/api/v1/tracks", params, &wrong));
	assert_int_equal(wrong, 1);
	assert_null(route_match("GET", "/api/v1/jobs/", params, &wrong));
	assert_int_equal(wrong, 0);
	assert_null(route_match("GET", "/api/v1/jobs/a/b", params, &wrong));
	assert_null(route_match("GET", "/static/", params, &wrong));
	r = route_match("GET", "/static/js/app.js", params, &wrong);
	assert_non_null(r);
	assert_int_equal(r->role, ROLE_PUBLIC);
	r = route_match("POST", "/api/v1/worker/claim", params, &wrong);
	assert_int_equal(r->role, ROLE_WORKER);
}

void
test_auth(void **state)
{
	char h[AUTH_PW_ENCODED], s1[AUTH_SECRET_LEN], s2[AUTH_SECRET_LEN];
	char hex[AUTH_HASH_HEX], err[128];

	(void)state;
	assert_int_equal(auth_password_hash("correct horse", h, err,
	    sizeof(err)), 0);
	assert_true(strncmp(h, "$argon2id$", 10) == 0);
	assert_true(auth_password_verify(h, "correct horse"));
	assert_false(auth_password_verify(h, "correct horsE"));
	assert_false(auth_password_verify("$2b$10$bcrypt", "x"));
	assert_int_equal(auth_secret(s1), 0);
	assert_int_equal(auth_secret(s2), 0);
	assert_int_equal(strlen(s1), AUTH_SECRET_LEN - 1);
	assert_string_not_equal(s1, s2);
	auth_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_true(auth_equal("abc", "abc"));
	assert_false(auth_equal("abc", "abd"));
	assert_false(auth_equal("abc", "abcd"));
	/* the strength floor of new passwords */
	assert_null(auth_password_weak("correct horse battery", "a@b.org"));
	assert_null(auth_password_weak("\xc3\xa9t\xc3\xa9-\xc3\xa9t\xc3\xa9-xy",
	    NULL));	/* 10 characters, 14 bytes */
	assert_non_null(auth_password_weak("short", NULL));
	assert_non_null(auth_password_weak("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9", NULL));	/* 10 bytes, 5 characters */
	assert_non_null(auth_password_weak("aaaaaaaaaaaa", NULL));
	assert_non_null(auth_password_weak("Password123", NULL));
	assert_non_null(auth_password_weak("QWERTYUIOP", NULL));
	assert_non_null(auth_password_weak("alice.smith", "Alice.Smith@x.org"));
	assert_non_null(auth_password_weak("Alice.Smith@x.org", "alice.smith@x.org"));
	assert_null(auth_password_weak("alice.smith!", "alice.smith@x.org"));
	assert_string_equal(auth_password_weak("123456789", NULL),
	    "the password is shorter than 10 characters");
}

static int
fs_ok(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int
fs_fail(void *arg)
{
	(void)arg;
	return -1;
}

/* Insert a submission of team_id on track 1 with set hash set. */
static int
add_sub(struct db *db, const char *id, int64_t team, const char *set,
    int64_t per_day, int64_t max_active, int64_t now, struct db_commit *out)
{
	struct db_newsub s;
	char job[40];
	int calls = 0, rc;

	snprintf(job, sizeof(job), "j%s", id);
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.job_id = job;
	s.track_id = 1;
	s.team_id = team;
	s.user_id = team;
	s.kind = "standard";
	s.n_samples = 3;
	s.size_bytes = 10;
	s.sha256 = "00";
	s.set_hash = set;
	s.composition = "{}";
	s.method_name = "m";
	s.file_name = id;
	s.reuse = 1;
	s.per_day = per_day;
	s.max_active = max_active;
	s.now = now;
	rc = db_submission_commit(db, &s, fs_ok, &calls, out);
	if (rc == DB_OK)
		assert_int_equal(calls, 1);
	return rc;
}

void
test_db(void **state)
{
	char path[512], err[256], file[64];
	struct db_principal p;
	struct db_track t;
	struct db_commit out;
	struct db_heartbeat hb;
	struct db_result r;
	struct db_quota q;
	struct db *db;
	json_t *o, *scores;
	struct db_login login;
	int64_t uid, tid, now = 1700000000, until;
	int version, cancelled, dup, changed;

	(void)state;
	snprintf(path, sizeof(path), "%s/t.db", tu_tmpdir());
	db = db_open(path, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(db_migrate(db, &version, err, sizeof(err)), DB_OK);
	assert_int_equal(version, db_migrations[db_nmigrations - 1].version);
	assert_int_equal(db_migrate(db, &version, err, sizeof(err)), DB_OK);
	assert_int_equal(version, db_migrations[db_nmigrations - 1].version);

	/* accounts */
	assert_int_equal(db_team_add(db, "alpha", 0, now), DB_OK);
	assert_int_equal(db_team_add(db, "beta", 0, now), DB_OK);
	assert_int_equal(db_team_add(db, "alpha", 0, now), DB_CONFLICT);
	assert_int_equal(db_user_add(db, "alpha", "a@x", "H1", 0, now), DB_OK);
	assert_int_equal(db_user_add(db, "beta", "b@x", "H2", 0, now), DB_OK);
	assert_int_equal(db_user_add(db, "nosuch", "c@x", "H", 0, now),
	    DB_NOTFOUND);
	assert_int_equal(db_user_add(db, "beta", "A@X", "H", 0, now),
	    DB_CONFLICT);	/* emails are case-insensitive */
	assert_int_equal(db_account_login(db, "a@x", &login), DB_OK);
	assert_string_equal(login.pw_hash, "H1");
	uid = login.user_id;
	assert_int_equal(db_token_add(db, "a@x", "tokhash", "participant",
	    NULL, now, &tid), DB_OK);
	assert_int_equal(db_token_add(db, "zz@x", "t2", "participant", NULL,
	    now, &tid), DB_NOTFOUND);
	assert_int_equal(db_auth_token(db, "tokhash", &p), DB_OK);
	assert_string_equal(p.team, "alpha");
	assert_int_equal(p.role, WHO_PARTICIPANT);
	assert_int_equal(db_token_revoke(db, 0, "tokhash", now), DB_OK);
	assert_int_equal(db_auth_token(db, "tokhash", &p), DB_NOTFOUND);
	assert_int_equal(db_account_session_open(db, uid, "sess", "csrf", NULL,
	    NULL, now, now + 10), DB_OK);
	assert_int_equal(db_auth_session(db, "sess", now + 5, &p), DB_OK);
	assert_string_equal(p.csrf, "csrf");
	assert_int_equal(db_auth_session(db, "sess", now + 10, &p),
	    DB_NOTFOUND);

	/* tracks and the commit transaction with its quotas */
	memset(&t, 0, sizeof(t));
	snprintf(t.slug, sizeof(t.slug), "std");
	t.kind = KIND_STANDARD;
	t.budget = 10;
	assert_int_equal(db_track_add(db, &t, now), DB_OK);
	assert_int_equal(db_track_add(db, &t, now), DB_CONFLICT);
	assert_int_equal(db_track_get(db, "std", &t), DB_OK);
	assert_int_equal(t.id, 1);
	assert_int_equal(add_sub(db, "s1", 1, "A", 2, 5, now, &out), DB_OK);
	assert_int_equal(add_sub(db, "s2", 1, "B", 2, 5, now, &out), DB_OK);
	assert_int_equal(add_sub(db, "s3", 1, "C", 2, 5, now, &out), DB_QUOTA);
	assert_int_equal(out.quota, 1);
	assert_int_equal(add_sub(db, "s3", 1, "C", 2, 5, now + 86400, &out),
	    DB_OK);	/* the next UTC day */
	assert_int_equal(add_sub(db, "s4", 2, "D", 0, 1, now, &out), DB_OK);
	assert_int_equal(add_sub(db, "s5", 2, "E", 0, 1, now, &out), DB_QUOTA);
	assert_int_equal(out.quota, 3);
	{	/* a failing file move leaves nothing behind */
		struct db_newsub s;

		memset(&s, 0, sizeof(s));
		s.id = "sx"; s.job_id = "jsx"; s.track_id = 1; s.team_id = 2;
		s.user_id = 2; s.kind = "standard"; s.sha256 = "0";
		s.set_hash = "X"; s.composition = "{}"; s.method_name = "m";
		s.file_name = "sx"; s.now = now;
		assert_int_equal(db_submission_commit(db, &s, fs_fail, NULL,
		    &out), DB_ERR);
		assert_int_equal(db_submission_get(db, "sx", -1, &o),
		    DB_NOTFOUND);
	}
	assert_int_equal(db_quota_get(db, 1, 1, now + 86400, &q), DB_OK);
	assert_int_equal(q.today, 1);
	assert_int_equal(q.total, 3);
	assert_int_equal(q.active, 3);
	assert_int_equal(db_submission_get(db, "s1", 2, &o), DB_NOTFOUND);
	assert_int_equal(db_submission_get(db, "s1", 1, &o), DB_OK);
	json_decref(o);

	/* claim, heartbeat, result; fencing by attempt */
	assert_int_equal(db_job_claim(db, "w", 0, now, 5, &o), DB_OK);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(o, "job"), "id")), "js1");
	json_decref(o);
	memset(&hb, 0, sizeof(hb));
	hb.attempt = 1;
	hb.progress = -1;
	hb.log = "0123456789";
	hb.log_len = 10;
	hb.tail_max = 8;
	hb.lease = 5;
	assert_int_equal(db_job_heartbeat(db, "js1", &hb, now + 1, &cancelled,
	    &until), DB_OK);
	assert_int_equal(until, now + 6);
	assert_int_equal(db_job_get(db, "js1", 1, &o), DB_OK);
	assert_string_equal(json_string_value(json_object_get(
	    json_object_get(o, "job"), "log_tail")), "23456789");
	json_decref(o);
	assert_int_equal(db_jobs_expire(db, now + 7, 2, &changed), DB_OK);
	assert_int_equal(changed, 1);	/* requeued */
	assert_int_equal(db_job_heartbeat(db, "js1", &hb, now + 7, &cancelled,
	    &until), DB_STALE);
	assert_int_equal(db_job_claim(db, "w", 0, now + 8, 5, &o), DB_OK);
	json_decref(o);
	assert_int_equal(db_job_file(db, "js1", 1, file, sizeof(file)),
	    DB_STALE);
	assert_int_equal(db_job_file(db, "js1", 2, file, sizeof(file)), DB_OK);
	assert_string_equal(file, "s1");
	scores = json_pack("{s:f, s:f}", "overall", 0.5, "vqa", 0.5);
	memset(&r, 0, sizeof(r));
	r.attempt = 1;
	r.succeeded = 1;
	r.scores = scores;
	r.raw = "{}";
	assert_int_equal(db_job_result(db, "js1", &r, now + 9, &dup), DB_STALE);
	r.attempt = 2;
	assert_int_equal(db_job_result(db, "js1", &r, now + 9, &dup), DB_OK);
	assert_int_equal(dup, 0);
	assert_int_equal(db_job_result(db, "js1", &r, now + 9, &dup), DB_OK);
	assert_int_equal(dup, 1);
	json_decref(scores);

	/* the same set again reuses the score; the leaderboard ranks */
	assert_int_equal(add_sub(db, "s6", 2, "A", 0, 1, now, &out), DB_OK);
	assert_string_equal(out.reused_from, "s1");
	assert_int_equal(db_leaderboard(db, "std", &o), DB_OK);
	{
		json_t *e = json_object_get(o, "entries");

		assert_int_equal(json_array_size(e), 2);
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(e, 0), "team")), "alpha");
		assert_int_equal(json_integer_value(json_object_get(
		    json_array_get(e, 1), "rank")), 2);
	}
	json_decref(o);
	assert_int_equal(db_submission_moderate(db, "s1", "disqualify", "x",
	    now), DB_OK);
	assert_int_equal(db_leaderboard(db, "std", &o), DB_OK);
	assert_int_equal(json_array_size(json_object_get(o, "entries")), 1);
	json_decref(o);
	assert_int_equal(db_submission_cancel(db, "s2", 1, now), DB_OK);
	assert_int_equal(db_submission_cancel(db, "s2", 1, now), DB_CONFLICT);
	assert_int_equal(db_submission_cancel(db, "s3", 2, now), DB_NOTFOUND);
	assert_int_equal(db_integrity(db, err, sizeof(err)), DB_OK);
	assert_string_equal(err, "ok");
	db_close(db);
}

int
server_teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}

/* Webhook targets: which addresses count as private, by number and by
 * URL (the same check runs on every address libcurl connects to). */
static int
v4_private(const char *a)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	return hook_addr_private((struct sockaddr *)&sin);
}

static int
v6_private(const char *a)
{
	struct sockaddr_in6 sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &sin6.sin6_addr), 1);
	return hook_addr_private((struct sockaddr *)&sin6);
}

void
test_hook_private(void **state)
{
	static const char *const priv4[] = { "127.0.0.1", "127.255.0.9",
	    "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
	    "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1",
	    "255.255.255.255", "198.18.0.1" };
	static const char *const pub4[] = { "8.8.8.8", "172.15.255.255",
	    "172.32.0.1", "100.128.0.1", "192.169.0.1", "1.1.1.1" };
	static const char *const priv6[] = { "::1", "::", "fe80::1",
	    "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
	    "::ffff:10.0.0.1", "::ffff:169.254.169.254" };
	static const char *const pub6[] = { "2001:4860:4860::8888",
	    "::ffff:8.8.8.8" };
	char host[256];
	size_t i;

	for (i = 0; i < sizeof(priv4) / sizeof(priv4[0]); i++)
		assert_true(v4_private(priv4[i]));
	for (i = 0; i < sizeof(pub4) / sizeof(pub4[0]); i++)
		assert_false(v4_private(pub4[i]));
	for (i = 0; i < sizeof(priv6) / sizeof(priv6[0]); i++)
		assert_true(v6_private(priv6[i]));
	for (i = 0; i < sizeof(pub6) / sizeof(pub6[0]); i++)
		assert_false(v6_private(pub6[i]));
	assert_true(hook_url_private("http://169.254.169.254/latest", host,
	    sizeof(host)));
	assert_string_equal(host, "169.254.169.254");
	assert_true(hook_url_private("http://[::1]:8080/x", host,
	    sizeof(host)));
	assert_string_equal(host, "::1");
	assert_true(hook_url_private("http://LocalHost/", host, sizeof(host)));
	assert_true(hook_url_private("https://a.b.localhost/", host,
	    sizeof(host)));
	assert_true(hook_url_private("http://2130706433/", host,
	    sizeof(host)));
	assert_false(hook_url_private("https://hooks.example.org/x", host,
	    sizeof(host)));
	assert_false(hook_url_private("https://8.8.8.8/x", host,
	    sizeof(host)));
}

/* The one CSV writer: quoting and the formula guard. */
void
test_csv(void **state)
{
	struct csv c = CSV_INIT;
	size_t len;
	char *t;

	csv_cell(&c, "a,b");
	csv_cell(&c, "say \"hi\"");
	csv_cell(&c, "-1+cmd|' /C calc'!A0");
	csv_cell(&c, "-0.5");
	csv_cell(&c, "=1+1");
	csv_cell(&c, "@x");
	csv_cell(&c, "\tx");
	csv_cell(&c, "1e-3");
	csv_cell(&c, NULL);
	csv_end_row(&c);
	t = csv_take(&c, &len);
	assert_string_equal(t, "\"a,b\",\"say \"\"hi\"\"\",\"'-1+cmd|' /C "
	    "calc'!A0\",-0.5,\"'=1+1\",\"'@x\",\"'\tx\",1e-3,\r\n");
	assert_int_equal(len, strlen(t));
	free(t);
	assert_true(csv_is_number("-12.5e+3"));
	assert_false(csv_is_number("-"));
	assert_false(csv_is_number("1."));
	assert_false(csv_is_number("-2+3"));
	assert_false(csv_is_number("inf"));
}

/* The job state machine, walked: every pair of states is tried with
 * db_job_transition(); the edges this test expects (written here
 * independently of db_jobstate.c's table) work, every other pair is
 * refused and leaves the job as it was, and so is a job outside the
 * caller's from-set. */
void
test_job_transitions(void **state)
{
	static const char *const want[] = {	/* "from>to" */
		"queued>running", "queued>failed", "queued>cancelled",
		"running>queued", "running>succeeded", "running>failed",
		"running>cancelled", "succeeded>queued", "failed>queued",
		"cancelled>queued",
	};
	const struct db_job_change ch = { .error = "why", .worker = "w",
	    .lease_until = 1700000100 };
	char path[512], err[256], sql[128], pair[40];
	struct db_track t;
	struct db_commit out;
	struct db *db;
	enum job_state got;
	int version, from, to, edges = 0;
	size_t i;
	int64_t now = 1700000000;
	json_t *o;

	(void)state;
	snprintf(path, sizeof(path), "%s/fsm.db", tu_tmpdir());
	assert_non_null(db = db_open(path, err, sizeof(err)));
	assert_int_equal(db_migrate(db, &version, err, sizeof(err)), DB_OK);
	assert_int_equal(db_team_add(db, "alpha", 0, now), DB_OK);
	assert_int_equal(db_user_add(db, "alpha", "a@x", "H", 0, now), DB_OK);
	memset(&t, 0, sizeof(t));
	snprintf(t.slug, sizeof(t.slug), "std");
	t.kind = KIND_STANDARD;
	t.budget = 10;
	assert_int_equal(db_track_add(db, &t, now), DB_OK);
	assert_int_equal(add_sub(db, "s1", 1, "A", 0, 0, now, &out), DB_OK);
	for (from = 0; from < JOB_NSTATES; from++)
		for (to = 0; to < JOB_NSTATES; to++) {
			int expect = 0;

			snprintf(pair, sizeof(pair), "%s>%s",
			    job_state_name(from), job_state_name(to));
			for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
				expect |= strcmp(want[i], pair) == 0;
			assert_int_equal(db_job_edge(from, to), expect);
			snprintf(sql, sizeof(sql), "UPDATE jobs SET state = "
			    "'%s' WHERE id = 'js1'", job_state_name(from));
			assert_int_equal(sqlite3_exec(db->h, sql, NULL, NULL,
			    NULL), SQLITE_OK);
			/* outside the from-set: refused */
			assert_int_equal(db_job_transition(db, "js1",
			    JOB_BIT(from) ^ 0x1f, to, &ch, now), DB_CONFLICT);
			assert_int_equal(db_job_transition(db, "js1",
			    JOB_BIT(from), to, &ch, now), expect ? DB_OK :
			    DB_CONFLICT);
			assert_int_equal(db_job_state(db, "js1", &got), DB_OK);
			assert_int_equal(got, expect ? to : from);
			edges += expect;
		}
	assert_int_equal(edges, (int)(sizeof(want) / sizeof(want[0])));
	assert_int_equal(db_job_transition(db, "nosuch", JOB_ACTIVE,
	    JOB_CANCELLED, NULL, now), DB_NOTFOUND);

	/* what the changes set: a claim counts an attempt and names the
	 * worker; an end keeps the error; a re-run clears it */
	assert_int_equal(sqlite3_exec(db->h, "UPDATE jobs SET state = "
	    "'queued', attempt = 0 WHERE id = 'js1'", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(db_job_transition(db, "js1", JOB_BIT(JOB_QUEUED),
	    JOB_RUNNING, &ch, now), DB_OK);
	assert_int_equal(db_job_get(db, "js1", -1, &o), DB_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o,
	    "job"), "attempt")), 1);
	json_decref(o);
	assert_int_equal(db_job_transition(db, "js1", JOB_BIT(JOB_RUNNING),
	    JOB_FAILED, &ch, now + 1), DB_OK);
	assert_int_equal(db_job_get(db, "js1", -1, &o), DB_OK);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    o, "job"), "error")), "why");
	json_decref(o);
	assert_int_equal(db_job_transition(db, "js1", JOB_ENDED, JOB_QUEUED,
	    NULL, now + 2), DB_OK);
	assert_int_equal(db_job_get(db, "js1", -1, &o), DB_OK);
	assert_true(json_is_null(json_object_get(json_object_get(o, "job"),
	    "error")));
	json_decref(o);
	db_close(db);
}

/* The token cache: a hit is the principal put; another hash in the same
 * slot, the end of the TTL and a clear are misses; TTL 0 keeps nothing. */
void
test_pcache(void **state)
{
	struct pcache *c = pcache_new(100), *off = pcache_new(0);
	struct db_principal p, got;
	char h1[65], h2[65];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.user_id = 7;
	p.role = WHO_WORKER;
	snprintf(h1, sizeof(h1), "%064d", 1);
	/* the same first 8 digits: the same slot */
	snprintf(h2, sizeof(h2), "%063d2", 0);
	assert_int_equal(pcache_get(c, h1, &got), 0);
	pcache_put(c, h1, &p);
	assert_int_equal(pcache_get(c, h1, &got), 1);
	assert_int_equal(got.user_id, 7);
	assert_int_equal(got.role, WHO_WORKER);
	assert_int_equal(pcache_get(c, h2, &got), 0);
	pcache_put(c, h2, &p);	/* takes the slot */
	assert_int_equal(pcache_get(c, h1, &got), 0);
	assert_int_equal(pcache_get(c, h2, &got), 1);
	pcache_clear(c);
	assert_int_equal(pcache_get(c, h2, &got), 0);
	pcache_put(c, h1, &p);
	usleep(150 * 1000);
	assert_int_equal(pcache_get(c, h1, &got), 0);	/* past its TTL */
	pcache_put(off, h1, &p);
	assert_int_equal(pcache_get(off, h1, &got), 0);
	pcache_free(c);
	pcache_free(off);
	pcache_free(NULL);
}

/* Job answers: per id and scope, only at the commit count they were
 * read at, for at most the TTL, within the bounds. */
void
test_jcache(void **state)
{
	struct jcache *c = jcache_new(100), *off = jcache_new(0);
	static char big[JCACHE_ANSWER_MAX + 1];
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(jcache_get(c, "j1", 3, 5, &text, &len), 0);
	jcache_put(c, "j1", 3, 5, "{\"a\":1}\n", 8);
	assert_int_equal(jcache_get(c, "j1", 3, 5, &text, &len), 1);
	assert_int_equal(len, 8);
	assert_memory_equal(text, "{\"a\":1}\n", 8);
	free(text);
	/* another team, another job, a later commit: not this answer */
	assert_int_equal(jcache_get(c, "j1", 4, 5, &text, &len), 0);
	assert_int_equal(jcache_get(c, "j1", -1, 5, &text, &len), 0);
	assert_int_equal(jcache_get(c, "j2", 3, 5, &text, &len), 0);
	assert_int_equal(jcache_get(c, "j1", 3, 6, &text, &len), 0);
	/* read before that commit: not kept; read after it: replaces all */
	jcache_put(c, "j2", 3, 6, "{}\n", 3);
	jcache_put(c, "j1", 3, 5, "{\"a\":1}\n", 8);
	assert_int_equal(jcache_get(c, "j1", 3, 5, &text, &len), 0);
	assert_int_equal(jcache_get(c, "j1", 3, 6, &text, &len), 0);
	assert_int_equal(jcache_get(c, "j2", 3, 6, &text, &len), 1);
	free(text);
	/* over the bound: not kept (the earlier answer is gone too) */
	memset(big, 'x', sizeof(big));
	jcache_put(c, "j2", 3, 6, big, sizeof(big));
	assert_int_equal(jcache_get(c, "j2", 3, 6, &text, &len), 0);
	/* past the TTL */
	jcache_put(c, "j2", 3, 6, "{}\n", 3);
	usleep(150 * 1000);
	assert_int_equal(jcache_get(c, "j2", 3, 6, &text, &len), 0);
	jcache_put(off, "j1", 3, 5, "{}\n", 3);
	assert_int_equal(jcache_get(off, "j1", 3, 5, &text, &len), 0);
	jcache_free(c);
	jcache_free(off);
	jcache_free(NULL);
}

/* db_commits() counts the commits that changed something, on any of the
 * process's connections, and nothing else. */
void
test_db_commits(void **state)
{
	char path[512], err[256];
	struct db *a, *b;
	sqlite3_stmt *st;
	uint64_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/commits.db", tu_tmpdir());
	assert_non_null(a = db_open(path, err, sizeof(err)));
	assert_non_null(b = db_open(path, err, sizeof(err)));
	assert_int_equal(sqlite3_exec(a->h, "CREATE TABLE t (x)", NULL, NULL,
	    NULL), SQLITE_OK);
	n = db_commits();
	assert_int_equal(sqlite3_exec(b->h, "INSERT INTO t VALUES (1)", NULL,
	    NULL, NULL), SQLITE_OK);
	assert_true(db_commits() == n + 1);
	assert_int_equal(sqlite3_exec(a->h, "BEGIN; UPDATE t SET x = 2; "
	    "INSERT INTO t VALUES (3); COMMIT", NULL, NULL, NULL), SQLITE_OK);
	assert_true(db_commits() == n + 2);
	/* a read, a change of no row, a rolled-back change */
	assert_int_equal(sqlite3_exec(b->h, "SELECT * FROM t; UPDATE t SET "
	    "x = 9 WHERE x = 100; BEGIN; DELETE FROM t; ROLLBACK", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_true(db_commits() == n + 2);
	/* a quiet change on its own; in a transaction it counts */
	assert_non_null(st = db__stmt(a, "INSERT INTO t VALUES (4)"));
	assert_int_equal(db__exec_quiet(a, st, NULL, "quiet"), DB_OK);
	assert_true(db_commits() == n + 2);
	assert_int_equal(sqlite3_exec(a->h, "BEGIN", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(db__exec_quiet(a, st, NULL, "quiet"), DB_OK);
	assert_int_equal(sqlite3_exec(a->h, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_true(db_commits() == n + 3);
	db_close(a);
	db_close(b);
}

/* A submission's warnings: stored as given, the kept ones and the count
 * on the submission, only the count in the list; none is "[]" and 0;
 * the schema refuses more than 100 kept or a count below those kept. */
void
test_db_warnings(void **state)
{
	static const char *w2 = "[{\"item\":6,\"path\":\"[6].x\","
	    "\"message\":\"m\"},{\"item\":7,\"message\":\"n\"}]";
	char path[512], err[256], id[8], job[8], big[4096];
	struct db_newsub s;
	struct db_commit out;
	struct db_track t;
	json_t *o, *w, *l;
	struct db *db;
	size_t i, n;
	int version;

	(void)state;
	snprintf(path, sizeof(path), "%s/warn.db", tu_tmpdir());
	assert_non_null(db = db_open(path, err, sizeof(err)));
	assert_int_equal(db_migrate(db, &version, err, sizeof(err)), DB_OK);
	assert_int_equal(db_team_add(db, "alpha", 0, 1), DB_OK);
	assert_int_equal(db_user_add(db, "alpha", "a@x", "H", 0, 1), DB_OK);
	memset(&t, 0, sizeof(t));
	snprintf(t.slug, sizeof(t.slug), "byod");
	t.kind = KIND_BYOD;
	t.budget = 10;
	assert_int_equal(db_track_add(db, &t, 1), DB_OK);
	memset(&s, 0, sizeof(s));
	s.id = id; s.job_id = job; s.track_id = 1; s.team_id = 1;
	s.user_id = 1; s.kind = "byod"; s.sha256 = "0"; s.set_hash = "X";
	s.composition = "{}"; s.method_name = "m"; s.file_name = id;
	s.now = 1;
	/* 2 kept of 5 found, then none at all */
	for (i = 0; i < 2; i++) {
		snprintf(id, sizeof(id), "s%zu", i);
		snprintf(job, sizeof(job), "j%zu", i);
		s.warnings = i == 0 ? w2 : NULL;
		s.n_warnings = i == 0 ? 5 : 0;
		assert_int_equal(db_submission_commit(db, &s, NULL, NULL, &out),
		    DB_OK);
	}
	assert_int_equal(db_submission_get(db, "s0", -1, &o), DB_OK);
	w = json_object_get(json_object_get(o, "submission"), "warnings");
	assert_int_equal(json_array_size(w), 2);
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(w, 0), "item")), 6);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(w, 1), "message")), "n");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    o, "submission"), "n_warnings")), 5);
	json_decref(o);
	assert_int_equal(db_submission_get(db, "s1", -1, &o), DB_OK);
	w = json_object_get(json_object_get(o, "submission"), "warnings");
	assert_true(json_is_array(w) && json_array_size(w) == 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    o, "submission"), "n_warnings")), 0);
	json_decref(o);
	assert_int_equal(db_submissions_list(db, 1, NULL, 10, 0, &o), DB_OK);
	l = json_object_get(o, "submissions");
	assert_int_equal(json_array_size(l), 2);
	for (i = 0; i < 2; i++) {
		json_t *e = json_array_get(l, i);
		const char *sid = json_string_value(json_object_get(e, "id"));

		assert_null(json_object_get(e, "warnings"));
		assert_int_equal(json_integer_value(json_object_get(e,
		    "n_warnings")), strcmp(sid, "s0") == 0 ? 5 : 0);
	}
	json_decref(o);
	/* 101 kept, or fewer found than kept: refused, nothing stored */
	n = (size_t)snprintf(big, sizeof(big), "[");
	for (i = 0; i < 101; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s{}",
		    i ? "," : "");
	snprintf(big + n, sizeof(big) - n, "]");
	snprintf(id, sizeof(id), "s2");
	snprintf(job, sizeof(job), "j2");
	s.warnings = big;
	s.n_warnings = 101;
	assert_int_equal(db_submission_commit(db, &s, NULL, NULL, &out),
	    DB_ERR);
	s.warnings = w2;
	s.n_warnings = 1;
	assert_int_equal(db_submission_commit(db, &s, NULL, NULL, &out),
	    DB_ERR);
	assert_int_equal(db_submission_get(db, "s2", -1, &o), DB_NOTFOUND);
	db_close(db);
}

/* ---- the ranking policy (lb_rank) ---- */

#define HP LB_RANK_HAS_PUB
#define HV LB_RANK_HAS_PRIV

/* The board lb_rank() makes of rows[0..n) as "row:rank ...". */
static const char *
board_str(const struct lb_rank_row *rows, size_t n, int min, int priv)
{
	static char buf[512];
	struct lb_rank_opts o = { min, priv };
	struct lb_rank_entry *b;
	size_t m, i, len = 0;

	b = lb_rank(rows, n, &o, &m);
	assert_non_null(b);
	buf[0] = '\0';
	for (i = 0; i < m && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "%s%zu:%lld", i ? " " : "", b[i].row, (long long)b[i].rank);
	free(b);
	return buf;
}

/* Order and ties: the score in the track's direction, then the earlier
 * submission, then the lower row id; ranks are never shared.  An empty
 * board is an empty array. */
void
test_lb_rank_order(void **state)
{
	static const struct lb_rank_row rows[] = {
		{ 1, 10, 5, 0.5, 0, HP },
		{ 2, 10, 3, 0.5, 0, HP },	/* same time: lower row id */
		{ 3, 5, 9, 0.5, 0, HP },	/* same score: earlier */
		{ 4, 1, 1, 0.9, 0, HP },
		{ 5, 1, 2, 0.1, 0, HP },
		{ 6, 1, 4, 0.7, 0, 0 },		/* no public score */
	};
	struct lb_rank_opts o = { 0, 0 };
	struct lb_rank_entry *b;
	size_t m = 7;

	(void)state;
	assert_string_equal(board_str(rows, 6, 0, 0), "3:1 2:2 1:3 0:4 4:5");
	assert_string_equal(board_str(rows, 6, 1, 0), "4:1 2:2 1:3 0:4 3:5");
	b = lb_rank(NULL, 0, &o, &m);
	assert_non_null(b);
	assert_int_equal(m, 0);
	free(b);
	assert_string_equal(board_str(rows + 5, 1, 0, 0), "");
}

/* One entry per team: its pick when the pick is a candidate, else its
 * best; hidden, disqualified and unscored rows never count. */
void
test_lb_rank_pick(void **state)
{
	static const struct lb_rank_row rows[] = {
		{ 1, 1, 1, 0.9, 0, HP },
		{ 1, 2, 2, 0.5, 0, HP },
		{ 1, 3, 3, 0.7, 0, HP },
		{ 2, 4, 4, 0.8, 0, HP },
		{ 2, 5, 5, 0.6, 0, HP | LB_RANK_SELECTED },
		{ 3, 6, 6, 0.95, 0, HP | LB_RANK_HIDDEN },
		{ 3, 7, 7, 0.4, 0, HP | LB_RANK_SELECTED | LB_RANK_HIDDEN },
		{ 3, 8, 8, 0.3, 0, HP },
		{ 4, 9, 9, 0.99, 0, HP | LB_RANK_DISQUALIFIED },
		{ 4, 10, 10, 0, 0.5, HV | LB_RANK_SELECTED },
		{ 4, 11, 11, 0.2, 0, HP },
		{ 5, 12, 12, 0.98, 0, HP | LB_RANK_HIDDEN |
		    LB_RANK_DISQUALIFIED },
	};

	(void)state;
	assert_string_equal(board_str(rows, 12, 0, 0), "0:1 4:2 7:3 10:4");
	/* without its pick, team 2's best */
	assert_string_equal(board_str(rows, 4, 0, 0), "0:1 3:2");
}

/* Baselines: every one shown, unranked, never a team's representative
 * nor its pick; hidden ones are not shown. */
void
test_lb_rank_baseline(void **state)
{
	static const struct lb_rank_row rows[] = {
		{ 1, 1, 1, 0.9, 0, HP | LB_RANK_BASELINE },
		{ 1, 2, 2, 0.5, 0, HP },
		{ 1, 3, 3, 0.8, 0, HP | LB_RANK_BASELINE | LB_RANK_SELECTED },
		{ 1, 4, 4, 0.4, 0, HP },
		{ 2, 5, 5, 0.7, 0, HP },
		{ 9, 6, 6, 0.6, 0, HP | LB_RANK_BASELINE },
		{ 9, 7, 7, 0.65, 0, HP | LB_RANK_BASELINE },
		{ 9, 8, 8, 0.99, 0, HP | LB_RANK_BASELINE | LB_RANK_HIDDEN },
	};

	(void)state;
	assert_string_equal(board_str(rows, 8, 0, 0),
	    "0:0 2:0 4:1 6:0 5:0 1:2");
}

/* The private split: the representatives the public score chose, ordered
 * by the private score (ties as ever); those without one left out. */
void
test_lb_rank_private(void **state)
{
	static const struct lb_rank_row rows[] = {
		{ 1, 10, 1, 0.9, 0.1, HP | HV },
		{ 1, 11, 2, 0.5, 0.95, HP | HV },
		{ 2, 12, 3, 0.8, 0.5, HP | HV },
		{ 3, 13, 4, 0.7, 0, HP },
		{ 7, 14, 5, 0.1, 0.6, HP | HV | LB_RANK_BASELINE },
		{ 8, 15, 6, 0.2, 0, HP | LB_RANK_BASELINE },
		{ 5, 1, 7, 0.3, 0.5, HP | HV },
	};

	(void)state;
	assert_string_equal(board_str(rows, 7, 0, 0),
	    "0:1 2:2 3:3 6:4 5:0 4:0");
	assert_string_equal(board_str(rows, 7, 0, 1), "4:0 6:1 2:2 0:3");
	/* lower is better: team 1 is represented by its other row */
	assert_string_equal(board_str(rows, 7, 1, 1), "6:1 2:2 4:0 1:3");
}

/* Whether x goes before y on a public board (max). */
static int
lb_better(const struct lb_rank_row *x, const struct lb_rank_row *y)
{
	if (x->pub != y->pub)
		return x->pub > y->pub;
	if (x->created_at != y->created_at)
		return x->created_at < y->created_at;
	return x->rowid < y->rowid;
}

/* 20,000 rows of 2,000 teams, many ties: the board keeps every policy
 * (checked here in linear time) and is made in O(n log n). */
void
test_lb_rank_large(void **state)
{
	enum { N = 20000, TEAMS = 2000 };
	struct lb_rank_row *rows = calloc(N, sizeof(*rows));
	size_t *best = calloc(TEAMS, sizeof(*best)), *pick = calloc(TEAMS,
	    sizeof(*pick)), *seen = calloc(TEAMS, sizeof(*seen));
	struct lb_rank_opts o = { 0, 0 };
	struct lb_rank_entry *b;
	struct timespec t0, t1;
	unsigned long long r = 42;
	size_t i, m, nbase = 0, nteams = 0, nb = 0;
	int64_t rank = 0;

	(void)state;
	assert_non_null(rows);
	assert_non_null(best);
	assert_non_null(pick);
	assert_non_null(seen);
	for (i = 0; i < N; i++) {
		unsigned v;

		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		v = (unsigned)(r >> 33);
		rows[i].team_id = (int64_t)(v % TEAMS);
		rows[i].created_at = 1000 + (v >> 11) % 500;
		rows[i].rowid = (int64_t)i + 1;
		rows[i].pub = (double)((v >> 20) % 64) / 8;
		rows[i].flags = HP;
		if (v % 20 == 1)
			rows[i].flags |= LB_RANK_HIDDEN;
		if (v % 33 == 2)
			rows[i].flags |= LB_RANK_DISQUALIFIED;
		if (v % 50 == 3)
			rows[i].flags |= LB_RANK_BASELINE;
		if (v % 97 == 4)
			rows[i].flags &= ~(unsigned)HP;
		/* at most one pick per team, sometimes not a candidate */
		if (v % 7 == 5 && pick[rows[i].team_id] == 0) {
			rows[i].flags |= LB_RANK_SELECTED;
			pick[rows[i].team_id] = i + 1;
		}
	}
	/* what the board must hold, found in one pass */
	memset(pick, 0, TEAMS * sizeof(*pick));
	for (i = 0; i < N; i++) {
		const struct lb_rank_row *x = &rows[i];
		size_t tm = (size_t)x->team_id;

		if ((x->flags & (HP | LB_RANK_HIDDEN | LB_RANK_DISQUALIFIED))
		    != HP)
			continue;
		if (x->flags & LB_RANK_BASELINE) {
			nbase++;
			continue;
		}
		if (best[tm] == 0)
			nteams++;
		if (best[tm] == 0 || lb_better(x, &rows[best[tm] - 1]))
			best[tm] = i + 1;
		if (x->flags & LB_RANK_SELECTED)
			pick[tm] = i + 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b = lb_rank(rows, N, &o, &m);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# lb_rank: %d rows, %zu entries in %.1f ms\n", N, m,
	    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(m, nbase + nteams);
	for (i = 0; i < m; i++) {
		const struct lb_rank_row *x = &rows[b[i].row];
		size_t tm = (size_t)x->team_id;

		if (i > 0)
			assert_true(lb_better(&rows[b[i - 1].row], x));
		if (x->flags & LB_RANK_BASELINE) {
			assert_int_equal(b[i].rank, 0);
			continue;
		}
		nb++;
		assert_int_equal(b[i].rank, ++rank);
		assert_int_equal(seen[tm], 0);
		seen[tm] = 1;
		assert_int_equal(b[i].row + 1, pick[tm] ? pick[tm] : best[tm]);
	}
	assert_int_equal(nb, nteams);
	free(b);
	free(rows);
	free(best);
	free(pick);
	free(seen);
}

/* Check json (NULL: no body) against t: want NULL for a pass, else the
 * message field_check() must give. */
static void
field_expect(const struct field_table *t, const char *json, const char *want)
{
	json_t *body = json != NULL ? json_loads(json, JSON_DECODE_ANY,
	    NULL) : NULL;
	char msg[512] = "";
	int rc;

	if (json != NULL)
		assert_non_null(body);
	rc = field_check(t, body, msg, sizeof(msg));
	if (want == NULL && rc != 0)
		fail_msg("%s: %s", json, msg);
	if (want != NULL) {
		assert_int_equal(rc, -1);
		assert_string_equal(msg, want);
	}
	json_decref(body);
}

static int
field_test_lower(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz") == strlen(s);
}

/* The field checker: each type with its bounds, allowed words, null and
 * "", required and unknown members, the messages; the getters. */
void
test_field_check(void **state)
{
	static const char *const colors[] = { "red", "green", "blue", NULL };
	static const struct field f[] = {
		FIELD_STRING_RULE("name", FIELD_REQUIRED, 1, 8,
		    field_test_lower, "of a-z"),
		FIELD_STRING("note", 0, 0, 0),
		FIELD_STRING("label", FIELD_NULL, 0, 5),
		FIELD_STRING("secret", FIELD_EMPTY | FIELD_NULL, 4, 0),
		FIELD_INT("n", 0, -2, 3),
		FIELD_INT("any", 0, INT64_MIN, INT64_MAX),
		FIELD_NUMBER("share", 0, 0, 1),
		FIELD_BOOL("on", 0),
		FIELD_ENUM("color", 0, colors),
		FIELD_TIME("at", FIELD_NULL),
		FIELD_OBJECT("extra", 0),
	};
	static const struct field g[] = {
		FIELD_STRING("key", FIELD_EMPTY, 2, 4),
		FIELD_INT("n", FIELD_REQUIRED, 1, 2),
	};
	const struct field_table loose = FIELD_TABLE(f, 0);
	const struct field_table strict = FIELD_TABLE(g, 1);
	json_t *b;
	int64_t t;

	(void)state;
	field_expect(&loose, "{\"name\": \"abc\"}", NULL);
	field_expect(&loose, "{\"name\": \"abc\", \"note\": \"x y\", "
	    "\"label\": null, \"secret\": \"\", \"n\": -2, \"any\": "
	    "-9000000000, \"share\": 1, \"on\": false, \"color\": "
	    "\"blue\", \"at\": \"2025-06-01\", \"extra\": {}, "
	    "\"other\": [1]}", NULL);
	field_expect(&loose, "{\"name\": \"abcdefgh\", \"share\": 0.25, "
	    "\"secret\": \"long enough\", \"at\": "
	    "\"2025-06-01T12:00:00Z\"}", NULL);
	field_expect(&loose, "{\"name\": \"a\", \"at\": null}", NULL);
	/* required; no body counts as {} */
	field_expect(&loose, NULL, "field 'name' is required: a string of 1 "
	    "to 8 bytes of a-z");
	field_expect(&loose, "{}", "field 'name' is required: a string of 1 "
	    "to 8 bytes of a-z");
	field_expect(&loose, "[1]", "the body must be a JSON object");
	field_expect(&loose, "\"name\"", "the body must be a JSON object");
	/* strings: type, bounds, the rule, null, "" */
	field_expect(&loose, "{\"name\": 5}", "field 'name': must be a "
	    "string of 1 to 8 bytes of a-z");
	field_expect(&loose, "{\"name\": \"\"}", "field 'name': must be a "
	    "string of 1 to 8 bytes of a-z");
	field_expect(&loose, "{\"name\": \"abcdefghi\"}", "field 'name': "
	    "must be a string of 1 to 8 bytes of a-z");
	field_expect(&loose, "{\"name\": \"ABC\"}", "field 'name': must be "
	    "a string of 1 to 8 bytes of a-z");
	field_expect(&loose, "{\"name\": null}", "field 'name': must be a "
	    "string of 1 to 8 bytes of a-z");
	field_expect(&loose, "{\"name\": \"a\", \"note\": null}",
	    "field 'note': must be a string");
	field_expect(&loose, "{\"name\": \"a\", \"label\": \"123456\"}",
	    "field 'label': must be a string of at most 5 bytes or null");
	field_expect(&loose, "{\"name\": \"a\", \"secret\": \"abc\"}",
	    "field 'secret': must be a string of at least 4 bytes, \"\" or "
	    "null");
	/* integers and numbers */
	field_expect(&loose, "{\"name\": \"a\", \"n\": 4}", "field 'n': "
	    "must be an integer from -2 to 3");
	field_expect(&loose, "{\"name\": \"a\", \"n\": -3}", "field 'n': "
	    "must be an integer from -2 to 3");
	field_expect(&loose, "{\"name\": \"a\", \"n\": 1.0}", "field 'n': "
	    "must be an integer from -2 to 3");
	field_expect(&loose, "{\"name\": \"a\", \"n\": \"1\"}",
	    "field 'n': must be an integer from -2 to 3");
	field_expect(&loose, "{\"name\": \"a\", \"any\": true}",
	    "field 'any': must be an integer");
	field_expect(&loose, "{\"name\": \"a\", \"share\": 1.5}",
	    "field 'share': must be a number from 0 to 1");
	field_expect(&loose, "{\"name\": \"a\", \"share\": -0.1}",
	    "field 'share': must be a number from 0 to 1");
	/* bool, enum, time, object */
	field_expect(&loose, "{\"name\": \"a\", \"on\": 1}", "field 'on': "
	    "must be true or false");
	field_expect(&loose, "{\"name\": \"a\", \"color\": \"pink\"}",
	    "field 'color': must be red, green or blue");
	field_expect(&loose, "{\"name\": \"a\", \"color\": null}",
	    "field 'color': must be red, green or blue");
	field_expect(&loose, "{\"name\": \"a\", \"at\": \"June 1st\"}",
	    "field 'at': must be a UTC time YYYY-MM-DDTHH:MM:SSZ or a date "
	    "YYYY-MM-DD or null");
	field_expect(&loose, "{\"name\": \"a\", \"at\": \"1970-01-01\"}",
	    "field 'at': must be a UTC time YYYY-MM-DDTHH:MM:SSZ or a date "
	    "YYYY-MM-DD or null");
	field_expect(&loose, "{\"name\": \"a\", \"extra\": [1]}",
	    "field 'extra': must be an object");
	/* the first problem in table order is told */
	field_expect(&loose, "{\"on\": 1, \"name\": 2}", "field 'name': "
	    "must be a string of 1 to 8 bytes of a-z");
	/* a strict table: unknown members first, quoted; "" with FIELD_EMPTY */
	field_expect(&strict, "{\"n\": 1, \"key\": \"\"}", NULL);
	field_expect(&strict, "{\"n\": 1, \"key\": \"k\"}", "field 'key': "
	    "must be a string of 2 to 4 bytes or \"\"");
	field_expect(&strict, "{\"kye\": \"ab\"}", "field 'kye' is not "
	    "known here (known: key, n)");
	field_expect(&strict, "{\"n\": 1, \"a\\u00e9\": 1}", "field "
	    "'a\\xc3\\xa9' is not known here (known: key, n)");
	field_expect(&strict, "{}", "field 'n' is required: an integer from 1 "
	    "to 2");

	/* the getters, on a body that passed, and on none */
	b = json_loads("{\"name\": \"abc\", \"label\": null, \"n\": 3, "
	    "\"share\": 0.5, \"on\": true, \"at\": \"1970-01-02\"}", 0,
	    NULL);
	assert_non_null(b);
	assert_int_equal(field_check(&loose, b, NULL, 0), 0);
	assert_string_equal(field_str(b, "name"), "abc");
	assert_null(field_str(b, "label"));
	assert_true(field_has(b, "label"));
	assert_false(field_has(b, "note"));
	assert_int_equal(field_int(b, "n", 9), 3);
	assert_int_equal(field_int(b, "any", 9), 9);
	assert_true(field_number(b, "share", 2) == 0.5);
	assert_true(field_number(b, "nothing", 2) == 2);
	assert_int_equal(field_bool(b, "on", 0), 1);
	assert_int_equal(field_bool(b, "off", 1), 1);
	assert_int_equal(field_time(b, "at"), 86400);
	assert_int_equal(field_time(b, "label"), 0);
	json_decref(b);
	assert_null(field_str(NULL, "name"));
	assert_int_equal(field_int(NULL, "n", 7), 7);
	assert_int_equal(field_bool(NULL, "on", 1), 1);
	assert_int_equal(field_time_parse("2025-06-01T00:00:01Z", &t), 0);
	assert_int_equal(t, 1748736001);
	assert_int_equal(field_time_parse("2025-06-01", &t), 0);
	assert_int_equal(t, 1748736000);
	assert_int_equal(field_time_parse("2025-06-01 00:00", &t), -1);
	assert_int_equal(field_time_parse("", &t), -1);
}

/* The route table's bodies: a field table only where a JSON body is read,
 * and the real tables' messages (what an organizer or a worker sees). */
void
test_route_fields(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < route_count; i++)
		if (route_table[i].body != NULL)
			assert_true(route_table[i].flags & ROUTE_JSON_BODY);
	field_expect(&api_admin_track_create_body, "{\"slug\": \"t1\", "
	    "\"kind\": \"standard\", \"budget\": 10}", NULL);
	field_expect(&api_admin_track_create_body, "{\"slug\": \"t1\", "
	    "\"kind\": \"standard\"}", "field 'budget' is required: an "
	    "integer from 1 to 2147483647");
	field_expect(&api_admin_track_create_body, "{\"slug\": \"T 1\"}",
	    "field 'slug': must be a string of 1 to 63 bytes of a-z, 0-9, '-' "
	    "and '_'");
	field_expect(&api_admin_track_update_body, "{\"slug\": \"t2\"}",
	    "field 'slug' is not known here (known: budget, per_day, total, "
	    "max_active, opens_at, closes_at, freeze_at, metric, direction, "
	    "leaderboard, anonymous, webhook_url, webhook_secret, title, "
	    "overview, rules, teams_lock_at)");
	/* track page */
	field_expect(&api_admin_track_update_body, "{\"title\": \"t\", "
	    "\"overview\": \"\", \"rules\": null, \"teams_lock_at\": null}",
	    NULL);
	field_expect(&api_admin_track_update_body, "{\"teams_lock_at\": "
	    "\"soon\"}", "field 'teams_lock_at': must be a UTC time "
	    "YYYY-MM-DDTHH:MM:SSZ or a date YYYY-MM-DD or null");
	field_expect(&api_admin_track_update_body, "{\"title\": 1}",
	    "field 'title': must be a string of at most 200 bytes or null");
	field_expect(&api_admin_track_update_body, "{\"webhook_url\": "
	    "\"ftp://x\"}", "field 'webhook_url': must be a string of 1 to "
	    "1000 bytes starting with http:// or https://, \"\" or null");
	field_expect(&api_admin_track_update_body, "{\"webhook_url\": \"\", "
	    "\"webhook_secret\": null, \"closes_at\": null}", NULL);
	field_expect(&api_admin_priority_body, "{\"priority\": 1001}",
	    "field 'priority': must be an integer from -1000 to 1000");
	field_expect(&api_admin_why_body, "{\"reason\": \"\"}", "field "
	    "'reason': must be a string of 1 to 2000 bytes");
	field_expect(&api_worker_heartbeat_body, "{\"attempt\": 1, "
	    "\"stage\": \"dance\"}", "field 'stage': must be materialize, "
	    "preflight, train, evaluate or score");
	field_expect(&api_worker_result_body, "{\"attempt\": 1, \"status\": "
	    "\"succeeded\", \"scores\": {}, \"backend\": \"proxy\"}", NULL);
	field_expect(&api_register_body, "{\"email\": \"x.org\"}", "field "
	    "'email': must be a string of 1 to 200 bytes holding an '@'");
}
