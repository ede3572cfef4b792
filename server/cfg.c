#include "cfg.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum cfg_type { CFG_INT, CFG_BOOL, CFG_STR };

struct cfg_key {
	const char *section;
	const char *name;
	enum cfg_type type;
	size_t off;		/* offset of the field in struct cfg */
	int64_t min, max;	/* bounds (CFG_INT) */
	const char *def;	/* default, as it would be written */
};

#define K_INT(s, n, f, lo, hi, d) \
	{ s, n, CFG_INT, offsetof(struct cfg, f), lo, hi, d }
#define K_BOOL(s, n, f, d) \
	{ s, n, CFG_BOOL, offsetof(struct cfg, f), 0, 1, d }
#define K_STR(s, n, f, d) \
	{ s, n, CFG_STR, offsetof(struct cfg, f), 0, 0, d }

static const struct cfg_key cfg_keys[] = {
	K_STR("server", "listen", listen, "127.0.0.1:8080"),
	K_INT("server", "threads", threads, 1, 256, "2"),
	K_INT("server", "work_threads", work_threads, 1, 256, "4"),
	K_INT("server", "max_connections", max_connections, 4, 100000, "1024"),
	K_INT("server", "per_ip_connections", per_ip_connections, 0, 100000,
	    "64"),
	K_INT("server", "connection_timeout", connection_timeout, 1, 3600,
	    "30"),
	K_INT("server", "max_header_bytes", max_header_bytes, 4096,
	    16 * 1024 * 1024, "32768"),
	K_STR("server", "static_dir", static_dir, "./static"),
	K_BOOL("server", "cookie_secure", cookie_secure, "false"),
	K_INT("server", "session_hours", session_hours, 1, 24 * 365, "168"),
	K_BOOL("server", "allow_register", allow_register, "false"),
	K_INT("server", "shutdown_grace", shutdown_grace, 0, 3600, "10"),
	K_BOOL("server", "access_log", access_log, "true"),
	K_STR("storage", "db", db, "state/dataoptim.db"),
	K_STR("storage", "state_dir", state_dir, "state"),
	K_STR("storage", "pool", pool, "state/pool.idx"),
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
};
#define CFG_NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static int
cfg_apply(struct cfg *c, const struct cfg_key *k, const char *value,
    char *err, size_t errlen)
{
	char *p = (char *)c + k->off;

	switch (k->type) {
	case CFG_STR: {
		char **sp = (char **)(void *)p;

		free(*sp);
		*sp = util_xstrdup(value);
		return 0;
	}
	case CFG_BOOL: {
		int64_t *ip = (int64_t *)(void *)p;

		if (!strcmp(value, "true") || !strcmp(value, "yes") ||
		    !strcmp(value, "on") || !strcmp(value, "1"))
			*ip = 1;
		else if (!strcmp(value, "false") || !strcmp(value, "no") ||
		    !strcmp(value, "off") || !strcmp(value, "0"))
			*ip = 0;
		else {
			util_fmt(err, errlen, "%s.%s: '%s' is not a boolean "
			    "(true/false)", k->section, k->name, value);
			return -1;
		}
		return 0;
	}
	case CFG_INT: {
		int64_t *ip = (int64_t *)(void *)p;
		char *end;
		long long v;

		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0') {
			util_fmt(err, errlen, "%s.%s: '%s' is not an integer",
			    k->section, k->name, value);
			return -1;
		}
		if (v < k->min || v > k->max) {
			util_fmt(err, errlen, "%s.%s: %lld is out of range "
			    "[%lld, %lld]", k->section, k->name, v,
			    (long long)k->min, (long long)k->max);
			return -1;
		}
		*ip = v;
		return 0;
	}
	}
	return -1;
}

struct cfg *
cfg_new(void)
{
	struct cfg *c = util_xcalloc(1, sizeof(*c));
	char err[256];
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (cfg_apply(c, &cfg_keys[i], cfg_keys[i].def, err,
		    sizeof(err)) != 0)
			abort();	/* a bad default is a programming error */
	return c;
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CFG_NKEYS; i++)
		if (cfg_keys[i].type == CFG_STR)
			free(*(char **)(void *)((char *)c + cfg_keys[i].off));
	free(c);
}

int
cfg_set(struct cfg *c, const char *section, const char *name,
    const char *value, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (strcmp(k->name, name) != 0)
			continue;
		if (section != NULL && strcmp(k->section, section) != 0)
			continue;
		return cfg_apply(c, k, value, err, errlen);
	}
	util_fmt(err, errlen, "unknown configuration key %s%s%s",
	    section ? section : "", section ? "." : "", name);
	return -1;
}

struct cfg_load_ctx {
	struct cfg *c;
	char *err;
	size_t errlen;
	int failed;
};

/* 1 if some key of the table is in section. */
static int
cfg_section_known(const char *section)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (strcmp(cfg_keys[i].section, section) == 0)
			return 1;
	return 0;
}

static int
cfg_ini_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_load_ctx *ctx = user;

	if (ctx->failed)
		return 0;
	/* other programs' sections ([worker], ...) share the file */
	if (!cfg_section_known(section))
		return 1;
	if (cfg_set(ctx->c, section, name, value, ctx->err, ctx->errlen)
	    != 0) {
		ctx->failed = 1;
		return 0;
	}
	return 1;
}

int
cfg_load(struct cfg *c, const char *path, char *err, size_t errlen)
{
	struct cfg_load_ctx ctx = { c, err, errlen, 0 };
	char msg[256] = "";
	int rc;

	ctx.err = msg;
	ctx.errlen = sizeof(msg);
	rc = ini_parse(path, cfg_ini_handler, &ctx);
	if (rc == -1) {
		util_fmt(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	if (rc != 0) {
		if (msg[0] != '\0')
			util_fmt(err, errlen, "%s:%d: %s", path, rc, msg);
		else
			util_fmt(err, errlen, "%s:%d: syntax error", path, rc);
		return -1;
	}
	return 0;
}

void
cfg_dump(const struct cfg *c, FILE *fp)
{
	const char *sect = "";
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *p = (const char *)c + k->off;

		if (strcmp(sect, k->section) != 0) {
			fprintf(fp, "%s[%s]\n", i ? "\n" : "", k->section);
			sect = k->section;
		}
		if (k->type == CFG_STR)
			fprintf(fp, "%s = %s\n", k->name,
			    *(char *const *)(const void *)p);
		else if (k->type == CFG_BOOL)
			fprintf(fp, "%s = %s\n", k->name,
			    *(const int64_t *)(const void *)p ? "true" : "false");
		else
			fprintf(fp, "%s = %lld\n", k->name,
			    (long long)*(const int64_t *)(const void *)p);
	}
}
