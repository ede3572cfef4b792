/* wkcfg: the worker's configuration table (see wkcfg.h). */
#include "wkcfg.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum wkcfg_type { WKCFG_INT, WKCFG_STR };

struct wkcfg_key {
	const char *section;
	const char *name;
	enum wkcfg_type type;
	size_t off;		/* offset of the field in struct wkcfg */
	int64_t min, max;	/* bounds (WKCFG_INT) */
	const char *def;	/* default, as it would be written */
};

#define K_INT(s, n, f, lo, hi, d) \
	{ s, n, WKCFG_INT, offsetof(struct wkcfg, f), lo, hi, d }
#define K_STR(s, n, f, d) \
	{ s, n, WKCFG_STR, offsetof(struct wkcfg, f), 0, 0, d }

static const struct wkcfg_key wkcfg_keys[] = {
	K_STR("worker", "server", server, "http://127.0.0.1:8080"),
	K_STR("worker", "token", token, ""),
	K_STR("worker", "token_file", token_file, ""),
	K_STR("worker", "name", name, ""),
	K_STR("worker", "work_dir", work_dir, "work"),
	K_STR("worker", "pool", pool, ""),
	K_STR("worker", "val", val, ""),
	K_STR("worker", "image_folder", image_folder, ""),
	K_STR("worker", "backend", backend, "proxy"),
	K_STR("worker", "metrics", metrics, ""),
	K_INT("worker", "keep_failed", keep_failed, 0, 365 * 86400, "259200"),
	K_INT("worker", "claim_min_ms", claim_min_ms, 10, 3600000, "1000"),
	K_INT("worker", "claim_max_ms", claim_max_ms, 10, 3600000, "30000"),
	K_INT("worker", "retry_min_ms", retry_min_ms, 10, 3600000, "1000"),
	K_INT("worker", "retry_max_ms", retry_max_ms, 10, 3600000, "60000"),
	K_INT("worker", "http_timeout", http_timeout, 1, 3600, "30"),
	K_INT("worker", "heartbeat", heartbeat, 0, 3600, "0"),
	K_INT("worker", "kill_grace", kill_grace, 0, 3600, "30"),
	K_STR("train", "command", train_command, ""),
	K_INT("train", "timeout", train_timeout, 1, 30 * 86400, "86400"),
	K_STR("train", "required", train_required, ""),
	K_STR("evaluate", "command", eval_command, ""),
	K_INT("evaluate", "timeout", eval_timeout, 1, 30 * 86400, "21600"),
	K_STR("evaluate", "required", eval_required, ""),
};
#define WKCFG_NKEYS (sizeof(wkcfg_keys) / sizeof(wkcfg_keys[0]))

/* The proxy backend: the project's own CLI next to the worker. */
#define WKCFG_PROXY_TRAIN \
	"{bin_dir}/dataoptim proxy train --data {data_json} --out {output_dir}"
#define WKCFG_PROXY_EVAL \
	"{bin_dir}/dataoptim proxy eval --model {output_dir} " \
	"--val {val_json} --result-dir {result_dir}"
#define WKCFG_PROXY_REQUIRED "config.json trainer_state.json proxy_model.bin"

static char **
wkcfg_str(struct wkcfg *c, const struct wkcfg_key *k)
{
	return (char **)(void *)((char *)c + k->off);
}

static int
wkcfg_apply(struct wkcfg *c, const struct wkcfg_key *k, const char *value,
    char *err, size_t errlen)
{
	char *end;
	long long v;

	if (k->type == WKCFG_STR) {
		char **sp = wkcfg_str(c, k);

		free(*sp);
		*sp = util_xstrdup(value);
		return 0;
	}
	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0') {
		util_fmt(err, errlen, "%s.%s: '%s' is not an integer",
		    k->section, k->name, value);
		return -1;
	}
	if (v < k->min || v > k->max) {
		util_fmt(err, errlen, "%s.%s: %lld is out of range [%lld, "
		    "%lld]", k->section, k->name, v, (long long)k->min,
		    (long long)k->max);
		return -1;
	}
	*(int64_t *)(void *)((char *)c + k->off) = v;
	return 0;
}

struct wkcfg *
wkcfg_new(void)
{
	struct wkcfg *c = util_xcalloc(1, sizeof(*c));
	char err[256];
	size_t i;

	for (i = 0; i < WKCFG_NKEYS; i++)
		if (wkcfg_apply(c, &wkcfg_keys[i], wkcfg_keys[i].def, err,
		    sizeof(err)) != 0)
			abort();	/* a bad default is a programming error */
	return c;
}

void
wkcfg_free(struct wkcfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < WKCFG_NKEYS; i++)
		if (wkcfg_keys[i].type == WKCFG_STR)
			free(*wkcfg_str(c, &wkcfg_keys[i]));
	for (i = 0; i < c->n_env; i++)
		free(c->env[i]);
	free(c->env);
	free(c);
}

static int
wkcfg_set_env(struct wkcfg *c, const char *name, const char *value,
    char *err, size_t errlen)
{
	size_t i, n = strlen(name), len;
	char *kv;

	if (n == 0 || strchr(name, '=') != NULL) {
		util_fmt(err, errlen, "env.%s: not a variable name", name);
		return -1;
	}
	len = n + strlen(value) + 2;
	kv = util_xmalloc(len);
	util_fmt(kv, len, "%s=%s", name, value);
	for (i = 0; i < c->n_env; i++)
		if (strncmp(c->env[i], kv, n + 1) == 0) {
			free(c->env[i]);
			c->env[i] = kv;
			return 0;
		}
	c->env = util_xrealloc(c->env, (c->n_env + 1) * sizeof(*c->env));
	c->env[c->n_env++] = kv;
	return 0;
}

int
wkcfg_set(struct wkcfg *c, const char *section, const char *name,
    const char *value, char *err, size_t errlen)
{
	size_t i;

	if (section != NULL && strcmp(section, "env") == 0)
		return wkcfg_set_env(c, name, value, err, errlen);
	for (i = 0; i < WKCFG_NKEYS; i++) {
		const struct wkcfg_key *k = &wkcfg_keys[i];

		if (strcmp(k->name, name) != 0)
			continue;
		if (section != NULL && strcmp(k->section, section) != 0)
			continue;
		return wkcfg_apply(c, k, value, err, errlen);
	}
	util_fmt(err, errlen, "unknown configuration key %s%s%s",
	    section ? section : "", section ? "." : "", name);
	return -1;
}

struct wkcfg_ctx {
	struct wkcfg *c;
	char msg[256];
	int failed;
};

static int
wkcfg_ini(void *user, const char *section, const char *name,
    const char *value)
{
	struct wkcfg_ctx *ctx = user;
	size_t i;
	int ours = strcmp(section, "env") == 0;

	if (ctx->failed)
		return 0;
	for (i = 0; !ours && i < WKCFG_NKEYS; i++)
		ours = strcmp(wkcfg_keys[i].section, section) == 0;
	if (!ours)		/* the server's sections share the file */
		return 1;
	if (wkcfg_set(ctx->c, section, name, value, ctx->msg,
	    sizeof(ctx->msg)) != 0) {
		ctx->failed = 1;
		return 0;
	}
	return 1;
}

int
wkcfg_load(struct wkcfg *c, const char *path, char *err, size_t errlen)
{
	struct wkcfg_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.c = c;
	rc = ini_parse(path, wkcfg_ini, &ctx);
	if (rc == -1) {
		util_fmt(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	if (rc != 0) {
		util_fmt(err, errlen, "%s:%d: %s", path, rc,
		    ctx.msg[0] ? ctx.msg : "syntax error");
		return -1;
	}
	return 0;
}

static void
wkcfg_default(char **sp, const char *value)
{
	if ((*sp)[0] == '\0') {
		free(*sp);
		*sp = util_xstrdup(value);
	}
}

int
wkcfg_finish(struct wkcfg *c, const char *bin_dir, char *err, size_t errlen)
{
	(void)bin_dir;
	if (c->token[0] == '\0' && c->token_file[0] != '\0') {
		char e[256], *t;
		size_t n;

		t = util_read_small(c->token_file, 4096, &n, e, sizeof(e));
		if (t == NULL) {
			util_fmt(err, errlen, "worker.token_file: %s", e);
			return -1;
		}
		while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' ||
		    t[n - 1] == ' '))
			t[--n] = '\0';
		free(c->token);
		c->token = t;
	}
	if (c->token[0] == '\0') {
		util_fmt(err, errlen, "no worker token: give --token, "
		    "worker.token or worker.token_file");
		return -1;
	}
	if (strchr(c->token, '\n') != NULL || strchr(c->token, '\r') != NULL) {
		util_fmt(err, errlen, "the worker token holds a line break");
		return -1;
	}
	if (c->val[0] == '\0') {
		util_fmt(err, errlen, "no validation set: give --val VAL.json "
		    "or worker.val");
		return -1;
	}
	if (c->name[0] == '\0') {
		char host[256] = "worker";

		(void)gethostname(host, sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		free(c->name);
		c->name = util_xstrdup(host);
	}
	if (strcmp(c->backend, "proxy") == 0) {
		wkcfg_default(&c->train_command, WKCFG_PROXY_TRAIN);
		wkcfg_default(&c->eval_command, WKCFG_PROXY_EVAL);
		if (strcmp(c->train_command, WKCFG_PROXY_TRAIN) == 0)
			wkcfg_default(&c->train_required,
			    WKCFG_PROXY_REQUIRED);
	}
	if (c->train_command[0] == '\0' || c->eval_command[0] == '\0') {
		util_fmt(err, errlen, "backend '%s' needs train.command and "
		    "evaluate.command", c->backend);
		return -1;
	}
	if (c->claim_max_ms < c->claim_min_ms)
		c->claim_max_ms = c->claim_min_ms;
	if (c->retry_max_ms < c->retry_min_ms)
		c->retry_max_ms = c->retry_min_ms;
	return 0;
}

void
wkcfg_dump(const struct wkcfg *c, FILE *fp)
{
	const char *sect = "";
	size_t i;

	for (i = 0; i < WKCFG_NKEYS; i++) {
		const struct wkcfg_key *k = &wkcfg_keys[i];
		const char *p = (const char *)c + k->off;

		if (strcmp(sect, k->section) != 0) {
			fprintf(fp, "%s[%s]\n", i ? "\n" : "", k->section);
			sect = k->section;
		}
		if (k->type == WKCFG_INT)
			fprintf(fp, "%s = %lld\n", k->name,
			    (long long)*(const int64_t *)(const void *)p);
		else if (strcmp(k->name, "token") == 0)
			fprintf(fp, "%s = %s\n", k->name,
			    (*(char *const *)(const void *)p)[0] ? "(set)" : "");
		else
			fprintf(fp, "%s = %s\n", k->name,
			    *(char *const *)(const void *)p);
	}
	fprintf(fp, "\n[env]\n");
	for (i = 0; i < c->n_env; i++) {
		const char *eq = strchr(c->env[i], '=');

		fprintf(fp, "%.*s = %s\n", (int)(eq - c->env[i]), c->env[i],
		    eq + 1);
	}
}
