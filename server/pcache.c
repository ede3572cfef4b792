/* pcache: see pcache.h. */
#include "pcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct pcache_slot {
	char hash[65];		/* "" when empty */
	uint64_t until_ns;	/* valid before this util_now_ns() */
	struct db_principal who;
};

struct pcache {
	pthread_mutex_t mu;
	uint64_t ttl_ns;
	struct pcache_slot slot[PCACHE_SLOTS];
};

struct pcache *
pcache_new(int64_t ttl_ms)
{
	struct pcache *c = util_xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->mu, NULL);
	c->ttl_ns = ttl_ms > 0 ? (uint64_t)ttl_ms * 1000000u : 0;
	return c;
}

void
pcache_free(struct pcache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* The slot of a hash: its first 8 hex digits (a SHA-256: uniform). */
static struct pcache_slot *
pcache_slot(struct pcache *c, const char *hash)
{
	unsigned long v = 0;
	int i;

	for (i = 0; i < 8 && hash[i]; i++)
		v = v * 16 + (unsigned long)(hash[i] <= '9' ? hash[i] - '0' :
		    (hash[i] | 0x20) - 'a' + 10);
	return &c->slot[v % PCACHE_SLOTS];
}

int
pcache_get(struct pcache *c, const char *token_hash,
    struct db_principal *out)
{
	struct pcache_slot *s;
	int hit = 0;

	if (c->ttl_ns == 0 || strlen(token_hash) >= sizeof(s->hash))
		return 0;
	pthread_mutex_lock(&c->mu);
	s = pcache_slot(c, token_hash);
	if (strcmp(s->hash, token_hash) == 0 && util_now_ns() < s->until_ns) {
		*out = s->who;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

void
pcache_put(struct pcache *c, const char *token_hash,
    const struct db_principal *p)
{
	struct pcache_slot *s;

	if (c->ttl_ns == 0 || strlen(token_hash) >= sizeof(s->hash))
		return;
	pthread_mutex_lock(&c->mu);
	s = pcache_slot(c, token_hash);
	memcpy(s->hash, token_hash, strlen(token_hash) + 1);
	s->who = *p;
	s->until_ns = util_now_ns() + c->ttl_ns;
	pthread_mutex_unlock(&c->mu);
}

void
pcache_clear(struct pcache *c)
{
	int i;

	pthread_mutex_lock(&c->mu);
	for (i = 0; i < PCACHE_SLOTS; i++)
		c->slot[i].hash[0] = '\0';
	pthread_mutex_unlock(&c->mu);
}
