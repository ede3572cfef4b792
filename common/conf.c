/* conf: configuration tables, INI files and the shared command line (see
 * conf.h). */
#include "conf.h"

#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "util.h"

static void *
conf__field(void *obj, const struct conf_key *k)
{
	return (char *)obj + k->off;
}

static const void *
conf__cfield(const void *obj, const struct conf_key *k)
{
	return (const char *)obj + k->off;
}

/* Set name of a CONF_VARS section to value, replacing an earlier value. */
static int
conf__set_var(const struct conf_key *k, struct conf_vars *v, const char *name,
    const char *value, char *err, size_t errlen)
{
	size_t i, n = strlen(name), len;
	char *kv;

	if (n == 0 || strchr(name, '=') != NULL) {
		util_fmt(err, errlen, "%s.%s: not a variable name", k->section,
		    name);
		return -1;
	}
	len = n + strlen(value) + 2;
	kv = util_xmalloc(len);
	util_fmt(kv, len, "%s=%s", name, value);
	for (i = 0; i < v->n; i++)
		if (strncmp(v->kv[i], kv, n + 1) == 0) {
			free(v->kv[i]);
			v->kv[i] = kv;
			return 0;
		}
	v->kv = util_xreallocarray(v->kv, v->n + 1, sizeof(*v->kv));
	v->kv[v->n++] = kv;
	return 0;
}

/* Check value against k and store it in obj. */
static int
conf__apply(const struct conf_key *k, void *obj, const char *value,
    char *err, size_t errlen)
{
	int64_t *ip = conf__field(obj, k);
	char **sp = conf__field(obj, k);
	char *end;
	long long v;

	switch (k->type) {
	case CONF_STR:
	case CONF_SECRET:
		free(*sp);
		*sp = util_xstrdup(value);
		return 0;
	case CONF_PATH: {
		char *abs = util_abspath(value);

		if (abs == NULL) {
			util_fmt(err, errlen, "%s.%s: cannot make '%s' "
			    "absolute: %s", k->section, k->name, value,
			    strerror(errno));
			return -1;
		}
		free(*sp);
		*sp = abs;
		return 0;
	}
	case CONF_BOOL:
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
	case CONF_INT:
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
	case CONF_VARS:
		break;		/* set by name through conf__set_var() */
	}
	util_fmt(err, errlen, "%s: not a single key", k->section);
	return -1;
}

void
conf_defaults(const struct conf_table *t, void *obj)
{
	char err[256];
	size_t i;

	for (i = 0; i < t->nkeys; i++) {
		const struct conf_key *k = &t->keys[i];

		if (k->def == NULL || conf__apply(k, obj, k->def, err,
		    sizeof(err)) == 0)
			continue;
		if (k->type != CONF_PATH)
			abort();	/* a bad default: a programming error */
		/* no working directory: the path stays as written */
		*(char **)conf__field(obj, k) = util_xstrdup(k->def);
	}
}

void
conf_free(const struct conf_table *t, void *obj)
{
	size_t i, j;

	if (obj == NULL)
		return;
	for (i = 0; i < t->nkeys; i++) {
		const struct conf_key *k = &t->keys[i];

		if (k->type == CONF_STR || k->type == CONF_SECRET ||
		    k->type == CONF_PATH) {
			char **sp = conf__field(obj, k);

			free(*sp);
			*sp = NULL;
		} else if (k->type == CONF_VARS) {
			struct conf_vars *v = conf__field(obj, k);

			for (j = 0; j < v->n; j++)
				free(v->kv[j]);
			free(v->kv);
			v->kv = NULL;
			v->n = 0;
		}
	}
}

int
conf_set(const struct conf_table *t, void *obj, const char *section,
    const char *name, const char *value, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; section != NULL && i < t->nkeys; i++)
		if (t->keys[i].type == CONF_VARS &&
		    strcmp(t->keys[i].section, section) == 0)
			return conf__set_var(&t->keys[i],
			    conf__field(obj, &t->keys[i]), name, value, err,
			    errlen);
	for (i = 0; i < t->nkeys; i++) {
		const struct conf_key *k = &t->keys[i];

		if (k->name == NULL || strcmp(k->name, name) != 0)
			continue;
		if (section != NULL && strcmp(k->section, section) != 0)
			continue;
		return conf__apply(k, obj, value, err, errlen);
	}
	util_fmt(err, errlen, "unknown configuration key %s%s%s",
	    section ? section : "", section ? "." : "", name);
	return -1;
}

/* State of one conf_load(): the first error stops the rest. */
struct conf_load_ctx {
	const struct conf_table *t;
	void *obj;
	char msg[256];		/* the first error, without file:line */
	int failed;
};

/* libinih's handler: 1 to go on, 0 for an error on this line. */
static int
conf__ini(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_load_ctx *ctx = user;
	size_t i;
	int ours = 0;

	if (ctx->failed)
		return 0;
	for (i = 0; !ours && i < ctx->t->nkeys; i++)
		ours = strcmp(ctx->t->keys[i].section, section) == 0;
	if (!ours)		/* another program's section */
		return 1;
	if (conf_set(ctx->t, ctx->obj, section, name, value, ctx->msg,
	    sizeof(ctx->msg)) != 0) {
		ctx->failed = 1;
		return 0;
	}
	return 1;
}

int
conf_load(const struct conf_table *t, void *obj, const char *path,
    char *err, size_t errlen)
{
	struct conf_load_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.t = t;
	ctx.obj = obj;
	rc = ini_parse(path, conf__ini, &ctx);
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

void
conf_print(const struct conf_table *t, const void *obj, FILE *fp)
{
	const char *sect = "";
	size_t i, j;

	for (i = 0; i < t->nkeys; i++) {
		const struct conf_key *k = &t->keys[i];
		const int64_t *ip = conf__cfield(obj, k);
		char *const *sp = conf__cfield(obj, k);
		const struct conf_vars *v = conf__cfield(obj, k);

		if (strcmp(sect, k->section) != 0) {
			fprintf(fp, "%s[%s]\n", i ? "\n" : "", k->section);
			sect = k->section;
		}
		switch (k->type) {
		case CONF_INT:
			fprintf(fp, "%s = %lld\n", k->name, (long long)*ip);
			break;
		case CONF_BOOL:
			fprintf(fp, "%s = %s\n", k->name,
			    *ip ? "true" : "false");
			break;
		case CONF_STR:
		case CONF_PATH:
			fprintf(fp, "%s = %s\n", k->name, *sp);
			break;
		case CONF_SECRET:
			fprintf(fp, "%s = %s\n", k->name,
			    (*sp)[0] ? "(set)" : "");
			break;
		case CONF_VARS:
			for (j = 0; j < v->n; j++) {
				const char *eq = strchr(v->kv[j], '=');

				fprintf(fp, "%.*s = %s\n",
				    (int)(eq - v->kv[j]), v->kv[j], eq + 1);
			}
			break;
		}
	}
}

/* "SECTION.KEY=VALUE" of --set into obj; 0, or -1 told on stderr. */
static int
conf__set_arg(const struct conf_table *t, void *obj, const char *prog,
    const char *arg)
{
	char *buf = util_xstrdup(arg), *eq, *dot, err[1024];
	int rc = -1;

	/* the last dot before the '=': sections may hold dots, keys not */
	eq = strchr(buf, '=');
	dot = NULL;
	if (eq != NULL) {
		*eq = '\0';
		dot = strrchr(buf, '.');
		*eq = '=';
	}
	if (eq == NULL || dot == NULL) {
		fprintf(stderr, "%s: --set SECTION.KEY=VALUE\n", prog);
		goto out;
	}
	*eq = *dot = '\0';
	if (conf_set(t, obj, buf, dot + 1, eq + 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* The options every program shares, before its own flags in the table
 * conf_args() hands opt_parse(). */
enum {
	CONF__CONFIG, CONF__SET, CONF__PRINT, CONF__HELP, CONF__H, CONF__NOPTS
};
static const struct opt conf__opts[CONF__NOPTS] = {
	[CONF__CONFIG] = { "--config", 1 },
	[CONF__SET] = { "--set", 1 },
	[CONF__PRINT] = { "--print-config", 0 },
	[CONF__HELP] = { "--help", 0 },
	[CONF__H] = { "-h", 0 },
};

/* One conf_args() call. */
struct conf_args_ctx {
	const struct conf_table *t;
	void *obj;
	const struct conf_cmdline *cl;
	const struct opt *opts;	/* conf__opts, then cl's flags */
	const char *config;	/* the last --config FILE */
	int print;		/* --print-config was given */
};

/* The first pass's opt_parser.on_arg: only --config counts. */
static int
conf__config_arg(void *ctx, int i, char *value)
{
	struct conf_args_ctx *c = ctx;

	if (i == CONF__CONFIG)
		c->config = value;
	return 0;
}

/* The first pass's opt_parser.on_fault: told by the second pass. */
static int
conf__config_fault(void *ctx, enum opt_fault f, int i, const char *text)
{
	return 0;
}

/* The second pass's opt_parser.on_arg: every argument in order. */
static int
conf__arg(void *ctx, int i, char *value)
{
	struct conf_args_ctx *c = ctx;
	const struct conf_flag *fl;
	char err[1024];

	switch (i) {
	case -1:
		fprintf(stderr, "%s: unexpected argument %s\n", c->cl->prog,
		    value);
		fputs(c->cl->usage, stderr);
		return CONF_ARGS_ERROR;
	case CONF__CONFIG:
		return 0;	/* read before the first pass */
	case CONF__SET:
		return conf__set_arg(c->t, c->obj, c->cl->prog, value) != 0 ?
		    CONF_ARGS_ERROR : 0;
	case CONF__PRINT:
		c->print = 1;
		return 0;
	case CONF__HELP:
	case CONF__H:
		fputs(c->cl->usage, stdout);
		return CONF_ARGS_HELP;
	}
	fl = &c->cl->flags[i - CONF__NOPTS];
	if (conf_set(c->t, c->obj, fl->section, fl->key, value, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", c->cl->prog, err);
		return CONF_ARGS_ERROR;
	}
	return 0;
}

/* The second pass's opt_parser.on_fault: told, with the usage. */
static int
conf__fault(void *ctx, enum opt_fault f, int i, const char *text)
{
	struct conf_args_ctx *c = ctx;
	const char *prog = c->cl->prog;

	switch (f) {
	case OPT_UNKNOWN:
		fprintf(stderr, "%s: unknown flag %s\n", prog, text);
		break;
	case OPT_NOVALUE:
		fprintf(stderr, "%s: %s needs a value\n", prog,
		    c->opts[i].name);
		break;
	case OPT_UNWANTED:
		fprintf(stderr, "%s: %s takes no value\n", prog,
		    c->opts[i].name);
		break;
	}
	fputs(c->cl->usage, stderr);
	return CONF_ARGS_ERROR;
}

int
conf_args(const struct conf_table *t, void *obj,
    const struct conf_cmdline *cl, int argc, char **argv)
{
	size_t k, n = CONF__NOPTS + cl->nflags;
	struct opt *opts = util_xcalloc(n, sizeof(*opts));
	struct conf_args_ctx c = { t, obj, cl, opts, NULL, 0 };
	struct opt_parser p = { opts, n, conf__config_arg,
	    conf__config_fault, &c };
	char err[1024];
	int rc;

	memcpy(opts, conf__opts, sizeof(conf__opts));
	for (k = 0; k < cl->nflags; k++) {
		opts[CONF__NOPTS + k].name = cl->flags[k].flag;
		opts[CONF__NOPTS + k].has_value = 1;
	}
	/* the config file first, then every flag over it */
	opt_parse(&p, argc - 1, argv + 1);
	if (c.config != NULL &&
	    conf_load(t, obj, c.config, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", cl->prog, err);
		rc = CONF_ARGS_ERROR;
		goto out;
	}
	p.on_arg = conf__arg;
	p.on_fault = conf__fault;
	if ((rc = opt_parse(&p, argc - 1, argv + 1)) == 0)
		rc = c.print ? CONF_ARGS_PRINT : CONF_ARGS_RUN;
out:
	free(opts);
	return rc;
}
