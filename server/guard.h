/*
 * guard: what one client may hold of the server, beyond libmicrohttpd's
 * own limits (total connections, idle timeout, which restarts on every
 * byte and so never stops a client that trickles):
 *
 *  - a deadline for a request head: a connection that has not sent a
 *    whole request line and headers within header_timeout seconds of its
 *    start, or of the end of its previous request, is closed (so a
 *    keep-alive connection may also stay idle that long at most);
 *  - a minimum body rate: a request body that arrives slower than
 *    min_body_rate bytes/s over a window of rate_window seconds is cut;
 *  - per-address limits: at most per_ip connections from one TCP peer,
 *    and at most per_ip requests in flight for one client address (the
 *    X-Forwarded-For address when the peer is a trusted proxy, so that
 *    the clients behind a reverse proxy are told apart).  Those are
 *    checked when a request head is in, and answered 503 by the caller.
 *    IPv6 addresses count per /64.
 *
 * The deadlines are kept by a thread that wakes every second and shuts
 * the sockets past them down (shutdown(2), not close(2)): libmicrohttpd
 * then reads the end of the stream and closes the connection itself.  A
 * connection's entry lives from guard_open() (accepted) to guard_close()
 * (libmicrohttpd is about to close the socket), under one mutex, so the
 * thread never touches a socket number that was closed and reused.
 */
#ifndef DO_GUARD_H
#define DO_GUARD_H

#include <stddef.h>
#include <stdint.h>

struct sockaddr;
struct guard;
struct guard_conn;

struct guard_limits {
	int64_t header_timeout;	/* seconds; 0: none */
	int64_t min_body_rate;	/* bytes/s; 0: none */
	int64_t rate_window;	/* seconds */
	int64_t per_ip;		/* connections / requests in flight; 0: none */
};

/* Start guarding with limits l (copied) and the sweeping thread.  NULL
 * (told on stderr) if the thread cannot start. */
struct guard *guard_new(const struct guard_limits *l);

/* Stop the thread and free g; every connection must be closed.  NULL is
 * ignored. */
void guard_free(struct guard *g);

/* A connection was accepted on socket fd from peer; its entry (owned by
 * g until guard_close()).  Never NULL. */
struct guard_conn *guard_open(struct guard *g, int fd,
    const struct sockaddr *peer);

/* The connection is closing: forget it (c is freed).  NULL is ignored. */
void guard_close(struct guard *g, struct guard_conn *c);

/* The request head is in (the body, if any, comes now); body bytes
 * received; the whole request is in (the server works on it: no deadline
 * until it answers); the answer is done (the next head's deadline
 * starts). */
void guard_head_done(struct guard *g, struct guard_conn *c);
void guard_body(struct guard *g, struct guard_conn *c, size_t n);
void guard_busy(struct guard *g, struct guard_conn *c);
void guard_request_done(struct guard *g, struct guard_conn *c);

/* 1 if c's peer holds more than per_ip connections (c included). */
int guard_peer_over(struct guard *g, const struct guard_conn *c);

/* Count a request in flight for client (an address key); 1 (and not
 * counted) when client already has per_ip of them.  Each 0 needs one
 * guard_client_leave(). */
int guard_client_enter(struct guard *g, const char *client);
void guard_client_leave(struct guard *g, const char *client);

/* The address key of sa into buf (len bytes): IPv4 as text, IPv6 with
 * its last 64 bits zeroed (one /64 is one client).  "" if neither. */
char *guard_addr_key(const struct sockaddr *sa, char *buf, size_t len);

/*
 * The client behind a request: peer is the TCP peer's exact address
 * text, xff the X-Forwarded-For header (NULL if none), trusted a comma-
 * separated list of proxy addresses (server.trusted_proxies).  When the
 * peer is trusted, the rightmost X-Forwarded-For address that is not
 * itself a trusted proxy (and is an IP address) is the client; else the
 * peer.  The result's key (as guard_addr_key) goes into out.
 */
char *guard_client_key(const char *peer, const char *peer_key,
    const char *xff, const char *trusted, char *out, size_t outlen);

/* Whether the peer (exact address text) is one of the trusted proxies
 * (a comma-separated list): its connections carry many clients, so the
 * per-address connection limit does not apply to it. */
int guard_trusted(const char *trusted, const char *peer);

/* How many connections the thread has cut (for the tests and metrics). */
uint64_t guard_cut_count(struct guard *g);

#endif
