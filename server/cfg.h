/*
 * cfg: the configuration of dataoptimd and of the CLI's database commands.
 *
 * One table (cfg.c, read by common/conf.c) lists every key: its INI
 * section and name, its type, its bounds and its default.  cfg_new()
 * fills the defaults, cfg_load() reads an INI file (libinih) and
 * cfg_set() applies one value; each value is checked against the table,
 * and an unknown key is an error, so a mistyped option is told at start
 * and never silently ignored.  Sections the table does not know
 * ([worker], ...) belong to other programs sharing the file and are
 * skipped.
 */
#ifndef DO_CFG_H
#define DO_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct cfg {
	/* [server] */
	char *listen;		/* "ADDR:PORT" */
	int64_t threads;	/* MHD threads (one per core) */
	int64_t work_threads;	/* threads for blocking handlers */
	int64_t max_connections;
	int64_t per_ip_connections;
	int64_t connection_timeout;	/* seconds of inactivity */
	int64_t header_timeout;	/* seconds for a request head (0: none) */
	int64_t min_body_rate;	/* bytes/s a body must keep up (0: none) */
	int64_t body_rate_window;	/* seconds the rate is averaged over */
	char *trusted_proxies;	/* addresses whose X-Forwarded-For counts */
	int64_t max_header_bytes;	/* per-connection memory for headers */
	char *static_dir;
	int64_t cookie_secure;	/* bool: add "; Secure" to the cookie */
	int64_t session_hours;
	int64_t allow_register;	/* bool: self-registration */
	int64_t shutdown_grace;	/* seconds to let requests finish */
	int64_t access_log;	/* bool */
	int64_t log_idle_polls;	/* bool: access-log workers' empty claims */
	int64_t auth_cache_ms;	/* how long a token's caller is cached */
	int64_t job_cache_ms;	/* how long a job answer is cached */
	int64_t login_failures;	/* failed logins per email per window */
	int64_t login_ip_failures;	/* the same per client address */
	int64_t login_window;	/* seconds */
	int64_t register_ip_limit;	/* sign-up attempts per address per hour */
	/* [storage] */
	char *db;
	char *state_dir;
	char *pool;
	int64_t min_free_mb;	/* /healthz degraded under this much free */
	/* [submissions] */
	int64_t max_upload_mb;
	int64_t reuse_scores;	/* bool */
	int64_t max_active_jobs;	/* a team's queued + running jobs */
	char *image_roots;	/* comma-separated BYOD image path prefixes */
	/* [jobs] */
	int64_t lease_seconds;
	int64_t max_attempts;
	int64_t log_tail_bytes;
	/* [leaderboard] */
	int64_t lb_cache_seconds;
	/* [webhooks] */
	int64_t hook_retry_base;	/* seconds before the first retry */
	int64_t hook_retry_max;		/* longest wait between tries */
	int64_t hook_max_attempts;	/* then the delivery is failed */
	int64_t hook_timeout;		/* seconds per try */
	int64_t hook_allow_private;	/* bool: loopback/private targets */
};

/* The table of every key above, for conf_args() (common/conf.h). */
struct conf_table;
extern const struct conf_table cfg_table;

/* A configuration holding every default, owned by the caller (free it
 * with cfg_free()).  Never NULL (aborts on OOM). */
struct cfg *cfg_new(void);

/* Free c and its strings.  NULL is ignored. */
void cfg_free(struct cfg *c);

/*
 * Read the INI file at path into c.  Returns 0, or -1 with a message
 * naming the file, line and key in err.
 */
int cfg_load(struct cfg *c, const char *path, char *err, size_t errlen);

/*
 * Set key "section.name" (or a bare name, if unique) to value (copied),
 * checked against the table.  Returns 0 or -1 with a message in err.
 */
int cfg_set(struct cfg *c, const char *section, const char *name,
    const char *value, char *err, size_t errlen);

/* Print every key with its current value, INI style. */
void cfg_dump(const struct cfg *c, FILE *fp);

#endif
