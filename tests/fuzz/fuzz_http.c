/*
 * libFuzzer target: whole HTTP requests through dataoptimd's real request
 * handling.  At start it makes a state directory in a temp dir with a
 * small synthetic pool, a migrated SQLite database, a participant, an
 * organizer and a worker with known tokens and two tracks, and starts the
 * real server (libmicrohttpd with its threads, the router, the form
 * parser, the handlers, the data layer).  Each input is one connection:
 * a loopback TCP connection to the server's port, the input written in
 * chunks whose sizes come from the input's first byte, then the answer
 * read until the server closes (its idle timeout is 1 s here) or goes
 * quiet for 300 ms after answering; 5 s without a byte is a hang.  Any crash, sanitizer report or hang is a bug; an error answer
 * is just an answer.  Built and run by `make fuzz` (seeds in
 * tests/fuzz/http-seeds/, where Bearer tokens are the ones made here).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "http.h"
#include "pool.h"
#include "srv.h"
#include "synth.h"
#include "vresult.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_server *fz_hs;
static struct sockaddr_in fz_addr;	/* where it listens */

#define FZ_PARTICIPANT "do_fuzzParticipantToken00000000000000000000000"
#define FZ_ADMIN "do_fuzzAdminToken00000000000000000000000000000"
#define FZ_WORKER "do_fuzzWorkerToken0000000000000000000000000000"

static void
fz_die(const char *what, const char *err)
{
	fprintf(stderr, "fuzz_http: %s: %s\n", what, err);
	exit(1);
}

static void
fz_token(struct db *db, const char *email, const char *token,
    const char *role)
{
	char hash[AUTH_HASH_HEX];
	int64_t id;

	auth_sha256_hex(token, strlen(token), hash);
	if (db_token_add(db, email, hash, role, "fuzz", time(NULL), &id)
	    != DB_OK)
		fz_die("token", email);
}

static void
fz_setup(const char *dir)
{
	char path[512], pool[512], err[512], pw[AUTH_PW_ENCODED];
	struct db_track t;
	struct vresult vr;
	struct cfg *cfg;
	struct srv *srv;
	struct db *db;
	int version, lsock, in_use;

	snprintf(path, sizeof(path), "%s/pool", dir);
	if (synth_pool(path, 0.001, 1, err, sizeof(err)) != 0)
		fz_die("synth", err);
	snprintf(path, sizeof(path), "%s/pool/data", dir);
	snprintf(pool, sizeof(pool), "%s/pool.idx", dir);
	vresult_init(&vr);
	if (pool_build(path, pool, &vr, err, sizeof(err)) != 0)
		fz_die("pool build", err);
	vresult_clear(&vr);
	snprintf(path, sizeof(path), "%s/state", dir);
	if (mkdir(path, 0700) != 0)
		fz_die("mkdir", strerror(errno));
	snprintf(path, sizeof(path), "%s/state/db", dir);
	if ((db = db_open(path, err, sizeof(err))) == NULL ||
	    db_migrate(db, &version, err, sizeof(err)) != DB_OK)
		fz_die("database", err);
	if (auth_password_hash("fuzz-password-1", pw, err, sizeof(err)) != 0)
		fz_die("password", err);
	db_team_add(db, "fuzzers", 0, time(NULL));
	db_team_add(db, "ops", 0, time(NULL));
	db_user_add(db, "fuzzers", "p@x.org", pw, 0, time(NULL));
	db_user_add(db, NULL, "admin@x.org", pw, 1, time(NULL));
	db_user_add(db, "ops", "w@x.org", pw, 0, time(NULL));
	fz_token(db, "p@x.org", FZ_PARTICIPANT, "participant");
	fz_token(db, "admin@x.org", FZ_ADMIN, "participant");
	fz_token(db, "w@x.org", FZ_WORKER, "worker");
	memset(&t, 0, sizeof(t));
	snprintf(t.slug, sizeof(t.slug), "std");
	t.kind = KIND_STANDARD;
	snprintf(t.metric, sizeof(t.metric), "overall");
	t.budget = 1000;
	db_track_add(db, &t, time(NULL));
	snprintf(t.slug, sizeof(t.slug), "byod");
	t.kind = KIND_BYOD;
	db_track_add(db, &t, time(NULL));
	db_close(db);

	cfg = cfg_new();
	snprintf(path, sizeof(path), "%s/state", dir);
	if (cfg_set(cfg, "storage", "state_dir", path, err, sizeof(err)) ||
	    cfg_set(cfg, "storage", "pool", pool, err, sizeof(err)))
		fz_die("config", err);
	snprintf(path, sizeof(path), "%s/state/db", dir);
	if (cfg_set(cfg, "storage", "db", path, err, sizeof(err)) ||
	    cfg_set(cfg, "server", "listen", "127.0.0.1:0", err, sizeof(err)) ||
	    cfg_set(cfg, "server", "access_log", "false", err, sizeof(err)) ||
	    cfg_set(cfg, "server", "per_ip_connections", "0", err,
	    sizeof(err)) ||
	    cfg_set(cfg, "server", "connection_timeout", "1", err,
	    sizeof(err)) ||
	    cfg_set(cfg, "submissions", "max_upload_mb", "4", err,
	    sizeof(err)) ||
	    cfg_set(cfg, "storage", "min_free_mb", "0", err, sizeof(err)))
		fz_die("config", err);
	if ((lsock = http_listen("127.0.0.1:0", &in_use, err, sizeof(err)))
	    < 0)
		fz_die("listen", err);
	if ((srv = srv_open(cfg, err, sizeof(err))) == NULL)
		fz_die("srv_open", err);
	if (srv_maint_start(srv) != 0)
		fz_die("maint", "cannot start");
	if ((fz_hs = http_start(srv, lsock, err, sizeof(err))) == NULL)
		fz_die("http_start", err);
	memset(&fz_addr, 0, sizeof(fz_addr));
	fz_addr.sin_family = AF_INET;
	fz_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fz_addr.sin_port = htons((uint16_t)http_port(fz_hs));
}

static int
fz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* The state lives in $FUZZ_HTTP_DIR (default build/fuzz/http-state),
 * made anew at every start: the server's threads still use it while the
 * fuzzer exits, so it is not removed then. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FUZZ_HTTP_DIR");

	(void)argc;
	(void)argv;
	if (dir == NULL)
		dir = "build/fuzz/http-state";
	signal(SIGPIPE, SIG_IGN);
	(void)nftw(dir, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(dir, 0700) != 0)
		fz_die(dir, strerror(errno));
	fz_setup(dir);
	return 0;
}

/* Read whatever the server answers: until it closes, or (it keeps the
 * connection for the next request) 300 ms pass after its last byte.
 * Nothing at all within 5 s is a hang. */
static void
fz_drain(int fd)
{
	char buf[65536];
	struct pollfd p = { fd, POLLIN, 0 };
	int waited = 0, got = 0;

	while (waited < (got ? 300 : 5000)) {
		int r = poll(&p, 1, 50);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			waited += 50;
			continue;
		}
		if (read(fd, buf, sizeof(buf)) <= 0)
			return;
		got = 1;
		waited = 0;
	}
	if (got)
		return;
	fprintf(stderr, "fuzz_http: no answer within 5 s\n");
	abort();		/* a hang is a finding */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, k = 0, n;
	int fd;
	uint8_t seed;

	if (size < 1)
		return 0;
	seed = data[0];		/* chunk sizes: from the first byte */
	data++;
	size--;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&fz_addr, sizeof(fz_addr)) != 0) {
		close(fd);
		return 0;
	}
	while (off < size) {
		n = 1 + (size_t)((seed * 31u + k++ * 17u) % 997u);
		if (n > size - off)
			n = size - off;
		if (write(fd, data + off, n) != (ssize_t)n)
			break;
		off += n;
	}
	shutdown(fd, SHUT_WR);
	fz_drain(fd);
	close(fd);
	return 0;
}
