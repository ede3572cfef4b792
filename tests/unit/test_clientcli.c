/* Unit tests: the participant CLI's tables (table.h: UTF-8 widths, cuts
 * with "…", terminal-safe cells) and its credentials file (cred.h:
 * parsing, modes on save, refusal of an unsafe file, precedence). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../server/cli/cred.h"
#include "../../server/cli/table.h"
#include "testutil.h"
#include "tests.h"

/* The table printed into a string (the caller frees it). */
static char *
render(const struct table *t)
{
	char *s = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&s, &n);

	assert_non_null(fp);
	table_print(t, fp);
	fclose(fp);
	return s;
}

void
test_table_width(void **state)
{
	(void)state;
	assert_int_equal(table_width("abc", 3), 3);
	assert_int_equal(table_width("", 0), 0);
	assert_int_equal(table_width("é", strlen("é")), 1);	/* 2 bytes */
	assert_int_equal(table_width("東京", strlen("東京")), 4); /* wide */
	assert_int_equal(table_width("e\xcc\x81", 3), 1);	/* combining */
	assert_int_equal(table_width("\xff" "a", 2), 2);	/* invalid: 1 */
	assert_int_equal(table_width("\x1b[31m", 5), 5);
}

void
test_table_cell(void **state)
{
	char *c;

	(void)state;
	c = table_cell("short", 10);
	assert_string_equal(c, "short");
	free(c);
	c = table_cell("exactly10!", 10);
	assert_string_equal(c, "exactly10!");
	free(c);
	c = table_cell("eleven char", 10);		/* 11 > 10: cut */
	assert_string_equal(c, "eleven ch\xe2\x80\xa6");
	assert_int_equal(table_width(c, strlen(c)), 10);
	free(c);
	/* a wide character that does not fit beside the … is left out */
	c = table_cell("ab東京", 4);
	assert_string_equal(c, "ab\xe2\x80\xa6");
	assert_true(table_width(c, strlen(c)) <= 4);
	free(c);
	c = table_cell("東京都", 5);
	assert_string_equal(c, "東京\xe2\x80\xa6");
	assert_int_equal(table_width(c, strlen(c)), 5);
	free(c);
	/* controls and invalid bytes never reach the terminal */
	c = table_cell("red\x1b[31m\ttab\nnl", 0);
	assert_string_equal(c, "red?[31m?tab?nl");
	free(c);
	c = table_cell("a\xff" "b\xc2\x9b" "c", 0);	/* 0xff, C1 CSI */
	assert_string_equal(c, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
	free(c);
	/* nor what reorders or breaks the line: a bidi override (U+202E)
	 * and isolate (U+2066), a line separator (U+2028) */
	c = table_cell("x\xe2\x80\xae" "y\xe2\x81\xa6" "z\xe2\x80\xa8" "w",
	    0);
	assert_string_equal(c, "x\xef\xbf\xbd" "y\xef\xbf\xbd" "z\xef\xbf\xbd"
	    "w");
	assert_int_equal(table_width(c, strlen(c)), 7);
	free(c);
	c = table_cell("", 3);
	assert_string_equal(c, "");
	free(c);
}

void
test_table_print(void **state)
{
	static const char *const hdr[] = { "rank", "team", "score" };
	struct table *t = table_new(3, hdr);
	char *s;

	(void)state;
	table_col(t, 0, 0, 1);
	table_col(t, 1, 8, 0);
	table_col(t, 2, 0, 1);
	table_add(t, (const char *const[]){ "1", "東京チーム", "0.5000" });
	table_add(t, (const char *const[]){ "10", "a team with a long name",
	    "0.25" });
	table_add(t, (const char *const[]){ "-", NULL, "" });
	assert_int_equal(table_rows(t), 3);
	s = render(t);
	/* team is cut to 8 columns (東京チ… is 7: the next wide character
	 * does not fit); the score column is right-aligned;
	 * columns are two spaces apart; no trailing blanks */
	assert_string_equal(s,
	    "rank  team       score\n"
	    "----------------------\n"
	    "   1  東京チ…   0.5000\n"
	    "  10  a team …    0.25\n"
	    "   -\n");
	free(s);
	table_free(t);
	table_free(NULL);
}

void
test_table_utf8_alignment(void **state)
{
	static const char *const hdr[] = { "team", "method" };
	struct table *t = table_new(2, hdr);
	char *s;

	(void)state;
	table_add(t, (const char *const[]){ "Équipe", "x" });
	table_add(t, (const char *const[]){ "東京", "y" });
	table_add(t, (const char *const[]){ "ab", "z" });
	s = render(t);
	/* "Équipe" is 6 columns (7 bytes), "東京" 4 (6 bytes): the second
	 * column starts at column 8 on every line */
	assert_string_equal(s,
	    "team    method\n"
	    "--------------\n"
	    "Équipe  x\n"
	    "東京    y\n"
	    "ab      z\n");
	free(s);
	table_free(t);
}

void
test_cred_parse(void **state)
{
	struct cred c = { NULL, NULL };
	char err[256];
	const char *ok = "# comment\n\n  server =  http://h:1/ \r\n"
	    "token=abc def\n";

	(void)state;
	assert_int_equal(cred_parse(ok, strlen(ok), "f", &c, err,
	    sizeof(err)), 0);
	assert_string_equal(c.server, "http://h:1/");
	assert_string_equal(c.token, "abc def");
	cred_clear(&c);
	assert_null(c.server);
	/* no final newline, only a server */
	assert_int_equal(cred_parse("server = x", 10, "f", &c, err,
	    sizeof(err)), 0);
	assert_string_equal(c.server, "x");
	assert_null(c.token);
	cred_clear(&c);
	assert_int_equal(cred_parse("", 0, "f", &c, err, sizeof(err)), 0);
	assert_null(c.server);

#define BAD(text, msg) do { \
	assert_int_equal(cred_parse(text, sizeof(text) - 1, "cr", &c, err, \
	    sizeof(err)), -1); \
	assert_string_equal(err, msg); \
	assert_null(c.server); \
	assert_null(c.token); \
} while (0)
	BAD("server = a\njunk\n", "cr:2: expected key = value");
	BAD("user = me\n", "cr:1: unknown key \"user\" (known: server, "
	    "token)");
	BAD("token = a\ntoken = b\n", "cr:2: token given twice");
	BAD("server =\n", "cr:1: server must be 1 to 4096 bytes");
	BAD("token = a\x01" "b\n", "cr:1: control character");
	BAD("token = a\0b\n", "cr: holds a NUL byte");
#undef BAD
	{
		char big[CRED_MAX_VALUE + 20];

		memcpy(big, "token = ", 8);
		memset(big + 8, 'x', CRED_MAX_VALUE + 1);
		assert_int_equal(cred_parse(big, 8 + CRED_MAX_VALUE + 1, "cr",
		    &c, err, sizeof(err)), -1);
		assert_string_equal(err, "cr:1: token must be 1 to 4096 "
		    "bytes");
		assert_int_equal(cred_parse(big, 8 + CRED_MAX_VALUE, "cr", &c,
		    err, sizeof(err)), 0);
		assert_int_equal(strlen(c.token), CRED_MAX_VALUE);
		cred_clear(&c);
	}
}

/* Restore an environment variable's value (NULL: unset). */
static void
env_set(const char *name, const char *v)
{
	if (v)
		setenv(name, v, 1);
	else
		unsetenv(name);
}

void
test_cred_file(void **state)
{
	const char *dir = tu_tmpdir();
	char *old_x = getenv("XDG_CONFIG_HOME") ?
	    strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *old_s = getenv("DATAOPTIM_SERVER") ?
	    strdup(getenv("DATAOPTIM_SERVER")) : NULL;
	char *old_t = getenv("DATAOPTIM_TOKEN") ?
	    strdup(getenv("DATAOPTIM_TOKEN")) : NULL;
	char xdg[512], err[512], d2[1024], *path = NULL, *p2;
	struct cred c = { "http://srv:8080", "tok-1" }, r = { NULL, NULL };
	struct stat st;

	(void)state;
	snprintf(xdg, sizeof(xdg), "%s/cfg", dir);	/* not there yet */
	setenv("XDG_CONFIG_HOME", xdg, 1);
	unsetenv("DATAOPTIM_SERVER");
	unsetenv("DATAOPTIM_TOKEN");
	/* none yet */
	assert_int_equal(cred_load(&r, err, sizeof(err)), 0);
	assert_int_equal(cred_save(&c, &path, err, sizeof(err)), 0);
	p2 = cred_path(err, sizeof(err));
	assert_string_equal(path, p2);
	free(p2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(xdg, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(d2, sizeof(d2), "%s/dataoptim", xdg);
	assert_int_equal(stat(d2, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(cred_load(&r, err, sizeof(err)), 1);
	assert_string_equal(r.server, "http://srv:8080");
	assert_string_equal(r.token, "tok-1");
	cred_clear(&r);

	/* precedence: option > environment > file; the file's token only
	 * for its own server */
	assert_int_equal(cred_resolve(NULL, NULL, &r, err, sizeof(err)), 0);
	assert_string_equal(r.server, "http://srv:8080");
	assert_string_equal(r.token, "tok-1");
	cred_clear(&r);
	setenv("DATAOPTIM_TOKEN", "env-tok", 1);
	assert_int_equal(cred_resolve(NULL, NULL, &r, err, sizeof(err)), 0);
	assert_string_equal(r.token, "env-tok");
	cred_clear(&r);
	assert_int_equal(cred_resolve(NULL, "opt-tok", &r, err, sizeof(err)),
	    0);
	assert_string_equal(r.token, "opt-tok");
	cred_clear(&r);
	unsetenv("DATAOPTIM_TOKEN");
	setenv("DATAOPTIM_SERVER", "http://other:1", 1);
	assert_int_equal(cred_resolve(NULL, NULL, &r, err, sizeof(err)), 0);
	assert_string_equal(r.server, "http://other:1");
	assert_null(r.token);		/* not sent to another server */
	cred_clear(&r);
	assert_int_equal(cred_resolve("http://srv:8080/", NULL, &r, err,
	    sizeof(err)), 0);
	assert_string_equal(r.server, "http://srv:8080/");
	assert_string_equal(r.token, "tok-1");	/* same server, "/" aside */
	cred_clear(&r);
	unsetenv("DATAOPTIM_SERVER");

	/* a file others may read is not used */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(cred_load(&r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "group or others may access it (mode "
	    "0640)"));
	assert_int_equal(cred_resolve(NULL, NULL, &r, err, sizeof(err)), -1);
	/* ... unless the options say everything */
	assert_int_equal(cred_resolve("http://a", "t", &r, err, sizeof(err)),
	    0);
	cred_clear(&r);
	/* saving again makes it private */
	c.token = NULL;
	assert_int_equal(cred_save(&c, NULL, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(cred_load(&r, err, sizeof(err)), 1);
	assert_null(r.token);
	cred_clear(&r);
	/* a malformed file is an error naming the line */
	tu_writes(xdg, "dataoptim/credentials",
	    "server = a\nbogus\n");
	chmod(path, 0600);
	assert_int_equal(cred_load(&r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "credentials:2: expected key = value"));
	/* a symlink is not followed */
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_equal(cred_load(&r, err, sizeof(err)), -1);
	/* no XDG_CONFIG_HOME, no HOME */
	{
		char *old_h = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

		unsetenv("XDG_CONFIG_HOME");
		unsetenv("HOME");
		assert_null(cred_path(err, sizeof(err)));
		assert_non_null(strstr(err, "HOME"));
		setenv("HOME", dir, 1);
		p2 = cred_path(err, sizeof(err));
		snprintf(d2, sizeof(d2), "%s/.config/dataoptim/credentials",
		    dir);
		assert_string_equal(p2, d2);
		free(p2);
		env_set("HOME", old_h);
		free(old_h);
	}
	env_set("XDG_CONFIG_HOME", old_x);
	env_set("DATAOPTIM_SERVER", old_s);
	env_set("DATAOPTIM_TOKEN", old_t);
	free(old_x);
	free(old_s);
	free(old_t);
	free(path);
}

int
clientcli_teardown(void **state)
{
	(void)state;
	tu_cleanup();
	return 0;
}
