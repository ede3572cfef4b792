/*
 * hook: webhook delivery.  One background thread (never a request's)
 * turns finished jobs of tracks with a webhook into outbox rows
 * (db_hook_enqueue) and POSTs the due ones with libcurl, signed with
 * X-DataOptim-Signature: sha256=<hex HMAC-SHA256(secret, body)>; a 2xx
 * answer completes a delivery, anything else is retried with exponential
 * backoff ([webhooks] in the config).  The outbox lives in the database,
 * so pending deliveries survive a restart.
 */
#ifndef DO_HOOK_H
#define DO_HOOK_H

#include <stddef.h>

struct hook;
struct srv;

/* Start the delivery thread (srv is kept, not owned).  NULL on failure
 * (told). */
struct hook *hook_start(struct srv *srv);

/* Stop the thread (a delivery in flight is aborted) and free h.  NULL is
 * ignored. */
void hook_stop(struct hook *h);

/* "sha256=<hex>" of HMAC-SHA256(secret, body) into out (72 bytes). */
void hook_sign(const char *secret, const char *body, size_t len,
    char out[72]);

#endif
