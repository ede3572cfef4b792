#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pool.h"
#include "synth.h"
#include "vresult.h"

static char *tu_dirs[64];
static int tu_ndirs;

const char *
tu_tmpdir(void)
{
	char tmpl[] = "/tmp/dataoptim-test.XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		abort();
	}
	if (tu_ndirs == 64)
		abort();
	tu_dirs[tu_ndirs] = strdup(tmpl);
	return tu_dirs[tu_ndirs++];
}

int
tu_none(void **state)
{
	(void)state;
	return 0;
}

void
tu_cleanup(void)
{
	char cmd[256];

	while (tu_ndirs > 0) {
		char *d = tu_dirs[--tu_ndirs];

		if (getenv("DO_KEEP_TMP") == NULL) {
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
			if (system(cmd) != 0)
				fprintf(stderr, "cannot remove %s\n", d);
		}
		free(d);
	}
}

const char *
tu_write(const char *dir, const char *name, const void *data, size_t len)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];
	FILE *fp;

	snprintf(p, 512, "%s/%s", dir, name);
	if ((fp = fopen(p, "wb")) == NULL || fwrite(data, 1, len, fp) != len ||
	    fclose(fp) != 0) {
		perror(p);
		abort();
	}
	return p;
}

const char *
tu_writes(const char *dir, const char *name, const char *s)
{
	return tu_write(dir, name, s, strlen(s));
}

const char *
tu_shared(const char *name)
{
	static char p[512];
	const char *root = getenv("DATAOPTIM_SHARED");

	snprintf(p, sizeof(p), "%s/%s", root ? root : "../shared/dataoptim",
	    name);
	return p;
}

const char *
tu_bin(const char *prog)
{
	static char p[512];
	const char *bin = getenv("DO_BIN");

	snprintf(p, sizeof(p), "%s/%s", bin ? bin : "bin", prog);
	return p;
}

int
tu_run(char *const argv[], char *out, size_t outsz)
{
	int pfd[2], status;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(pfd) != 0)
		abort();
	if ((pid = fork()) == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char sink[4096];
		char *dst = got + 1 < outsz ? out + got : sink;
		size_t room = got + 1 < outsz ? outsz - 1 - got : sizeof(sink);

		r = read(pfd[0], dst, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (dst != sink)
			got += (size_t)r;
	}
	close(pfd[0]);
	if (outsz)
		out[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

const char *
tu_synth_pool(double scale, const char **idx)
{
	static char dir[512], ipath[600];
	static double made = -1;
	char err[512], data[600];
	struct vresult res;

	if (made != scale) {
		snprintf(dir, sizeof(dir), "%s", tu_tmpdir());
		if (synth_pool(dir, scale, 42, err, sizeof(err)) != 0) {
			fprintf(stderr, "synth: %s\n", err);
			abort();
		}
		snprintf(data, sizeof(data), "%s/data", dir);
		snprintf(ipath, sizeof(ipath), "%s/pool.idx", dir);
		vresult_init(&res);
		if (pool_build(data, ipath, &res, err, sizeof(err)) != 0) {
			fprintf(stderr, "pool build: %s (%llu errors)\n", err,
			    (unsigned long long)res.n_errors);
			abort();
		}
		vresult_clear(&res);
		made = scale;
	}
	if (idx)
		*idx = ipath;
	return dir;
}
