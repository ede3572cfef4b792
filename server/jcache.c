/* jcache: see jcache.h. */
#include "jcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define JCACHE_ID_MAX 80

struct jcache_slot {
	char id[JCACHE_ID_MAX];	/* "" when empty */
	int64_t scope;
	uint64_t until_ns;	/* fresh before this util_now_ns() */
	char *text;
	size_t len;
};

struct jcache {
	pthread_mutex_t mu;
	uint64_t ttl_ns;
	uint64_t commits;	/* the commit count every entry was read at */
	size_t bytes;		/* of every entry's text */
	struct jcache_slot slot[JCACHE_SLOTS];
};

struct jcache *
jcache_new(int64_t ttl_ms)
{
	struct jcache *c = util_xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->mu, NULL);
	c->ttl_ns = ttl_ms > 0 ? (uint64_t)ttl_ms * 1000000u : 0;
	return c;
}

static void
jcache_drop(struct jcache *c, struct jcache_slot *s)
{
	c->bytes -= s->len;
	free(s->text);
	s->text = NULL;
	s->len = 0;
	s->id[0] = '\0';
}

void
jcache_free(struct jcache *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < JCACHE_SLOTS; i++)
		free(c->slot[i].text);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* FNV-1a of the id and the scope. */
static struct jcache_slot *
jcache_slot(struct jcache *c, const char *id, int64_t scope)
{
	uint64_t h = 14695981039346656037u ^ (uint64_t)scope;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211u;
	return &c->slot[h % JCACHE_SLOTS];
}

int
jcache_get(struct jcache *c, const char *id, int64_t scope,
    uint64_t commits, char **text, size_t *len)
{
	struct jcache_slot *s;
	int hit = 0;

	if (c->ttl_ns == 0 || strlen(id) >= JCACHE_ID_MAX)
		return 0;
	pthread_mutex_lock(&c->mu);
	s = jcache_slot(c, id, scope);
	if (commits == c->commits && s->text != NULL && s->scope == scope &&
	    strcmp(s->id, id) == 0 && util_now_ns() < s->until_ns) {
		*text = util_xmalloc(s->len);
		memcpy(*text, s->text, s->len);
		*len = s->len;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void
jcache_put(struct jcache *c, const char *id, int64_t scope,
    uint64_t commits, const char *text, size_t len)
{
	struct jcache_slot *s;
	int i;

	if (c->ttl_ns == 0 || strlen(id) >= JCACHE_ID_MAX)
		return;
	pthread_mutex_lock(&c->mu);
	if (commits < c->commits)
		goto out;	/* read before a newer change: already stale */
	if (commits > c->commits) {	/* every entry is stale */
		for (i = 0; i < JCACHE_SLOTS; i++)
			if (c->slot[i].text != NULL)
				jcache_drop(c, &c->slot[i]);
		c->commits = commits;
	}
	s = jcache_slot(c, id, scope);
	if (s->text != NULL)	/* older than this answer, even if not kept */
		jcache_drop(c, s);
	if (len == 0 || len > JCACHE_ANSWER_MAX ||
	    c->bytes + len > JCACHE_BYTES_MAX)
		goto out;
	s->text = util_xmalloc(len);
	memcpy(s->text, text, len);
	s->len = len;
	c->bytes += len;
	memcpy(s->id, id, strlen(id) + 1);
	s->scope = scope;
	s->until_ns = util_now_ns() + c->ttl_ns;
out:
	pthread_mutex_unlock(&c->mu);
}
