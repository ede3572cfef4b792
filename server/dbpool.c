#include "dbpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "util.h"

/* A free list of connections; grows on demand up to the threads using it. */
struct dbpool {
	pthread_mutex_t mu;
	char *path;		/* the database file */
	struct db **free;	/* idle connections, under mu */
	size_t nfree, cap;
};

struct dbpool *
dbpool_new(const char *path)
{
	struct dbpool *p = util_xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->mu, NULL);
	p->path = util_xstrdup(path);
	return p;
}

void
dbpool_free(struct dbpool *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nfree; i++)
		db_close(p->free[i]);
	free(p->free);
	free(p->path);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

struct db *
dbpool_get(struct dbpool *p)
{
	struct db *db = NULL;
	char err[512];

	pthread_mutex_lock(&p->mu);
	if (p->nfree > 0)
		db = p->free[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	if (db != NULL)
		return db;
	db = db_open(p->path, err, sizeof(err));
	if (db == NULL)
		fprintf(stderr, "dataoptimd: %s\n", err);
	return db;
}

void
dbpool_put(struct dbpool *p, struct db *db)
{
	if (db == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->nfree == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->free = util_xreallocarray(p->free, p->cap, sizeof(*p->free));
	}
	p->free[p->nfree++] = db;
	pthread_mutex_unlock(&p->mu);
}
