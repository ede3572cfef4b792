/*
 * pool_walk: find a pool's files under its data directory (see pool.h for
 * the rules and pool_int.h for the interface).  One path buffer holds
 * "<datadir>/<relative path>" as the walk goes down and comes back; the
 * folders on the way down (device and inode) are kept to refuse a link
 * that leads back to one of them.
 */
#include "pool_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pool.h"
#include "util.h"
#include "vresult.h"

struct pw {
	struct pool__file *files;
	uint32_t n, cap;
	struct vresult *res;
	char *err;
	size_t errlen;
	char path[PATH_MAX];	/* datadir, then "/" and the relative path */
	size_t root;		/* length of datadir in path */
	struct {
		dev_t dev;
		ino_t ino;
		size_t len;	/* length of path for that folder */
	} anc[POOL_MAX_DEPTH + 1];	/* the data dir, then its subfolders */
};

/* The relative path of the entry at the end of w->path. */
static const char *
pw_rel(const struct pw *w)
{
	return w->path + w->root + 1;
}

static int
pw_is_json(const char *name, size_t len)
{
	return len > 5 && strcmp(name + len - 5, ".json") == 0;
}

/* Record the regular file at w->path (its stat in st). */
static int
pw_add(struct pw *w, const struct stat *st)
{
	const char *rel = pw_rel(w);

	if (strlen(rel) > POOL_MAX_PATH) {
		vresult_error(w->res, 0, -1, -1, rel, NULL, "path longer than "
		    "%d bytes below the data directory", POOL_MAX_PATH);
		return 0;
	}
	if (w->n == POOL_MAX_FILES) {
		util_fmt(w->err, w->errlen, "more than %d .json files under %.*s",
		    POOL_MAX_FILES, (int)w->root, w->path);
		return -1;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->files = util_xreallocarray(w->files, w->cap,
		    sizeof(*w->files));
	}
	w->files[w->n].path = util_xstrdup(rel);
	w->files[w->n].size = (uint64_t)st->st_size;
	w->files[w->n].mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	w->n++;
	return 0;
}

/* 1 if the folder st is one of those on the way down (told), else 0. */
static int
pw_loop(struct pw *w, const struct stat *st, int depth)
{
	int d;

	for (d = 0; d <= depth; d++) {
		if (w->anc[d].dev != st->st_dev || w->anc[d].ino != st->st_ino)
			continue;
		if (d == 0)
			vresult_error(w->res, 0, -1, -1, pw_rel(w), NULL,
			    "a symbolic link loop: this folder is the data "
			    "directory");
		else
			vresult_error(w->res, 0, -1, -1, pw_rel(w), NULL,
			    "a symbolic link loop: this folder is %.*s",
			    (int)(w->anc[d].len - w->root - 1),
			    w->path + w->root + 1);
		return 1;
	}
	return 0;
}

static int pw_dir(struct pw *w, size_t len, int depth);

/* The entry at the end of w->path (name, nl bytes, d_type type). */
static int
pw_entry(struct pw *w, const char *name, size_t nl, unsigned char type,
    int depth)
{
	size_t len = strlen(w->path);
	struct stat st;

	/* without a link or an unknown type, only folders and pool files
	 * need a stat: the rest (images, say) costs one readdir entry */
	if (type == DT_REG && !pw_is_json(name, nl))
		return 0;
	if (type != DT_REG && type != DT_DIR && type != DT_LNK &&
	    type != DT_UNKNOWN)
		return 0;
	if (stat(w->path, &st) != 0) {
		if (pw_is_json(name, nl))
			vresult_error(w->res, 0, -1, -1, pw_rel(w), NULL,
			    "cannot read: %s", strerror(errno));
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return pw_is_json(name, nl) ? pw_add(w, &st) : 0;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth == POOL_MAX_DEPTH) {
		vresult_error(w->res, 0, -1, -1, pw_rel(w), NULL, "folder more "
		    "than %d levels below the data directory (pool build reads "
		    "no deeper)", POOL_MAX_DEPTH);
		return 0;
	}
	if (pw_loop(w, &st, depth))
		return 0;
	w->anc[depth + 1].dev = st.st_dev;
	w->anc[depth + 1].ino = st.st_ino;
	w->anc[depth + 1].len = len;
	return pw_dir(w, len, depth + 1);
}

/* Walk the folder w->path (len bytes), depth levels below the data dir. */
static int
pw_dir(struct pw *w, size_t len, int depth)
{
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(w->path)) == NULL) {
		util_fmt(w->err, w->errlen, "cannot open directory %s: %s",
		    w->path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(dp)) != NULL) {
		size_t nl = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (len + 1 + nl >= sizeof(w->path)) {
			vresult_error(w->res, 0, -1, -1, depth ? pw_rel(w) : ".",
			    NULL, "a name in this folder makes a path too long: "
			    "%s", de->d_name);
			continue;
		}
		w->path[len] = '/';
		memcpy(w->path + len + 1, de->d_name, nl + 1);
		rc = pw_entry(w, de->d_name, nl, de->d_type, depth);
		w->path[len] = '\0';
	}
	closedir(dp);
	return rc;
}

static int
pw_cmp(const void *x, const void *y)
{
	return strcmp(((const struct pool__file *)x)->path,
	    ((const struct pool__file *)y)->path);
}

int
pool__walk(const char *absdir, struct pool__file **files, uint32_t *n,
    struct vresult *res, char *err, size_t errlen)
{
	struct pw *w = util_xcalloc(1, sizeof(*w));
	struct stat st;
	int rc = -1;

	*files = NULL;
	*n = 0;
	w->res = res;
	w->err = err;
	w->errlen = errlen;
	w->root = strlen(absdir);
	if (w->root >= sizeof(w->path) - 2) {
		util_fmt(err, errlen, "data directory name too long: %s", absdir);
		goto out;
	}
	memcpy(w->path, absdir, w->root + 1);
	if (stat(absdir, &st) != 0) {
		util_fmt(err, errlen, "cannot open directory %s: %s", absdir,
		    strerror(errno));
		goto out;
	}
	w->anc[0].dev = st.st_dev;
	w->anc[0].ino = st.st_ino;
	w->anc[0].len = w->root;
	if (pw_dir(w, w->root, 0) != 0)
		goto out;
	if (w->n == 0 && res->n_errors == 0) {
		util_fmt(err, errlen, "no .json files in %s or its subfolders",
		    absdir);
		goto out;
	}
	qsort(w->files, w->n, sizeof(*w->files), pw_cmp);
	*files = w->files;
	*n = w->n;
	w->files = NULL;
	rc = 0;
out:
	pool__walk_free(w->files, w->n);
	free(w);
	return rc;
}

void
pool__walk_free(struct pool__file *files, uint32_t n)
{
	uint32_t i;

	if (files == NULL)
		return;
	for (i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}
