/*
 * throttle: counts failures per key (a login email, a client address) in
 * a bounded in-memory table, to refuse a key that failed too often.
 *
 * A key's window opens at its first failure and lasts window seconds;
 * once max failures fall in it, the key is refused until the window
 * ends, then starts afresh.  Keys are kept as their SHA-256, never in
 * clear.  The table holds at most cap keys: a new key takes the slot of
 * one whose window has ended, else of the one that failed least
 * recently, so no caller can grow it.  Every function is thread-safe.
 */
#ifndef DO_THROTTLE_H
#define DO_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

struct throttle;

/* A table of cap keys, max failures per window seconds.  Never NULL
 * (aborts on OOM).  Free with throttle_free(). */
struct throttle *throttle_new(size_t cap, int64_t max, int64_t window);

/* Free t.  NULL is ignored. */
void throttle_free(struct throttle *t);

/* 0 if key may be tried at time now, else the seconds (>= 1) until its
 * window ends. */
int64_t throttle_wait(struct throttle *t, const char *key, int64_t now);

/* Count one failure of key at time now. */
void throttle_fail(struct throttle *t, const char *key, int64_t now);

/* Forget key's failures. */
void throttle_clear(struct throttle *t, const char *key);

#endif
