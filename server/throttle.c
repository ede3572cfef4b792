/* throttle: failures per key in a bounded table (see throttle.h). */
#include "throttle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "util.h"

struct throttle_slot {
	char key[AUTH_HASH_HEX];	/* SHA-256 hex of the key; "" if free */
	int64_t first;		/* the window's first failure */
	int64_t last;		/* the latest failure (for eviction) */
	int64_t count;		/* failures in the window */
};

struct throttle {
	pthread_mutex_t mu;	/* guards slots */
	struct throttle_slot *slots;
	size_t cap;
	int64_t max, window;
};

struct throttle *
throttle_new(size_t cap, int64_t max, int64_t window)
{
	struct throttle *t = util_xcalloc(1, sizeof(*t));

	t->slots = util_xcalloc(cap > 0 ? cap : 1, sizeof(*t->slots));
	t->cap = cap > 0 ? cap : 1;
	t->max = max;
	t->window = window;
	pthread_mutex_init(&t->mu, NULL);
	return t;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->slots);
	free(t);
}

/* The slot of hashed key h, or NULL.  Called with t->mu held. */
static struct throttle_slot *
throttle_find(struct throttle *t, const char *h)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key[0] != '\0' &&
		    strcmp(t->slots[i].key, h) == 0)
			return &t->slots[i];
	return NULL;
}

int64_t
throttle_wait(struct throttle *t, const char *key, int64_t now)
{
	struct throttle_slot *s;
	char h[AUTH_HASH_HEX];
	int64_t wait = 0;

	auth_sha256_hex(key, strlen(key), h);
	pthread_mutex_lock(&t->mu);
	s = throttle_find(t, h);
	if (s != NULL && s->count >= t->max && now < s->first + t->window)
		wait = s->first + t->window - now;
	pthread_mutex_unlock(&t->mu);
	return wait;
}

void
throttle_fail(struct throttle *t, const char *key, int64_t now)
{
	struct throttle_slot *s, *victim = NULL;
	char h[AUTH_HASH_HEX];
	size_t i;

	auth_sha256_hex(key, strlen(key), h);
	pthread_mutex_lock(&t->mu);
	if ((s = throttle_find(t, h)) == NULL) {
		/* A free or ended slot, else the least recently failed. */
		for (i = 0; i < t->cap; i++) {
			s = &t->slots[i];
			if (s->key[0] == '\0' || now >= s->first + t->window)
				break;
			if (victim == NULL || s->last < victim->last)
				victim = s;
		}
		if (i == t->cap)
			s = victim;
		memcpy(s->key, h, sizeof(h));
		s->count = 0;
	}
	if (s->count == 0 || now >= s->first + t->window) {
		s->first = now;
		s->count = 0;
	}
	s->count++;
	s->last = now;
	pthread_mutex_unlock(&t->mu);
}

void
throttle_clear(struct throttle *t, const char *key)
{
	struct throttle_slot *s;
	char h[AUTH_HASH_HEX];

	auth_sha256_hex(key, strlen(key), h);
	pthread_mutex_lock(&t->mu);
	if ((s = throttle_find(t, h)) != NULL)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&t->mu);
}
