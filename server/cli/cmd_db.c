/*
 * cmd_db: the organizer commands that work on the database: migrate,
 * team add, user add, token create|revoke, track add.  Each takes
 * --db PATH, else the database named by --config FILE (or
 * $DATAOPTIM_CONFIG), else the default configuration's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../auth.h"
#include "../cfg.h"
#include "../db.h"
#include "cli.h"
#include "util.h"

/* Open and migrate the database chosen by --db / --config. */
static struct db *
cli_db_open(const char *dbpath, const char *config)
{
	struct cfg *c = cfg_new();
	struct db *db = NULL;
	char err[512];
	int version;

	if (config == NULL)
		config = getenv("DATAOPTIM_CONFIG");
	if (dbpath == NULL && config != NULL &&
	    cfg_load(c, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: %s\n", err);
		goto out;
	}
	if (dbpath == NULL)
		dbpath = c->db;
	db = db_open(dbpath, err, sizeof(err));
	if (db == NULL) {
		fprintf(stderr, "dataoptim: %s\n", err);
		goto out;
	}
	if (db_migrate(db, &version, err, sizeof(err)) != DB_OK) {
		fprintf(stderr, "dataoptim: %s: %s\n", dbpath, err);
		db_close(db);
		db = NULL;
	}
out:
	cfg_free(c);
	return db;
}

int
cli_migrate(int argc, char **argv)
{
	static const char *const opts[] = { "--db", "--config", NULL };
	const char *v[2];
	struct db *db;
	int version;

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0)
		return CLI_ERROR;
	if ((db = cli_db_open(v[0], v[1])) == NULL)
		return CLI_ERROR;
	db_schema_version(db, &version);
	printf("schema version %d\n", version);
	db_close(db);
	return CLI_OK;
}

/* Text from the command line that the server will show: the same rule
 * as its edge (valid UTF-8, one line, no control character, at most max
 * bytes).  0, or -1 after telling why. */
static int
cli_text(const char *what, const char *s, size_t max)
{
	char why[160];

	if (s == NULL || util_text_check(s, strlen(s), 0, max, why,
	    sizeof(why)) == 0)
		return 0;
	fprintf(stderr, "dataoptim: %s %s\n", what, why);
	return -1;
}

int
cli_team_add(int argc, char **argv)
{
	static const char *const opts[] = { "--db", "--config", NULL };
	static const char *const flags[] = { "--baseline", NULL };
	const char *v[2], *name = NULL, *why;
	char other[128];
	int f[1], rc;
	struct db *db;

	if (cli_parse(argc, argv, opts, v, flags, f, &name) != 0)
		return CLI_ERROR;
	if (name == NULL || name[0] == '\0' || strlen(name) > 100) {
		fprintf(stderr, "dataoptim: team add NAME (1 to 100 bytes)\n");
		return CLI_ERROR;
	}
	if (cli_text("team name", name, 100) != 0)
		return CLI_ERROR;
	if ((why = db_team_name_problem(name)) != NULL) {
		fprintf(stderr, "dataoptim: team add NAME: the name %s\n", why);
		return CLI_ERROR;
	}
	if ((db = cli_db_open(v[0], v[1])) == NULL)
		return CLI_ERROR;
	rc = db_team_add(db, name, f[0], (int64_t)time(NULL));
	if (rc == DB_OK)
		db_audit(db, "cli", "team.add", name, NULL, (int64_t)time(NULL));
	/* look-alike names ("ALPHA", "alpha ") are one name */
	if (rc == DB_CONFLICT && db_team_lookalike(db, name, other,
	    sizeof(other)) != DB_OK)
		util_fmt(other, sizeof(other), "%s", name);
	db_close(db);
	if (rc == DB_CONFLICT) {
		fprintf(stderr, "dataoptim: team '%s' exists (names that "
		    "differ only in case or spaces are the same name)\n",
		    other);
		return CLI_INVALID;
	}
	if (rc != DB_OK)
		return CLI_ERROR;
	printf("team %s added\n", name);
	return CLI_OK;
}

/* A password from stdin (when it is not a terminal and gives a line),
 * else a generated one (*generated = 1). */
static int
cli_password(char *pw, size_t pwsz, int *generated)
{
	*generated = 0;
	if (!isatty(0) && fgets(pw, (int)pwsz, stdin) != NULL) {
		pw[strcspn(pw, "\r\n")] = '\0';
		if (pw[0] != '\0')
			return 0;
	}
	*generated = 1;
	return auth_random(pw, 21);
}

int
cli_user_add(int argc, char **argv)
{
	static const char *const opts[] = { "--db", "--config", "--team",
	    "--email", NULL };
	static const char *const flags[] = { "--admin", NULL };
	const char *v[4];
	char pw[256], hash[AUTH_PW_ENCODED], err[256];
	int f[1], gen, rc;
	struct db *db;

	if (cli_parse(argc, argv, opts, v, flags, f, NULL) != 0)
		return CLI_ERROR;
	if (v[3] == NULL || strchr(v[3], '@') == NULL ||
	    (v[2] == NULL && !f[0])) {
		fprintf(stderr, "dataoptim: user add --team NAME --email E "
		    "[--admin] (a participant needs a team)\n");
		return CLI_ERROR;
	}
	if (cli_text("email", v[3], 254) != 0 ||
	    cli_text("team name", v[2], 100) != 0)
		return CLI_ERROR;
	if (cli_password(pw, sizeof(pw), &gen) != 0 ||
	    auth_password_hash(pw, hash, err, sizeof(err)) != 0) {
		fprintf(stderr, "dataoptim: password: %s\n", err);
		return CLI_ERROR;
	}
	if ((db = cli_db_open(v[0], v[1])) == NULL)
		return CLI_ERROR;
	rc = db_user_add(db, v[2], v[3], hash, f[0], (int64_t)time(NULL));
	if (rc == DB_OK)
		db_audit(db, "cli", "user.add", v[3], v[2], (int64_t)time(NULL));
	db_close(db);
	if (rc == DB_NOTFOUND) {
		fprintf(stderr, "dataoptim: no team '%s'\n", v[2]);
		return CLI_INVALID;
	}
	if (rc == DB_CONFLICT) {
		fprintf(stderr, "dataoptim: user '%s' exists\n", v[3]);
		return CLI_INVALID;
	}
	if (rc != DB_OK)
		return CLI_ERROR;
	if (gen)
		printf("user %s added; password (shown once): %s\n", v[3], pw);
	else
		printf("user %s added\n", v[3]);
	return CLI_OK;
}

int
cli_token_create(int argc, char **argv)
{
	static const char *const opts[] = { "--db", "--config", "--email",
	    "--role", "--label", NULL };
	const char *v[5], *role;
	char tok[AUTH_SECRET_LEN], hash[AUTH_HASH_HEX];
	int64_t id = 0;
	struct db *db;
	int rc;

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0)
		return CLI_ERROR;
	role = v[3] ? v[3] : "participant";
	if (v[2] == NULL || (strcmp(role, "participant") != 0 &&
	    strcmp(role, "worker") != 0)) {
		fprintf(stderr, "dataoptim: token create --email E "
		    "[--role participant|worker] [--label L]\n");
		return CLI_ERROR;
	}
	if (cli_text("label", v[4], 100) != 0)
		return CLI_ERROR;
	if (auth_secret(tok) != 0) {
		fprintf(stderr, "dataoptim: no random bytes\n");
		return CLI_ERROR;
	}
	auth_sha256_hex(tok, strlen(tok), hash);
	if ((db = cli_db_open(v[0], v[1])) == NULL)
		return CLI_ERROR;
	rc = db_token_add(db, v[2], hash, role, v[4], (int64_t)time(NULL), &id);
	if (rc == DB_OK)
		db_audit(db, "cli", "token.create", v[2], role,
		    (int64_t)time(NULL));
	db_close(db);
	if (rc == DB_NOTFOUND) {
		fprintf(stderr, "dataoptim: no user '%s'\n", v[2]);
		return CLI_INVALID;
	}
	if (rc != DB_OK)
		return CLI_ERROR;
	/* The token alone on stdout (for scripts); it is shown only now. */
	fprintf(stderr, "token %lld (%s) for %s; shown once:\n", (long long)id,
	    role, v[2]);
	printf("%s\n", tok);
	return CLI_OK;
}

int
cli_token_revoke(int argc, char **argv)
{
	static const char *const opts[] = { "--db", "--config", "--id", NULL };
	const char *v[3], *tok = NULL;
	char hash[AUTH_HASH_HEX] = "";
	struct db *db;
	int rc;

	if (cli_parse(argc, argv, opts, v, NULL, NULL, &tok) != 0)
		return CLI_ERROR;
	if ((v[2] == NULL) == (tok == NULL)) {
		fprintf(stderr, "dataoptim: token revoke TOKEN | --id N\n");
		return CLI_ERROR;
	}
	if (tok != NULL)
		auth_sha256_hex(tok, strlen(tok), hash);
	if ((db = cli_db_open(v[0], v[1])) == NULL)
		return CLI_ERROR;
	rc = db_token_revoke(db, v[2] ? strtoll(v[2], NULL, 10) : 0, hash,
	    (int64_t)time(NULL));
	if (rc == DB_OK)
		db_audit(db, "cli", "token.revoke", v[2] ? v[2] : "(by value)",
		    NULL, (int64_t)time(NULL));
	db_close(db);
	if (rc == DB_NOTFOUND) {
		fprintf(stderr, "dataoptim: no such live token\n");
		return CLI_INVALID;
	}
	if (rc != DB_OK)
		return CLI_ERROR;
	printf("token revoked\n");
	return CLI_OK;
}

/* "2025-06-01", "2025-06-01T12:00:00Z" or UNIX seconds; -1 if bad. */
static int64_t
cli_time(const char *s)
{
	struct tm tm;
	const char *end;
	char *e;
	long long v;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL &&
	    *end == '\0')
		return (int64_t)timegm(&tm);
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0')
		return (int64_t)timegm(&tm);
	errno = 0;
	v = strtoll(s, &e, 10);
	if (errno == 0 && e != s && *e == '\0' && v > 0)
		return v;
	return -1;
}

static int
cli_count(const char *s, int64_t *out, int64_t min)
{
	char *e;
	long long v;

	if (s == NULL)
		return 0;
	errno = 0;
	v = strtoll(s, &e, 10);
	if (errno != 0 || e == s || *e != '\0' || v < min)
		return -1;
	*out = v;
	return 0;
}

/*
 * track add: through the organizer API's data path (db_admin_track_create:
 * the insert, the settings and the audit row "track.create" with the new
 * track, in one transaction), as actor "cli".
 */
int
cli_track_add(int argc, char **argv)
{
	static const char *const opts[] = { "--db", "--config", "--slug",
	    "--kind", "--budget", "--per-day", "--total", "--opens",
	    "--closes", "--metric", "--title", "--teams-lock", NULL };
	const char *v[12];
	struct db_trackset ts;
	enum track_kind kind;
	struct db *db;
	json_t *o = NULL;
	size_t i;
	int rc;

	if (cli_parse(argc, argv, opts, v, NULL, NULL, NULL) != 0)
		return CLI_ERROR;
	memset(&ts, 0, sizeof(ts));
	if (v[2] == NULL || v[2][0] == '\0' || strlen(v[2]) > 63 ||
	    track_kind_parse(v[3], &kind) != 0 || v[4] == NULL ||
	    cli_count(v[4], &ts.budget, 1) || cli_count(v[5], &ts.per_day, 0) ||
	    cli_count(v[6], &ts.total, 0) ||
	    (v[7] && (ts.opens_at = cli_time(v[7])) < 0) ||
	    (v[8] && (ts.closes_at = cli_time(v[8])) < 0) ||
	    (v[9] && (v[9][0] == '\0' || strlen(v[9]) > 31)) ||
	    (v[11] && (ts.teams_lock_at = cli_time(v[11])) < 0)) {
		fprintf(stderr, "dataoptim: track add --slug S --kind "
		    "standard|byod --budget N [--per-day N] [--total N] "
		    "[--opens T] [--closes T] [--metric TASK] [--title T] "
		    "[--teams-lock T]\n"
		    "  T: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or UNIX seconds "
		    "(UTC); title: one line, at most 200 bytes\n");
		return CLI_ERROR;
	}
	for (i = 0; v[2][i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", v[2][i])) {
			fprintf(stderr, "dataoptim: slug: lowercase letters, "
			    "digits, '-' and '_' only\n");
			return CLI_ERROR;
		}
	if (cli_text("title", v[10], 200) != 0 ||
	    cli_text("metric", v[9], 31) != 0)
		return CLI_ERROR;
	ts.mask = DB_TS_BUDGET | DB_TS_PER_DAY | DB_TS_TOTAL |
	    (v[7] ? DB_TS_OPENS : 0) | (v[8] ? DB_TS_CLOSES : 0) |
	    (v[9] ? DB_TS_METRIC : 0) | (v[10] ? DB_TS_TITLE : 0) |
	    (v[11] ? DB_TS_TEAMS_LOCK : 0);
	ts.metric = v[9];
	ts.title = v[10];
	if ((db = cli_db_open(v[0], v[1])) == NULL)
		return CLI_ERROR;
	rc = db_admin_track_create(db, v[2], track_kind_name(kind), &ts,
	    "cli", (int64_t)time(NULL), &o);
	json_decref(o);
	db_close(db);
	if (rc == DB_CONFLICT) {
		fprintf(stderr, "dataoptim: track '%s' exists\n", v[2]);
		return CLI_INVALID;
	}
	if (rc != DB_OK)
		return CLI_ERROR;
	printf("track %s added\n", v[2]);
	return CLI_OK;
}
