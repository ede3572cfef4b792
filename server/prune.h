/*
 * prune: keep a directory of files the server writes (error reports, job
 * logs) within an age, a count and a size.  Only regular files whose
 * name the caller's match() accepts are looked at (links and
 * directories never); nothing is followed out of the directory.
 */
#ifndef DO_PRUNE_H
#define DO_PRUNE_H

#include <stddef.h>
#include <stdint.h>

struct prune {
	int (*match)(const char *name);	/* 1: a file of this kind */
	const char *keep;	/* a name never removed (NULL: none) */
	int64_t max_age;	/* seconds since written; older ones go */
	size_t max_files;	/* then the oldest beyond this many (0: any) */
	uint64_t max_bytes;	/* and while they hold more (0: any) */
};

/* Apply p to dir: remove the matching files older than p->max_age, then
 * the oldest of the rest while there are more than p->max_files or they
 * hold more than p->max_bytes.  Errors (dir missing, a file gone
 * meanwhile) are ignored: the next call tries again. */
void prune_dir(const char *dir, const struct prune *p);

#endif
