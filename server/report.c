#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "prune.h"
#include "util.h"

struct report {
	char dir[PATH_MAX];	/* <state>/reports */
	char tmp[PATH_MAX];	/* the file while it is written */
	char path[PATH_MAX];	/* where it goes */
	char name[REPORT_NAME_LEN + 1];
	FILE *fp;		/* NULL once closed */
	int committed;
};

/* 1 if name is REPORT_NAME_LEN characters of the base64url alphabet. */
static int
report_name_ok(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return i == REPORT_NAME_LEN;
}

/* What report_clean() keeps: reports, and their temporary files. */
static int
report_is_report(const char *name)
{
	return name[0] != '.';
}

static int
report_is_tmp(const char *name)
{
	return strncmp(name, ".tmp-", 5) == 0;
}

/* Remove the reports older than REPORT_MAX_AGE and the temporary files
 * older than an hour (left over from a crash), then the oldest beyond
 * REPORT_MAX_FILES - 1 or REPORT_MAX_TOTAL - REPORT_MAX_BYTES bytes (room
 * for the new one). */
static void
report_clean(const char *dir)
{
	static const struct prune tmp = { report_is_tmp, NULL, 3600, 0, 0 };
	static const struct prune reports = { report_is_report, NULL,
	    REPORT_MAX_AGE, REPORT_MAX_FILES - 1,
	    REPORT_MAX_TOTAL - REPORT_MAX_BYTES };

	prune_dir(dir, &tmp);
	prune_dir(dir, &reports);
}

struct report *
report_new(const char *state_dir, int64_t team_id, char *err, size_t errlen)
{
	struct report *rp = util_xcalloc(1, sizeof(*rp));
	int fd;

	util_fmt(rp->dir, sizeof(rp->dir), "%s/reports", state_dir);
	if (mkdir(rp->dir, 0700) != 0 && errno != EEXIST) {
		util_fmt(err, errlen, "%s: %s", rp->dir, strerror(errno));
		free(rp);
		return NULL;
	}
	report_clean(rp->dir);
	if (auth_random(rp->name, sizeof(rp->name)) != 0) {
		util_fmt(err, errlen, "no random bytes for a report name");
		free(rp);
		return NULL;
	}
	util_fmt(rp->tmp, sizeof(rp->tmp), "%s/.tmp-%s", rp->dir, rp->name);
	util_fmt(rp->path, sizeof(rp->path), "%s/%lld-%s.txt", rp->dir,
	    (long long)team_id, rp->name);
	fd = open(rp->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd < 0 || (rp->fp = fdopen(fd, "w")) == NULL) {
		util_fmt(err, errlen, "%s: %s", rp->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(rp->tmp);
		}
		free(rp);
		return NULL;
	}
	return rp;
}

FILE *
report_fp(struct report *rp)
{
	return rp->fp;
}

const char *
report_name(const struct report *rp)
{
	return rp->name;
}

int
report_commit(struct report *rp)
{
	int bad = ferror(rp->fp);

	if (fclose(rp->fp) != 0)
		bad = 1;
	rp->fp = NULL;
	if (bad) {
		fprintf(stderr, "dataoptimd: %s: cannot write the report\n",
		    rp->tmp);
		return -1;
	}
	if (rename(rp->tmp, rp->path) != 0) {
		fprintf(stderr, "dataoptimd: %s: %s\n", rp->path,
		    strerror(errno));
		return -1;
	}
	rp->committed = 1;
	return 0;
}

void
report_free(struct report *rp)
{
	if (rp == NULL)
		return;
	if (rp->fp != NULL)
		fclose(rp->fp);
	if (!rp->committed)
		unlink(rp->tmp);
	free(rp);
}

/* The file name of report name of any team in dir into out; 0 or -1. */
static int
report_find(const char *dir, const char *name, char *out, size_t outsz)
{
	size_t nl = strlen(name);
	struct dirent *de;
	int rc = -1;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] != '.' && l == nl + 4 + 1 + strspn(
		    de->d_name, "0123456789") && de->d_name[l - nl - 5] == '-' &&
		    strncmp(de->d_name + l - nl - 4, name, nl) == 0 &&
		    strcmp(de->d_name + l - 4, ".txt") == 0) {
			util_fmt(out, outsz, "%s", de->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	return rc;
}

int
report_open(const char *state_dir, const char *name, int64_t team_id,
    uint64_t *size)
{
	char dir[PATH_MAX], file[NAME_MAX + 1], path[PATH_MAX + NAME_MAX + 2];
	struct stat st;
	int fd;

	if (!report_name_ok(name))
		return -1;
	util_fmt(dir, sizeof(dir), "%s/reports", state_dir);
	if (team_id >= 0)
		util_fmt(file, sizeof(file), "%lld-%s.txt", (long long)team_id,
		    name);
	else if (report_find(dir, name, file, sizeof(file)) != 0)
		return -1;
	util_fmt(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}
