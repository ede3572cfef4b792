/*
 * srv: the state dataoptimd shares between its threads: the config, the
 * pool index (mapped once at start), a pool of database connections, the
 * leaderboard cache, the metrics and the state directory's paths.  Also
 * the maintenance thread (lease expiry, session expiry).
 */
#ifndef DO_SRV_H
#define DO_SRV_H

#include <stddef.h>
#include <stdint.h>

struct cfg;
struct db;
struct dbpool;
struct pool;
struct lb;
struct hook;
struct throttle;

/* Participants' own team changes per day (the throttles team_make and
 * invite_make): teams one user makes, invite codes one team makes. */
#define SRV_TEAMS_PER_DAY 5
#define SRV_INVITES_PER_DAY 200

struct srv {
	struct cfg *cfg;	/* owned */
	struct pool *pool;	/* owned; NULL if none was configured */
	struct lb *lb;		/* owned */
	char *sub_dir;		/* <state>/submissions */
	char *tmp_dir;		/* <state>/tmp (upload temp files) */
	char *static_dir;	/* the static files' root (absolute) */
	char **image_roots;	/* NULL-terminated, from the config */
	int schema_version;
	int64_t started;	/* UNIX seconds */
	struct dbpool *dbs;	/* owned: the database connections */
	struct srv_maint *maint;	/* owned */
	struct hook *hook;	/* owned: the webhook delivery thread */
	struct throttle *login_email;	/* owned: failed logins per email */
	struct throttle *login_ip;	/* owned: failed logins per address */
	struct throttle *register_ip;	/* owned: sign-ups per address */
	struct throttle *team_make;	/* owned: teams a user made today */
	struct throttle *invite_make;	/* owned: invites a team made today */
	struct pcache *pcache;	/* owned: callers of recent API tokens */
	struct jcache *jobs;	/* owned: recent job answers */
};

/*
 * Open everything cfg names (taken): the state directory (made if
 * absent; temp files of interrupted uploads removed, stored files no
 * submission names moved to quarantine/), the database (migrated; it and
 * the state directory must carry the same identity), the pool index.
 * NULL with a message in err.
 */
struct srv *srv_open(struct cfg *cfg, char *err, size_t errlen);

/*
 * The state directory's free space: 1 when it is under the floor
 * storage.min_free_mb (or cannot be read), else 0; *free_mb gets the free
 * megabytes (-1 if unknown) unless free_mb is NULL.
 */
int srv_storage_low(const struct srv *srv, int64_t *free_mb);

/* Stop the maintenance thread, close the connections and the pool, free
 * srv.  NULL is ignored. */
void srv_close(struct srv *srv);

/* Start the maintenance thread (lease and session expiry, every second)
 * and the webhook delivery thread. */
int srv_maint_start(struct srv *srv);

/* A database connection for this thread's exclusive use until
 * srv_db_put(); NULL on failure (told).  dbpool_get() / dbpool_put() on
 * srv->dbs. */
struct db *srv_db_get(struct srv *srv);
void srv_db_put(struct srv *srv, struct db *db);

/* UNIX time now. */
int64_t srv_now(void);

#endif
