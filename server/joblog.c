#include "joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prune.h"
#include "util.h"

static const char joblog_cut[] = "\n[truncated: the log of this attempt "
    "is kept up to 16 MiB]\n";

/* The path of the log into out; -1 when job_id is not a job ID. */
static int
joblog_path(const char *state_dir, const char *job_id, int64_t attempt,
    char *out, size_t outsz)
{
	size_t n = strlen(job_id);

	if (n == 0 || n > 64 || strspn(job_id, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n || attempt < 1)
		return -1;
	util_fmt(out, outsz, "%s/logs/job-%s-%lld.log", state_dir, job_id,
	    (long long)attempt);
	return 0;
}

/* Write all of p; 0 or -1. */
static int
joblog_write(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 1 for a name of a job's log: job-<id>-<attempt>.log */
static int
joblog_is_log(const char *name)
{
	size_t l = strlen(name);

	return strncmp(name, "job-", 4) == 0 && l >= 9 &&
	    strcmp(name + l - 4, ".log") == 0;
}

/* Remove the logs in dir not written for JOBLOG_MAX_AGE, then the oldest
 * while the rest hold more than JOBLOG_MAX_TOTAL bytes; keep (a name in
 * dir, the new log) stays. */
static void
joblog_clean(const char *dir, const char *keep)
{
	struct prune p = { joblog_is_log, keep, JOBLOG_MAX_AGE, 0,
	    JOBLOG_MAX_TOTAL };

	prune_dir(dir, &p);
}

int
joblog_append(const char *state_dir, const char *job_id, int64_t attempt,
    const char *text, size_t len, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	size_t room;
	int fd, rc = 0;

	if (joblog_path(state_dir, job_id, attempt, path, sizeof(path)) != 0) {
		util_fmt(err, errlen, "job log: bad job ID");
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT) {
		char dir[PATH_MAX];

		util_fmt(dir, sizeof(dir), "%s/logs", state_dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			util_fmt(err, errlen, "%s: %s", dir, strerror(errno));
			return -1;
		}
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	}
	if (fd < 0 || fstat(fd, &st) != 0) {
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_size == 0) {	/* a new attempt's log: room for it */
		char dir[PATH_MAX];

		util_fmt(dir, sizeof(dir), "%s/logs", state_dir);
		joblog_clean(dir, strrchr(path, '/') + 1);
	}
	if ((uint64_t)st.st_size >= JOBLOG_MAX) {	/* cut already */
		close(fd);
		return 0;
	}
	room = (size_t)(JOBLOG_MAX - (uint64_t)st.st_size);
	if (len <= room)
		rc = joblog_write(fd, text, len);
	else
		rc = joblog_write(fd, text, room) != 0 ? -1 :
		    joblog_write(fd, joblog_cut, sizeof(joblog_cut) - 1);
	if (rc != 0)
		util_fmt(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

int
joblog_open(const char *state_dir, const char *job_id, int64_t attempt,
    uint64_t *size)
{
	char path[PATH_MAX];
	struct stat st;
	int fd;

	if (joblog_path(state_dir, job_id, attempt, path, sizeof(path)) != 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}
