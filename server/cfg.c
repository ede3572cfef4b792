/* cfg: dataoptimd's configuration table (see cfg.h; the machinery is
 * common/conf.c). */
#include "cfg.h"

#include <stdlib.h>

#include "conf.h"
#include "util.h"

#define K_INT(s, n, f, lo, hi, d) CONF_KEY_INT(struct cfg, s, n, f, lo, hi, d)
#define K_BOOL(s, n, f, d) CONF_KEY_BOOL(struct cfg, s, n, f, d)
#define K_STR(s, n, f, d) CONF_KEY_STR(struct cfg, s, n, f, d)
#define K_PATH(s, n, f, d) CONF_KEY_PATH(struct cfg, s, n, f, d)

static const struct conf_key cfg_keys[] = {
	K_STR("server", "listen", listen, "127.0.0.1:8080"),
	K_INT("server", "threads", threads, 1, 256, "2"),
	K_INT("server", "work_threads", work_threads, 1, 256, "4"),
	K_INT("server", "max_connections", max_connections, 4, 100000, "1024"),
	K_INT("server", "per_ip_connections", per_ip_connections, 0, 100000,
	    "64"),
	K_INT("server", "connection_timeout", connection_timeout, 1, 3600,
	    "30"),
	K_INT("server", "header_timeout", header_timeout, 0, 3600, "10"),
	K_INT("server", "min_body_rate", min_body_rate, 0, 1 << 30, "1024"),
	K_INT("server", "body_rate_window", body_rate_window, 1, 3600, "30"),
	K_STR("server", "trusted_proxies", trusted_proxies, ""),
	K_INT("server", "max_header_bytes", max_header_bytes, 4096,
	    16 * 1024 * 1024, "32768"),
	K_PATH("server", "static_dir", static_dir, "./static"),
	K_BOOL("server", "cookie_secure", cookie_secure, "false"),
	K_INT("server", "session_hours", session_hours, 1, 24 * 365, "168"),
	K_BOOL("server", "allow_register", allow_register, "false"),
	K_INT("server", "shutdown_grace", shutdown_grace, 0, 3600, "10"),
	K_BOOL("server", "access_log", access_log, "true"),
	K_BOOL("server", "log_idle_polls", log_idle_polls, "false"),
	K_INT("server", "auth_cache_ms", auth_cache_ms, 0, 60000, "2000"),
	K_INT("server", "job_cache_ms", job_cache_ms, 0, 60000, "1000"),
	K_INT("server", "login_failures", login_failures, 1, 1000000, "10"),
	K_INT("server", "login_ip_failures", login_ip_failures, 1, 1000000,
	    "100"),
	K_INT("server", "login_window", login_window, 1, 7 * 86400, "900"),
	K_INT("server", "register_ip_limit", register_ip_limit, 1, 1000000,
	    "30"),
	K_PATH("storage", "db", db, "state/dataoptim.db"),
	K_PATH("storage", "state_dir", state_dir, "state"),
	K_PATH("storage", "pool", pool, "state/pool.idx"),
	K_INT("storage", "min_free_mb", min_free_mb, 0, 1024 * 1024, "1024"),
	K_INT("submissions", "max_upload_mb", max_upload_mb, 1, 1024 * 1024,
	    "2048"),
	K_BOOL("submissions", "reuse_scores", reuse_scores, "true"),
	K_INT("submissions", "max_active_jobs", max_active_jobs, 1, 1000000,
	    "3"),
	K_STR("submissions", "image_roots", image_roots, ""),
	K_INT("jobs", "lease_seconds", lease_seconds, 1, 86400, "120"),
	K_INT("jobs", "max_attempts", max_attempts, 1, 100, "3"),
	K_INT("jobs", "log_tail_bytes", log_tail_bytes, 256, 1024 * 1024,
	    "16384"),
	K_INT("leaderboard", "cache_seconds", lb_cache_seconds, 0, 86400, "10"),
	K_INT("webhooks", "retry_base_seconds", hook_retry_base, 1, 86400, "30"),
	K_INT("webhooks", "retry_max_seconds", hook_retry_max, 1, 7 * 86400,
	    "3600"),
	K_INT("webhooks", "max_attempts", hook_max_attempts, 1, 1000, "10"),
	K_INT("webhooks", "timeout_seconds", hook_timeout, 1, 300, "10"),
	K_BOOL("webhooks", "allow_private", hook_allow_private, "false"),
};

const struct conf_table cfg_table = CONF_TABLE(cfg_keys);

struct cfg *
cfg_new(void)
{
	struct cfg *c = util_xcalloc(1, sizeof(*c));

	conf_defaults(&cfg_table, c);
	return c;
}

void
cfg_free(struct cfg *c)
{
	conf_free(&cfg_table, c);
	free(c);
}

int
cfg_load(struct cfg *c, const char *path, char *err, size_t errlen)
{
	return conf_load(&cfg_table, c, path, err, errlen);
}

int
cfg_set(struct cfg *c, const char *section, const char *name,
    const char *value, char *err, size_t errlen)
{
	return conf_set(&cfg_table, c, section, name, value, err, errlen);
}

void
cfg_dump(const struct cfg *c, FILE *fp)
{
	conf_print(&cfg_table, c, fp);
}
