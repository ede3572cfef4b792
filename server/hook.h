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

struct cfg;
struct dbpool;
struct hook;

/* Start the delivery thread, configured by cfg's [webhooks] keys and
 * taking its connections from dbs (both kept, not owned: they must
 * outlive hook_stop()).  NULL on failure (told). */
struct hook *hook_start(const struct cfg *cfg, struct dbpool *dbs);

/* Stop the thread (a delivery in flight is aborted) and free h.  NULL is
 * ignored. */
void hook_stop(struct hook *h);

/*
 * Private targets: unless webhooks.allow_private is set, a webhook never
 * reaches a loopback, link-local (169.254.0.0/16: cloud metadata),
 * private (10/8, 172.16/12, 192.168/16, fc00::/7), shared (100.64/10),
 * unspecified, multicast or reserved address.  hook_addr_private() tells
 * it of one address (IPv4-mapped IPv6 judged as IPv4); it is checked on
 * every address libcurl connects to, after name resolution.
 * hook_url_private() checks a URL as an organizer gives it: 1 when its
 * host is such an address written as a number, or "localhost" (or a name
 * under .localhost), 0 otherwise (a name is judged when it resolves, at
 * delivery); the host goes into host (hostsz bytes) for the message.
 */
struct sockaddr;
int hook_addr_private(const struct sockaddr *sa);
int hook_url_private(const char *url, char *host, size_t hostsz);

/* "sha256=<hex>" of HMAC-SHA256(secret, body) into out (72 bytes). */
void hook_sign(const char *secret, const char *body, size_t len,
    char out[72]);

#endif
