#include "srv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "dbpool.h"
#include "hook.h"
#include "lb.h"
#include "jcache.h"
#include "pcache.h"
#include "pool.h"
#include "throttle.h"
#include "util.h"

/* The keys each login throttle holds (emails; client addresses). */
#define SRV_LOGIN_KEYS 4096

struct srv_maint {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	int running;
};

int64_t
srv_now(void)
{
	return (int64_t)time(NULL);
}

struct db *
srv_db_get(struct srv *srv)
{
	return dbpool_get(srv->dbs);
}

void
srv_db_put(struct srv *srv, struct db *db)
{
	dbpool_put(srv->dbs, db);
}

static int
srv_mkdir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0750) != 0 && errno != EEXIST) {
		util_fmt(err, errlen, "mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Stored submission files in the state directory (not dot files). */
static int64_t
srv_stored_files(const struct srv *srv)
{
	struct dirent *de;
	int64_t n = 0;
	DIR *d;

	if ((d = opendir(srv->sub_dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * Remove every upload temp file (a crash leaves them), and move every
 * stored file that no submission row names (a crash between rename and
 * commit) into STATE/quarantine/, with a log line: a stored submission is
 * never deleted here, whatever the database says.
 */
static int
srv_sweep(struct srv *srv, struct db *db, char *err, size_t errlen)
{
	struct dirent *de;
	char path[PATH_MAX], qdir[PATH_MAX], dest[PATH_MAX];
	DIR *d;
	int n = 0, q = 0;

	if ((d = opendir(srv->tmp_dir)) == NULL) {
		util_fmt(err, errlen, "%s: %s", srv->tmp_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "upload-", 7) != 0)
			continue;
		util_fmt(path, sizeof(path), "%s/%s", srv->tmp_dir, de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	if (n > 0)
		fprintf(stderr, "dataoptimd: removed %d temp file%s of "
		    "interrupted uploads\n", n, n == 1 ? "" : "s");
	if ((d = opendir(srv->sub_dir)) == NULL) {
		util_fmt(err, errlen, "%s: %s", srv->sub_dir, strerror(errno));
		return -1;
	}
	util_fmt(qdir, sizeof(qdir), "%s/quarantine", srv->cfg->state_dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (db_submission_file_known(db, de->d_name) != 0)
			continue;	/* known, or unsure: keep */
		if (q == 0 && srv_mkdir(qdir, err, errlen) != 0) {
			closedir(d);
			return -1;
		}
		util_fmt(path, sizeof(path), "%s/%s", srv->sub_dir, de->d_name);
		util_fmt(dest, sizeof(dest), "%s/%s", qdir, de->d_name);
		if (rename(path, dest) != 0) {
			fprintf(stderr, "dataoptimd: cannot quarantine %s: %s\n",
			    path, strerror(errno));
			continue;
		}
		if (++q <= 20)
			fprintf(stderr, "dataoptimd: %s: no submission names it; "
			    "moved to %s\n", path, dest);
	}
	closedir(d);
	if (q > 20)
		fprintf(stderr, "dataoptimd: ... %d files in all moved to %s\n",
		    q, qdir);
	return 0;
}

/* The identity in STATE/IDENTITY ("" if the file is not there). */
static int
srv_identity_read(const char *path, char *out, size_t outsz, char *err,
    size_t errlen)
{
	char e[256], *t;
	size_t n;

	out[0] = '\0';
	if (access(path, F_OK) != 0)
		return 0;
	if ((t = util_read_small(path, 256, &n, e, sizeof(e))) == NULL) {
		util_fmt(err, errlen, "%s: %s", path, e);
		return -1;
	}
	if (sscanf(t, "dataoptim-state %63s", out) != 1) {
		util_fmt(err, errlen, "%s: not a dataoptim state identity",
		    path);
		free(t);
		return -1;
	}
	free(t);
	return 0;
}

/*
 * A state directory and its database know each other: the same random
 * identity is in STATE/IDENTITY and in the database's state_identity
 * table, written the first time the server starts on them.  A mismatch
 * (a mistyped --db or --state-dir) refuses to start, naming both paths,
 * before anything in the state directory is touched.  Before the
 * migrations: *sid is the file's identity ("" if none).
 */
static int
srv_identity_pre(struct srv *srv, const char *path, char *sid, size_t sidsz,
    char *err, size_t errlen)
{
	const struct cfg *c = srv->cfg;
	struct stat st;

	if (srv_identity_read(path, sid, sidsz, err, errlen) != 0)
		return -1;
	if (sid[0] != '\0' && (stat(c->db, &st) != 0 || st.st_size == 0)) {
		util_fmt(err, errlen, "the database %s is missing or empty, "
		    "but the state directory %s belongs to a database "
		    "(identity %s in %s): is --db (storage.db) right? Not "
		    "starting", c->db, c->state_dir, sid, path);
		return -1;
	}
	return 0;
}

/* After the migrations: the database's side, and the first writing of
 * both (path: STATE/IDENTITY, sid: what it holds, "" if none). */
static int
srv_identity(struct srv *srv, struct db *db, const char *path,
    const char *sid, char *err, size_t errlen)
{
	const struct cfg *c = srv->cfg;
	char did[64], e[256];
	struct util_afile *af;
	int64_t nsub = 0, nfiles;

	if (db_identity_get(db, did, sizeof(did)) != DB_OK)
		return util_fmt(err, errlen, "database %s: cannot read its "
		    "identity", c->db), -1;
	if (sid[0] != '\0' && strcmp(sid, did) == 0)
		return 0;
	nfiles = srv_stored_files(srv);
	if (sid[0] != '\0' || (did[0] != '\0' && nfiles > 0))
		return util_fmt(err, errlen, "the database %s (identity %s) "
		    "and the state directory %s (identity %s, in %s) do not "
		    "belong together: is --db (storage.db) or --state-dir "
		    "(storage.state_dir) mistyped? Not starting", c->db,
		    did[0] ? did : "none", c->state_dir, sid[0] ? sid : "none",
		    path), -1;
	if (did[0] == '\0') {
		/* neither has one yet (a new install, or one from before
		 * identities): an empty database beside stored files is
		 * the mistake this guards against */
		if (db_submission_count(db, &nsub) != DB_OK)
			return util_fmt(err, errlen, "database %s: cannot "
			    "count submissions", c->db), -1;
		if (nsub == 0 && nfiles > 0)
			return util_fmt(err, errlen, "the database %s holds no "
			    "submission, but the state directory %s holds "
			    "%lld stored submission files: is --db "
			    "(storage.db) right? Not starting", c->db,
			    c->state_dir, (long long)nfiles), -1;
		if (auth_random(did, 33) != 0 ||
		    db_identity_set(db, did, srv_now()) != DB_OK)
			return util_fmt(err, errlen, "database %s: cannot set "
			    "its identity", c->db), -1;
	}
	/* a new state directory for this database, or both new */
	if ((af = util_afile_open(path, e, sizeof(e))) == NULL ||
	    fprintf(util_afile_fp(af), "dataoptim-state %s\n", did) < 0 ||
	    util_afile_commit(af, e, sizeof(e)) != 0)
		return util_fmt(err, errlen, "%s: %s", path, e), -1;
	return 0;
}

int
srv_storage_low(const struct srv *srv, int64_t *free_mb)
{
	struct statvfs sv;
	int64_t mb = -1;

	if (statvfs(srv->cfg->state_dir, &sv) == 0)
		mb = (int64_t)((uint64_t)sv.f_bavail * sv.f_frsize >> 20);
	if (free_mb != NULL)
		*free_mb = mb;
	return mb < 0 || mb < srv->cfg->min_free_mb;
}

static char **
srv_split_roots(const char *s)
{
	char **v = util_xcalloc(1, sizeof(*v));
	const char *p = s, *a;
	size_t n = 0, len;

	while ((a = util_list_next(&p, &len)) != NULL) {
		if (len == 0)
			continue;
		v = util_xreallocarray(v, n + 2, sizeof(*v));
		v[n] = util_xmalloc(len + 1);
		memcpy(v[n], a, len);
		v[n][len] = '\0';
		v[++n] = NULL;
	}
	return v;
}

struct srv *
srv_open(struct cfg *cfg, char *err, size_t errlen)
{
	struct srv *srv = util_xcalloc(1, sizeof(*srv));
	char path[PATH_MAX], idpath[PATH_MAX], perr[512], sid[64];
	struct db *db = NULL;
	int n;

	srv->cfg = cfg;
	srv->started = srv_now();
	srv->dbs = dbpool_new(cfg->db);
	srv->image_roots = srv_split_roots(cfg->image_roots);
	if (srv_mkdir(cfg->state_dir, err, errlen) != 0)
		goto fail;
	util_fmt(path, sizeof(path), "%s/submissions", cfg->state_dir);
	srv->sub_dir = util_xstrdup(path);
	util_fmt(path, sizeof(path), "%s/tmp", cfg->state_dir);
	srv->tmp_dir = util_xstrdup(path);
	if (srv_mkdir(srv->sub_dir, err, errlen) != 0 ||
	    srv_mkdir(srv->tmp_dir, err, errlen) != 0)
		goto fail;
	if (realpath(cfg->static_dir, path) != NULL)
		srv->static_dir = util_xstrdup(path);
	else {
		fprintf(stderr, "dataoptimd: warning: static dir %s: %s "
		    "(pages will answer 404)\n", cfg->static_dir,
		    strerror(errno));
		srv->static_dir = util_xstrdup(cfg->static_dir);
	}
	util_fmt(idpath, sizeof(idpath), "%s/IDENTITY", cfg->state_dir);
	if (srv_identity_pre(srv, idpath, sid, sizeof(sid), err, errlen) != 0)
		goto fail;
	db = db_open(cfg->db, perr, sizeof(perr));
	if (db == NULL) {
		util_fmt(err, errlen, "database: %s", perr);
		goto fail;
	}
	if (db_migrate(db, &srv->schema_version, perr, sizeof(perr)) != DB_OK) {
		util_fmt(err, errlen, "database %s: %s", cfg->db, perr);
		goto fail;
	}
	if (srv_identity(srv, db, idpath, sid, err, errlen) != 0 ||
	    srv_sweep(srv, db, err, errlen) != 0)
		goto fail;
	if (db_jobs_grace(db, srv_now(), cfg->lease_seconds, &n) == DB_OK &&
	    n > 0)
		fprintf(stderr, "dataoptimd: %d running job%s: lease extended "
		    "by %lld s so %s worker%s can report back\n", n, n == 1 ? "" :
		    "s", (long long)cfg->lease_seconds, n == 1 ? "its" : "their",
		    n == 1 ? "" : "s");
	srv_db_put(srv, db);
	db = NULL;
	if (cfg->pool[0] != '\0') {
		srv->pool = pool_open(cfg->pool, 0, perr, sizeof(perr));
		if (srv->pool == NULL) {
			util_fmt(err, errlen, "pool %s: %s", cfg->pool, perr);
			goto fail;
		}
	}
	srv->lb = lb_new(cfg->lb_cache_seconds);
	srv->pcache = pcache_new(cfg->auth_cache_ms);
	srv->jobs = jcache_new(cfg->job_cache_ms);
	srv->login_email = throttle_new(SRV_LOGIN_KEYS, cfg->login_failures,
	    cfg->login_window);
	srv->login_ip = throttle_new(SRV_LOGIN_KEYS, cfg->login_ip_failures,
	    cfg->login_window);
	srv->register_ip = throttle_new(SRV_LOGIN_KEYS, cfg->register_ip_limit,
	    3600);
	srv->team_make = throttle_new(SRV_LOGIN_KEYS, SRV_TEAMS_PER_DAY, 86400);
	srv->invite_make = throttle_new(SRV_LOGIN_KEYS, SRV_INVITES_PER_DAY,
	    86400);
	return srv;
fail:
	db_close(db);
	srv_close(srv);
	return NULL;
}

static void *
srv_maint_main(void *arg)
{
	struct srv *srv = arg;
	struct srv_maint *m = srv->maint;
	int64_t last_sessions = 0;

	pthread_mutex_lock(&m->mu);
	while (!m->stop) {
		struct timespec ts;
		struct db *db;
		int changed = 0;

		pthread_mutex_unlock(&m->mu);
		if ((db = srv_db_get(srv)) != NULL) {
			int64_t now = srv_now();

			if (db_jobs_expire(db, now, srv->cfg->max_attempts,
			    &changed) == DB_OK && changed > 0)
				fprintf(stderr, "dataoptimd: %d job lease%s "
				    "expired\n", changed, changed == 1 ? "" : "s");
			if (now - last_sessions >= 60) {
				db_sessions_expire(db, now);
				last_sessions = now;
			}
			srv_db_put(srv, db);
		}
		pthread_mutex_lock(&m->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (!m->stop)
			pthread_cond_timedwait(&m->cv, &m->mu, &ts);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

int
srv_maint_start(struct srv *srv)
{
	struct srv_maint *m = util_xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	srv->maint = m;
	if (pthread_create(&m->th, NULL, srv_maint_main, srv) != 0) {
		fprintf(stderr, "dataoptimd: cannot start maintenance thread\n");
		return -1;
	}
	m->running = 1;
	srv->hook = hook_start(srv->cfg, srv->dbs);
	return srv->hook != NULL ? 0 : -1;
}

void
srv_close(struct srv *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	hook_stop(srv->hook);
	srv->hook = NULL;
	if (srv->maint != NULL) {
		struct srv_maint *m = srv->maint;

		if (m->running) {
			pthread_mutex_lock(&m->mu);
			m->stop = 1;
			pthread_cond_signal(&m->cv);
			pthread_mutex_unlock(&m->mu);
			pthread_join(m->th, NULL);
		}
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		free(m);
	}
	dbpool_free(srv->dbs);
	for (i = 0; srv->image_roots && srv->image_roots[i]; i++)
		free(srv->image_roots[i]);
	free(srv->image_roots);
	lb_free(srv->lb);
	throttle_free(srv->login_email);
	throttle_free(srv->login_ip);
	throttle_free(srv->register_ip);
	throttle_free(srv->team_make);
	throttle_free(srv->invite_make);
	pcache_free(srv->pcache);
	jcache_free(srv->jobs);
	pool_close(srv->pool);
	free(srv->sub_dir);
	free(srv->tmp_dir);
	free(srv->static_dir);
	cfg_free(srv->cfg);
	free(srv);
}
