/*
 * cmd_login: dataoptim login and dataoptim logout.
 *
 * login checks a token with GET /api/v1/me before it stores it (cred.h).
 * Without --token it logs in as a web page does (POST /api/v1/session,
 * which answers the do_session cookie and a CSRF token), makes the CLI a
 * token of its own (POST /api/v1/account/tokens {"label"}, which answers
 * 201 {"token"}) and ends that web session (DELETE /api/v1/session).  The
 * password is read from the terminal without echo, or as the second line
 * of stdin when stdin is not a terminal (for scripts); so is --token -'s
 * token (without echo on a terminal).
 *
 * logout revokes the token on the server (POST
 * /api/v1/account/tokens/current/revoke; a server without that route
 * answers 404, which is not an error) and removes it from the file.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "cred.h"
#include "remote.h"
#include "util.h"

#define LOGIN_MAX_LINE 4096

/* The terminal's settings while the password is read without echo. */
static struct termios login_tty;
static volatile sig_atomic_t login_echo_off;

/* The signals that end the process while the echo is off (Ctrl-C,
 * Ctrl-\, kill, a closed terminal). */
static const int login_sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
#define LOGIN_NSIGS (sizeof(login_sigs) / sizeof(login_sigs[0]))

/* One of those while the echo is off: give the terminal back, then die
 * of it. */
static void
login_on_signal(int sig)
{
	if (login_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &login_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * One line of stdin into buf (size LOGIN_MAX_LINE + 1), without its
 * newline (and CR); -1 after telling what is wrong (end of input, too
 * long).
 */
static int
login_line(const char *what, char *buf)
{
	size_t n;

	if (fgets(buf, LOGIN_MAX_LINE + 1, stdin) == NULL) {
		fprintf(stderr, "dataoptim: no %s on stdin\n", what);
		return -1;
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(stdin)) {
		fprintf(stderr, "dataoptim: the %s is over %d bytes\n", what,
		    LOGIN_MAX_LINE);
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n == 0) {
		fprintf(stderr, "dataoptim: empty %s\n", what);
		return -1;
	}
	return 0;
}

/* A secret (what: "password", "token") from the terminal, without
 * echo, after the prompt "WHAT: "; -1 as login_line(). */
static int
login_secret_tty(const char *what, char *buf)
{
	struct termios quiet;
	struct sigaction sa, old[LOGIN_NSIGS];
	size_t i;
	int rc;

	if (tcgetattr(STDIN_FILENO, &login_tty) != 0)
		return login_line(what, buf);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = login_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < LOGIN_NSIGS; i++)
		sigaddset(&sa.sa_mask, login_sigs[i]);
	for (i = 0; i < LOGIN_NSIGS; i++)
		sigaction(login_sigs[i], &sa, &old[i]);
	quiet = login_tty;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	login_echo_off = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	rc = login_line(what, buf);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &login_tty);
	login_echo_off = 0;
	for (i = 0; i < LOGIN_NSIGS; i++)
		sigaction(login_sigs[i], &old[i], NULL);
	return rc;
}

/* The server for login: --server, DATAOPTIM_SERVER, or the file's
 * (an unreadable file does not matter: it is written anew). */
static char *
login_server(const char *opt)
{
	const char *e = getenv("DATAOPTIM_SERVER");
	struct cred f = { NULL, NULL };
	char err[512], *s;

	if (opt != NULL)
		return util_xstrdup(opt);
	if (e != NULL && *e != '\0')
		return util_xstrdup(e);
	if (cred_load(&f, err, sizeof(err)) < 0)
		fprintf(stderr, "dataoptim: warning: %s\n", err);
	s = f.server;
	f.server = NULL;
	cred_clear(&f);
	return s;
}

/* A warning when the token would cross a network unencrypted: http://
 * to a host that is not this one. */
static void
login_warn_plain(const char *base)
{
	static const char *const local[] = { "http://127.0.0.1",
	    "http://localhost", "http://[::1]" };
	size_t i, n;

	if (strncmp(base, "http://", 7) != 0)
		return;
	for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		n = strlen(local[i]);
		if (strncmp(base, local[i], n) == 0 && (base[n] == '\0' ||
		    base[n] == ':' || base[n] == '/'))
			return;
	}
	fprintf(stderr, "dataoptim: warning: %s is plain http: the password "
	    "and the token cross the network unencrypted (use https://)\n",
	    base);
}

/*
 * Email and password to a token of the CLI's own, in *token (a new
 * string); returns the exit status.
 */
static int
login_password(const char *server, const char *email_opt, int json,
    char **token)
{
	struct client *c = client_new(server, NULL);
	char email[LOGIN_MAX_LINE + 1], pw[LOGIN_MAX_LINE + 1];
	char host[256], label[320];
	struct client_req r;
	json_t *body = NULL, *o = NULL;
	const char *csrf, *t;
	char *cookie = NULL;
	int rc, tty = isatty(STDIN_FILENO);

	*token = NULL;
	if (c == NULL)
		return CLI_ERROR;
	client_json_errors(c, json);
	rc = CLI_ERROR;
	if (email_opt != NULL)
		util_fmt(email, sizeof(email), "%s", email_opt);
	else {
		if (tty) {
			fputs("email: ", stderr);
			fflush(stderr);
		}
		if (login_line("email", email) != 0)
			goto out;
	}
	if ((tty ? login_secret_tty("password", pw) : login_line("password",
	    pw)) != 0)
		goto out;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/v1/session";
	r.json = body = json_pack("{s:s, s:s}", "email", email, "password",
	    pw);
	explicit_bzero(pw, sizeof(pw));
	if (body == NULL) {
		fprintf(stderr, "dataoptim: the email and the password must "
		    "be UTF-8\n");
		goto out;
	}
	rc = client_do(c, &r, &o);
	json_decref(body);
	body = NULL;
	if (rc != CLI_OK) {
		if (rc == CLI_INVALID && client_status(c) == 401)
			rc = CLI_AUTH;
		goto out;
	}
	csrf = json_string_value(json_object_get(o, "csrf_token"));
	if (client_cookie(c) == NULL || csrf == NULL) {
		fprintf(stderr, "dataoptim: %s/api/v1/session answered no "
		    "session cookie or CSRF token\n", client_base(c));
		rc = CLI_NET;
		goto out;
	}
	cookie = util_xstrdup(client_cookie(c));
	client_session(c, cookie, csrf);
	json_decref(o);
	o = NULL;
	if (gethostname(host, sizeof(host)) != 0)
		util_fmt(host, sizeof(host), "this host");
	host[sizeof(host) - 1] = '\0';
	util_fmt(label, sizeof(label), "dataoptim CLI on %s", host);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/v1/account/tokens";
	r.json = body = json_pack("{s:s}", "label", label);
	rc = client_do(c, &r, &o);
	json_decref(body);
	body = NULL;
	if (rc == CLI_OK) {
		t = json_string_value(json_object_get(o, "token"));
		if (t == NULL)	/* {"token": {...}, "secret": "..."} */
			t = json_string_value(json_object_get(o, "secret"));
		if (t == NULL) {
			fprintf(stderr, "dataoptim: %s/api/v1/account/tokens "
			    "answered no token\n", client_base(c));
			rc = CLI_NET;
		} else
			*token = util_xstrdup(t);
	}
	/* end the web session whatever happened */
	memset(&r, 0, sizeof(r));
	r.method = "DELETE";
	r.path = "/api/v1/session";
	r.quiet = 1;
	client_do(c, &r, NULL);
out:
	explicit_bzero(pw, sizeof(pw));
	json_decref(body);
	json_decref(o);
	free(cookie);
	client_free(c);
	return rc;
}

int
cli_login(int argc, char **argv)
{
	struct remote_opts ro = { NULL, NULL, 0 };
	const char *email = NULL;
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro),
	    CLI_VALUE("--email", &email) };
	char line[LOGIN_MAX_LINE + 1], *server = NULL, *token = NULL;
	char *path = NULL, err[1024];
	struct client *c = NULL;
	json_t *me = NULL, *u;
	struct cred cr;
	int rc = CLI_ERROR;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL) != 0)
		goto usage;
	if ((server = login_server(ro.server)) == NULL) {
		fprintf(stderr, "dataoptim: no server: give --server URL\n");
		goto usage;
	}
	login_warn_plain(server);
	if (ro.token != NULL && strcmp(ro.token, "-") == 0) {
		/* on a terminal without echo: a token is a password */
		if ((isatty(STDIN_FILENO) ? login_secret_tty("token", line) :
		    login_line("token", line)) != 0)
			goto out;
		token = util_xstrdup(line);
	} else if (ro.token != NULL)
		token = util_xstrdup(ro.token);
	else if ((rc = login_password(server, email, ro.json, &token)) !=
	    CLI_OK)
		goto out;
	rc = CLI_ERROR;
	if ((c = client_new(server, token)) == NULL)
		goto out;
	client_json_errors(c, ro.json);
	if ((rc = client_get(c, "/api/v1/me", &me)) != CLI_OK)
		goto out;
	if ((u = remote_want(c, me, "user", JSON_OBJECT)) == NULL) {
		rc = CLI_NET;	/* not the API's: the token is not stored */
		goto out;
	}
	cr.server = (char *)client_base(c);
	cr.token = token;
	if (cred_save(&cr, &path, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: %s\n", err);
		rc = CLI_ERROR;
		goto out;
	}
	if (ro.json)
		remote_json_own(json_pack("{s:s, s:O, s:s}", "server",
		    client_base(c), "user", u, "credentials", path));
	else {
		const char *team = json_string_value(json_object_get(u,
		    "team"));

		fputs("logged in as ", stdout);
		remote_text(stdout, json_string_value(json_object_get(u,
		    "email")), 0);
		fputs(" (team ", stdout);
		remote_text(stdout, team ? team : "none", 0);
		printf(") at %s\ncredentials saved in %s\n", client_base(c),
		    path);
	}
	rc = CLI_OK;
	goto out;
usage:
	fprintf(stderr, "usage: dataoptim login [--server URL] [--token TOKEN "
	    "| --token - | --email E] [--json]\n");
out:
	json_decref(me);
	client_free(c);
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	free(server);
	free(path);
	return rc;
}

int
cli_logout(int argc, char **argv)
{
	struct remote_opts ro = { NULL, NULL, 0 };
	const struct cli_opt opts[] = { REMOTE_OPTS(&ro) };
	struct client *c = NULL;
	struct client_req r;
	struct cred f = { NULL, NULL };
	char err[1024];
	int rc, revoked = 0, removed = 0;
	long st;

	if (cli_parse_ex(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
	    NULL) != 0) {
		fprintf(stderr, "usage: dataoptim logout [--server URL] "
		    "[--token TOKEN] [--json]\n");
		return CLI_ERROR;
	}
	if ((rc = remote_connect(&ro, 1, &c)) != CLI_OK)
		return rc;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/api/v1/account/tokens/current/revoke";
	r.quiet = 1;
	rc = client_do(c, &r, NULL);
	st = client_status(c);
	if (rc == CLI_OK)
		revoked = 1;
	else if (st == 404 || st == 401)
		rc = CLI_OK;	/* an older server; a token already dead */
	else {
		client_report(c);
		goto out;
	}
	/* forget the file's token if it is the one for this server */
	if (cred_load(&f, err, sizeof(err)) > 0 && f.token != NULL &&
	    f.server != NULL && strcmp(f.server, client_base(c)) == 0) {
		free(f.token);
		f.token = NULL;
		if (cred_save(&f, NULL, err, sizeof(err)) != 0) {
			fprintf(stderr, "dataoptim: %s\n", err);
			rc = CLI_ERROR;
			goto out;
		}
		removed = 1;
	}
	if (ro.json)
		remote_json_own(json_pack("{s:s, s:b, s:b}", "server",
		    client_base(c), "revoked", revoked, "removed", removed));
	else
		printf("logged out of %s (token %s on the server%s)\n",
		    client_base(c), revoked ? "revoked" : "not revoked",
		    removed ? ", removed from the credentials file" : "");
out:
	cred_clear(&f);
	client_free(c);
	return rc;
}
