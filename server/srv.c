#include "srv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "db.h"
#include "hook.h"
#include "lb.h"
#include "pool.h"
#include "throttle.h"
#include "util.h"

/* The keys each login throttle holds (emails; client addresses). */
#define SRV_LOGIN_KEYS 4096

/* A free list of connections; grows on demand up to the threads using it. */
struct srv_dbpool {
	pthread_mutex_t mu;
	char *path;
	struct db **free;
	size_t nfree, cap;
};

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
	struct srv_dbpool *p = srv->dbs;
	struct db *db = NULL;
	char err[512];

	pthread_mutex_lock(&p->mu);
	if (p->nfree > 0)
		db = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	if (db != NULL)
		return db;
	db = db_open(p->path, err, sizeof(err));
	if (db == NULL)
		fprintf(stderr, "dataoptimd: %s\n", err);
	return db;
}

void
srv_db_put(struct srv *srv, struct db *db)
{
	struct srv_dbpool *p = srv->dbs;

	if (db == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->nfree == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->free = util_xrealloc(p->free, p->cap * sizeof(*p->free));
	}
	p->free[p->nfree++] = db;
	pthread_mutex_unlock(&p->mu);
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

/* Remove every upload temp file (a crash leaves them) and every stored
 * file no submission row names (a crash between rename and commit). */
static int
srv_sweep(struct srv *srv, struct db *db, char *err, size_t errlen)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;
	int n = 0;

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
	if ((d = opendir(srv->sub_dir)) == NULL) {
		util_fmt(err, errlen, "%s: %s", srv->sub_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (db_submission_file_known(db, de->d_name) != 0)
			continue;	/* known, or unsure: keep */
		util_fmt(path, sizeof(path), "%s/%s", srv->sub_dir, de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	if (n > 0)
		fprintf(stderr, "dataoptimd: removed %d orphan upload file%s\n",
		    n, n == 1 ? "" : "s");
	return 0;
}

static char **
srv_split_roots(const char *s)
{
	char **v = util_xcalloc(1, sizeof(*v));
	size_t n = 0;
	const char *p = s;

	while (*p) {
		size_t len = strcspn(p, ",");
		const char *a = p, *b = p + len;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			v = util_xrealloc(v, (n + 2) * sizeof(*v));
			v[n] = util_xmalloc((size_t)(b - a) + 1);
			memcpy(v[n], a, (size_t)(b - a));
			v[n][b - a] = '\0';
			v[++n] = NULL;
		}
		p += len + (p[len] == ',');
	}
	return v;
}

struct srv *
srv_open(struct cfg *cfg, char *err, size_t errlen)
{
	struct srv *srv = util_xcalloc(1, sizeof(*srv));
	char path[PATH_MAX], perr[512];
	struct db *db = NULL;
	int n;

	srv->cfg = cfg;
	srv->started = srv_now();
	srv->dbs = util_xcalloc(1, sizeof(*srv->dbs));
	pthread_mutex_init(&srv->dbs->mu, NULL);
	srv->dbs->path = util_xstrdup(cfg->db);
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
	db = db_open(cfg->db, perr, sizeof(perr));
	if (db == NULL) {
		util_fmt(err, errlen, "database: %s", perr);
		goto fail;
	}
	if (db_migrate(db, &srv->schema_version, perr, sizeof(perr)) != DB_OK) {
		util_fmt(err, errlen, "database %s: %s", cfg->db, perr);
		goto fail;
	}
	if (srv_sweep(srv, db, err, errlen) != 0)
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
	srv->login_email = throttle_new(SRV_LOGIN_KEYS, cfg->login_failures,
	    cfg->login_window);
	srv->login_ip = throttle_new(SRV_LOGIN_KEYS, cfg->login_ip_failures,
	    cfg->login_window);
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
	srv->hook = hook_start(srv);
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
	if (srv->dbs != NULL) {
		for (i = 0; i < srv->dbs->nfree; i++)
			db_close(srv->dbs->free[i]);
		free(srv->dbs->free);
		free(srv->dbs->path);
		pthread_mutex_destroy(&srv->dbs->mu);
		free(srv->dbs);
	}
	for (i = 0; srv->image_roots && srv->image_roots[i]; i++)
		free(srv->image_roots[i]);
	free(srv->image_roots);
	lb_free(srv->lb);
	throttle_free(srv->login_email);
	throttle_free(srv->login_ip);
	pool_close(srv->pool);
	free(srv->sub_dir);
	free(srv->tmp_dir);
	free(srv->static_dir);
	cfg_free(srv->cfg);
	free(srv);
}
