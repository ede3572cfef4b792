#include "prune.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct prune_ent {
	char name[NAME_MAX + 1];
	time_t mtime;
	uint64_t size;
};

/* Oldest first. */
static int
prune_ent_cmp(const void *a, const void *b)
{
	const struct prune_ent *x = a, *y = b;

	return (x->mtime > y->mtime) - (x->mtime < y->mtime);
}

void
prune_dir(const char *dir, const struct prune *p)
{
	struct prune_ent *v = NULL;
	size_t n = 0, cap = 0, i;
	time_t now = time(NULL);
	uint64_t total = 0;
	struct dirent *de;
	struct stat st;
	int dfd;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (!p->match(de->d_name) ||
		    (p->keep != NULL && strcmp(de->d_name, p->keep) == 0))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (now - st.st_mtime > p->max_age) {
			(void)unlinkat(dfd, de->d_name, 0);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = util_xreallocarray(v, cap, sizeof(*v));
		}
		util_fmt(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].mtime = st.st_mtime;
		v[n].size = (uint64_t)st.st_size;
		total += v[n].size;
		n++;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), prune_ent_cmp);
	for (i = 0; i < n && ((p->max_files > 0 && n - i > p->max_files) ||
	    (p->max_bytes > 0 && total > p->max_bytes)); i++) {
		(void)unlinkat(dfd, v[i].name, 0);
		total -= v[i].size;
	}
	closedir(d);
	free(v);
}
