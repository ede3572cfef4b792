/* Unit tests: conf (key tables, INI files, --set and the shared command
 * line) on a small table of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "testutil.h"
#include "util.h"
#include "tests.h"

struct tconf {
	int64_t port;
	int64_t verbose;
	char *name;
	char *token;
	int64_t retries;
	struct conf_vars env;
};

static const struct conf_key tconf_keys[] = {
	CONF_KEY_INT(struct tconf, "net", "port", port, 1, 65535, "8080"),
	CONF_KEY_BOOL(struct tconf, "net", "verbose", verbose, "false"),
	CONF_KEY_STR(struct tconf, "net", "name", name, "alpha"),
	CONF_KEY_SECRET(struct tconf, "net", "token", token, ""),
	CONF_KEY_INT(struct tconf, "jobs", "retries", retries, -3, 10, "2"),
	CONF_KEY_VARS(struct tconf, "env", env),
};
static const struct conf_table tconf_table = CONF_TABLE(tconf_keys);

static const struct conf_flag tconf_flags[] = {
	{ "--port", "net", "port" },
	{ "--name", "net", "name" },
	{ "--retries", "jobs", "retries" },
};
static const struct conf_cmdline tconf_cl = {
	"tprog", "usage: tprog [--port N]\n", tconf_flags,
	sizeof(tconf_flags) / sizeof(tconf_flags[0])
};

static struct tconf *
tconf_new(void)
{
	struct tconf *c = util_xcalloc(1, sizeof(*c));

	conf_defaults(&tconf_table, c);
	return c;
}

static void
tconf_free(struct tconf *c)
{
	conf_free(&tconf_table, c);
	free(c);
}

/* conf_print() of c as a string (static storage). */
static const char *
tconf_print(const struct tconf *c)
{
	static char buf[1024];
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(fp);
	conf_print(&tconf_table, c, fp);
	fclose(fp);
	return buf;
}

/* Output of one conf_args() call. */
struct args_out {
	int rc;
	char out[1024];		/* what it wrote on stdout */
	char err[1024];		/* ... and on stderr */
};

static void
slurp(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* conf_args() on the NULL-terminated arguments after argv[0], with its
 * stdout and stderr caught in r. */
static void
run_args(struct tconf *c, struct args_out *r, ...)
{
	char *argv[32];
	const char *dir = tu_tmpdir();
	char po[512], pe[512];
	int argc = 0, fo, fe, so, se;
	va_list ap;

	argv[argc++] = (char *)"tprog";
	va_start(ap, r);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	snprintf(po, sizeof(po), "%s/out", dir);
	snprintf(pe, sizeof(pe), "%s/err", dir);
	fo = open(po, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fe = open(pe, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fo >= 0 && fe >= 0);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	r->rc = conf_args(&tconf_table, c, &tconf_cl, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(fo, r->out, sizeof(r->out));
	slurp(fe, r->err, sizeof(r->err));
}

void
test_types_and_print(void **state)
{
	struct tconf *c = tconf_new();
	char err[256];

	(void)state;
	assert_int_equal(c->port, 8080);
	assert_int_equal(c->verbose, 0);
	assert_string_equal(c->name, "alpha");
	assert_string_equal(c->token, "");
	assert_int_equal(c->retries, 2);
	assert_int_equal(c->env.n, 0);
	assert_string_equal(tconf_print(c),
	    "[net]\nport = 8080\nverbose = false\nname = alpha\ntoken = \n"
	    "\n[jobs]\nretries = 2\n\n[env]\n");

	assert_int_equal(conf_set(&tconf_table, c, "net", "verbose", "yes",
	    err, sizeof(err)), 0);
	assert_int_equal(c->verbose, 1);
	assert_int_equal(conf_set(&tconf_table, c, "net", "verbose", "off",
	    err, sizeof(err)), 0);
	assert_int_equal(c->verbose, 0);
	assert_int_equal(conf_set(&tconf_table, c, "net", "verbose", "maybe",
	    err, sizeof(err)), -1);
	assert_string_equal(err,
	    "net.verbose: 'maybe' is not a boolean (true/false)");
	assert_int_equal(conf_set(&tconf_table, c, "net", "verbose", "on",
	    err, sizeof(err)), 0);
	assert_int_equal(conf_set(&tconf_table, c, "net", "name", "beta",
	    err, sizeof(err)), 0);
	assert_int_equal(conf_set(&tconf_table, c, "net", "token", "s3cret",
	    err, sizeof(err)), 0);
	assert_string_equal(c->token, "s3cret");
	/* a bare name takes the first key of that name */
	assert_int_equal(conf_set(&tconf_table, c, NULL, "retries", "-3",
	    err, sizeof(err)), 0);
	assert_int_equal(c->retries, -3);

	/* [env]: any name, set again in place, "=" and "" refused */
	assert_int_equal(conf_set(&tconf_table, c, "env", "A", "1", err,
	    sizeof(err)), 0);
	assert_int_equal(conf_set(&tconf_table, c, "env", "B", "x=y", err,
	    sizeof(err)), 0);
	assert_int_equal(conf_set(&tconf_table, c, "env", "A", "3", err,
	    sizeof(err)), 0);
	assert_int_equal(c->env.n, 2);
	assert_string_equal(c->env.kv[0], "A=3");
	assert_string_equal(c->env.kv[1], "B=x=y");
	assert_int_equal(conf_set(&tconf_table, c, "env", "", "1", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "env.: not a variable name");
	assert_int_equal(conf_set(&tconf_table, c, "env", "C=D", "1", err,
	    sizeof(err)), -1);
	assert_int_equal(conf_set(&tconf_table, c, NULL, "A", "1", err,
	    sizeof(err)), -1);	/* [env] only by its section */

	assert_string_equal(tconf_print(c),
	    "[net]\nport = 8080\nverbose = true\nname = beta\n"
	    "token = (set)\n\n[jobs]\nretries = -3\n\n[env]\nA = 3\n"
	    "B = x=y\n");
	conf_free(&tconf_table, c);
	assert_null(c->name);
	assert_null(c->env.kv);
	conf_free(&tconf_table, c);	/* twice: nothing left to free */
	conf_free(&tconf_table, NULL);
	free(c);
}

void
test_bounds(void **state)
{
	struct tconf *c = tconf_new();
	char err[256];

	(void)state;
	assert_int_equal(conf_set(&tconf_table, c, "net", "port", "1", err,
	    sizeof(err)), 0);
	assert_int_equal(c->port, 1);
	assert_int_equal(conf_set(&tconf_table, c, "net", "port", "65535",
	    err, sizeof(err)), 0);
	assert_int_equal(c->port, 65535);
	assert_int_equal(conf_set(&tconf_table, c, "net", "port", "0", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "net.port: 0 is out of range [1, 65535]");
	assert_int_equal(conf_set(&tconf_table, c, "net", "port", "65536",
	    err, sizeof(err)), -1);
	assert_string_equal(err,
	    "net.port: 65536 is out of range [1, 65535]");
	assert_int_equal(conf_set(&tconf_table, c, "jobs", "retries", "-4",
	    err, sizeof(err)), -1);
	assert_string_equal(err, "jobs.retries: -4 is out of range [-3, 10]");
	assert_int_equal(conf_set(&tconf_table, c, "net", "port", "80x", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "net.port: '80x' is not an integer");
	assert_int_equal(conf_set(&tconf_table, c, "net", "port", "", err,
	    sizeof(err)), -1);
	assert_int_equal(conf_set(&tconf_table, c, "net", "port",
	    "99999999999999999999", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not an integer"));
	assert_int_equal(c->port, 65535);	/* unchanged by the errors */
	tconf_free(c);
}

void
test_unknown_key(void **state)
{
	struct tconf *c = tconf_new();
	char err[256];

	(void)state;
	assert_int_equal(conf_set(&tconf_table, c, "net", "prot", "1", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown configuration key net.prot");
	assert_int_equal(conf_set(&tconf_table, c, "jobs", "port", "1", err,
	    sizeof(err)), -1);	/* a name of another section */
	assert_string_equal(err, "unknown configuration key jobs.port");
	assert_int_equal(conf_set(&tconf_table, c, NULL, "nosuch", "1", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unknown configuration key nosuch");
	tconf_free(c);
}

void
test_load(void **state)
{
	const char *dir = tu_tmpdir();
	struct tconf *c = tconf_new();
	char err[512], want[512];
	const char *p;

	(void)state;
	/* other programs' sections are skipped, whatever their keys */
	p = tu_writes(dir, "ok.ini", "; comment\n[other]\nanything = goes\n"
	    "port = nonsense\n[net]\nport = 9000\nverbose = true\n"
	    "name = gamma ; inline\n[jobs]\nretries = 5\n[env]\nX = 1\n");
	assert_int_equal(conf_load(&tconf_table, c, p, err, sizeof(err)), 0);
	assert_int_equal(c->port, 9000);
	assert_int_equal(c->verbose, 1);
	assert_string_equal(c->name, "gamma");
	assert_int_equal(c->retries, 5);
	assert_int_equal(c->env.n, 1);
	assert_string_equal(c->env.kv[0], "X=1");

	/* an unknown key in one of ours: file and line */
	p = tu_writes(dir, "unk.ini",
	    "[net]\nport = 1\n\n[jobs]\nretires = 5\n");
	assert_int_equal(conf_load(&tconf_table, c, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:5: unknown configuration key "
	    "jobs.retires", p);
	assert_string_equal(err, want);
	assert_int_equal(c->port, 1);	/* what came before is set */

	/* bounds: the key and the range, the first error only */
	p = tu_writes(dir, "oor.ini", "[net]\nport = 70000\nport = x\n");
	assert_int_equal(conf_load(&tconf_table, c, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: net.port: 70000 is out of range "
	    "[1, 65535]", p);
	assert_string_equal(err, want);

	p = tu_writes(dir, "syn.ini", "[net]\nport = 1\nnot a pair\n");
	assert_int_equal(conf_load(&tconf_table, c, p, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: syntax error", p);
	assert_string_equal(err, want);

	assert_int_equal(conf_load(&tconf_table, c, "/nonexistent/t.ini",
	    err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/t.ini: cannot open: "
	    "No such file or directory");
	tconf_free(c);
}

void
test_args(void **state)
{
	const char *dir = tu_tmpdir();
	struct tconf *c = tconf_new();
	struct args_out r;
	const char *p;

	(void)state;
	/* flags map to keys; --set takes any key; nothing printed */
	run_args(c, &r, "--port", "81", "--name", "n1", "--set",
	    "env.K=v=w", "--set", "net.verbose=yes", "--retries", "7",
	    (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_RUN);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "");
	assert_int_equal(c->port, 81);
	assert_string_equal(c->name, "n1");
	assert_int_equal(c->verbose, 1);
	assert_int_equal(c->retries, 7);
	assert_string_equal(c->env.kv[0], "K=v=w");

	/* the file first, wherever --config stands; flags win */
	p = tu_writes(dir, "a.ini", "[net]\nport = 90\nname = file\n");
	run_args(c, &r, "--port", "91", "--print-config", "--config", p,
	    (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_PRINT);
	assert_int_equal(c->port, 91);
	assert_string_equal(c->name, "file");
	assert_string_equal(r.out, "");	/* the caller prints */

	run_args(c, &r, "--port", "1", "--help", "--bogus", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_HELP);
	assert_string_equal(r.out, "usage: tprog [--port N]\n");
	run_args(c, &r, "-h", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_HELP);

	/* mistakes: told once on stderr, prefixed with the program */
	run_args(c, &r, "--bogus", "1", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err,
	    "tprog: unknown flag --bogus\nusage: tprog [--port N]\n");
	run_args(c, &r, "--port", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err,
	    "tprog: --port needs a value\nusage: tprog [--port N]\n");
	run_args(c, &r, "--set", (char *)NULL);
	assert_string_equal(r.err,
	    "tprog: --set needs a value\nusage: tprog [--port N]\n");
	run_args(c, &r, "--config", (char *)NULL);
	assert_string_equal(r.err,
	    "tprog: --config needs a value\nusage: tprog [--port N]\n");
	run_args(c, &r, "--print-config=yes", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err, "tprog: --print-config takes no value\n"
	    "usage: tprog [--port N]\n");
	/* flags are spelled out in full; no positional argument */
	run_args(c, &r, "--por", "1", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err,
	    "tprog: unknown flag --por\nusage: tprog [--port N]\n");
	run_args(c, &r, "-x", (char *)NULL);
	assert_string_equal(r.err,
	    "tprog: unknown flag -x\nusage: tprog [--port N]\n");
	run_args(c, &r, "--port", "82", "extra", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err,
	    "tprog: unexpected argument extra\nusage: tprog [--port N]\n");
	run_args(c, &r, "--", "--port", "82", (char *)NULL);
	assert_string_equal(r.err,
	    "tprog: unexpected argument --port\nusage: tprog [--port N]\n");
	run_args(c, &r, "--port", "0", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err,
	    "tprog: net.port: 0 is out of range [1, 65535]\n");
	run_args(c, &r, "--set", "net.nosuch=1", (char *)NULL);
	assert_string_equal(r.err,
	    "tprog: unknown configuration key net.nosuch\n");
	run_args(c, &r, "--set", "port=1", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_string_equal(r.err, "tprog: --set SECTION.KEY=VALUE\n");
	run_args(c, &r, "--set", "a=b.c", (char *)NULL);
	assert_string_equal(r.err, "tprog: --set SECTION.KEY=VALUE\n");
	p = tu_writes(dir, "bad.ini", "[jobs]\nretries = 11\n");
	run_args(c, &r, "--config", p, "--help", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);	/* the file first */
	assert_non_null(strstr(r.err, "bad.ini:2: jobs.retries: 11 is out "
	    "of range [-3, 10]\n"));
	assert_int_equal(strncmp(r.err, "tprog: ", 7), 0);
	tconf_free(c);
}

/* Flags and --set as "--flag=VALUE" too, repeated, in command-line order
 * over the file of the last --config; each call parses afresh. */
void
test_args_order(void **state)
{
	const char *dir = tu_tmpdir();
	struct tconf *c = tconf_new();
	struct args_out r;
	const char *a, *b;
	char conf_eq[600];

	(void)state;
	run_args(c, &r, "--port=81", "--set=net.name=n1", "--set",
	    "env.A=1", "--set", "env.B=2", "--set=env.A=3", "--retries=-3",
	    "--set", "jobs.retries=4", "--port", "83", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_RUN);
	assert_string_equal(r.err, "");
	assert_int_equal(c->port, 83);
	assert_string_equal(c->name, "n1");
	assert_int_equal(c->retries, 4);
	assert_int_equal(c->env.n, 2);
	assert_string_equal(c->env.kv[0], "A=3");
	assert_string_equal(c->env.kv[1], "B=2");
	/* the same flags the other way round: the last one wins */
	run_args(c, &r, "--set", "jobs.retries=5", "--retries", "6",
	    (char *)NULL);
	assert_int_equal(c->retries, 6);
	/* a value that looks like a flag is a value */
	run_args(c, &r, "--name", "--port", "--retries", "-2", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_RUN);
	assert_string_equal(c->name, "--port");
	assert_int_equal(c->retries, -2);

	/* the last --config alone is read, before every flag */
	a = tu_writes(dir, "a.ini", "[jobs]\nretries = 11\n");
	b = tu_writes(dir, "b.ini", "[net]\nport = 95\nname = b\n");
	snprintf(conf_eq, sizeof(conf_eq), "--config=%s", b);
	run_args(c, &r, "--name", "flag", "--config", a, conf_eq,
	    (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_RUN);
	assert_string_equal(r.err, "");
	assert_int_equal(c->port, 95);
	assert_string_equal(c->name, "flag");
	/* ... even after a mistake, which is told after it */
	run_args(c, &r, "--bogus", "--config", a, (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_ERROR);
	assert_non_null(strstr(r.err, "a.ini:2: jobs.retries: 11 is out of "
	    "range [-3, 10]\n"));
	run_args(c, &r, "--config", b, "--bogus", "--port", "1",
	    (char *)NULL);
	assert_string_equal(r.err,
	    "tprog: unknown flag --bogus\nusage: tprog [--port N]\n");
	assert_int_equal(c->port, 95);	/* no flag after it is set */
	/* a parse stopped half-way leaves nothing for the next one */
	run_args(c, &r, "--port", "84", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_RUN);
	assert_int_equal(c->port, 84);
	run_args(c, &r, "--help", "--port", "85", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_HELP);
	assert_int_equal(c->port, 84);
	run_args(c, &r, "--port", "85", (char *)NULL);
	assert_int_equal(r.rc, CONF_ARGS_RUN);
	assert_int_equal(c->port, 85);
	tconf_free(c);
}

int
conf_teardown(void **state)
{
	tu_cleanup();
	return 0;
}

/* A path key is stored absolute, whether it comes from the default, a
 * file or a flag, and printed so. */
struct pconf {
	char *dir;
};
static const struct conf_key pconf_keys[] = {
	CONF_KEY_PATH(struct pconf, "store", "dir", dir, "state"),
};
static const struct conf_table pconf_table = CONF_TABLE(pconf_keys);

void
test_path(void **state)
{
	struct pconf c = { NULL };
	char cwd[4096], want[4200], err[256], buf[8192];
	FILE *fp;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	conf_defaults(&pconf_table, &c);
	util_fmt(want, sizeof(want), "%s/state", cwd);
	assert_string_equal(c.dir, want);
	assert_int_equal(conf_set(&pconf_table, &c, "store", "dir",
	    "./w//x/", err, sizeof(err)), 0);
	util_fmt(want, sizeof(want), "%s/w/x", cwd);
	assert_string_equal(c.dir, want);
	assert_int_equal(conf_set(&pconf_table, &c, "store", "dir", "/srv/d",
	    err, sizeof(err)), 0);
	assert_string_equal(c.dir, "/srv/d");
	assert_int_equal(conf_set(&pconf_table, &c, "store", "dir", "", err,
	    sizeof(err)), 0);
	assert_string_equal(c.dir, "");
	assert_int_equal(conf_set(&pconf_table, &c, "store", "dir", "rel",
	    err, sizeof(err)), 0);
	fp = fmemopen(buf, sizeof(buf), "w");
	conf_print(&pconf_table, &c, fp);
	fclose(fp);
	util_fmt(want, sizeof(want), "[store]\ndir = %s/rel\n", cwd);
	assert_string_equal(buf, want);
	conf_free(&pconf_table, &c);
	assert_null(c.dir);
}
