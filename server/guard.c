/* guard: deadlines and per-address limits for clients (see guard.h). */
#include "guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util.h"

#define GUARD_KEY 48		/* an address key, NUL included */
#define GUARD_BUCKETS 1024

enum guard_phase { G_HEAD, G_BODY, G_BUSY };

struct guard_conn {
	int fd;
	char peer[GUARD_KEY];	/* the peer's address key */
	enum guard_phase phase;
	uint64_t since_ms;	/* start of the phase */
	uint64_t body, win_ms, win_body;	/* body bytes; rate window */
	int cut;		/* shut down already */
	struct guard_conn *prev, *next;
};

/* A count per address key (peers' connections, clients' requests). */
struct guard_count {
	char key[GUARD_KEY];
	int64_t n;
	struct guard_count *next;
};

struct guard {
	struct guard_limits lim;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int stop;
	struct guard_conn *conns;
	struct guard_count *peers[GUARD_BUCKETS];
	struct guard_count *clients[GUARD_BUCKETS];
	uint64_t cuts;
};

static uint64_t
guard_ms(void)
{
	return util_now_ns() / 1000000;
}

static unsigned
guard_hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % GUARD_BUCKETS;
}

/* Add d to key's count in table t; returns the new count (entries at 0
 * are freed).  Under g->mu. */
static int64_t
guard_count_add(struct guard_count **t, const char *key, int64_t d)
{
	struct guard_count **pp = &t[guard_hash(key)], *c;
	int64_t n;

	for (; (c = *pp) != NULL; pp = &c->next)
		if (strcmp(c->key, key) == 0)
			break;
	if (c == NULL) {
		if (d <= 0)
			return 0;
		c = util_xcalloc(1, sizeof(*c));
		util_fmt(c->key, sizeof(c->key), "%s", key);
		*pp = c;
	}
	n = c->n += d;
	if (n <= 0) {
		*pp = c->next;
		free(c);
		n = 0;
	}
	return n;
}

static int64_t
guard_count_get(struct guard_count **t, const char *key)
{
	struct guard_count *c;

	for (c = t[guard_hash(key)]; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c->n;
	return 0;
}

/* Past its deadline? (under g->mu) */
static const char *
guard_late(const struct guard *g, struct guard_conn *c, uint64_t now)
{
	const struct guard_limits *l = &g->lim;

	if (c->phase == G_HEAD && l->header_timeout > 0 &&
	    now - c->since_ms > (uint64_t)l->header_timeout * 1000)
		return "no whole request head in time";
	if (c->phase == G_BODY && l->min_body_rate > 0 && l->rate_window > 0 &&
	    now - c->win_ms >= (uint64_t)l->rate_window * 1000) {
		uint64_t got = c->body - c->win_body;
		uint64_t want = (uint64_t)l->min_body_rate *
		    ((now - c->win_ms) / 1000);

		if (got < want)
			return "the body arrives too slowly";
		c->win_ms = now;
		c->win_body = c->body;
	}
	return NULL;
}

static void *
guard_main(void *arg)
{
	struct guard *g = arg;
	struct guard_conn *c;
	struct timespec ts;
	const char *why;
	uint64_t now;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
		now = guard_ms();
		for (c = g->conns; c != NULL; c = c->next) {
			if (c->cut || (why = guard_late(g, c, now)) == NULL)
				continue;
			/* libmicrohttpd sees the end and closes it */
			(void)shutdown(c->fd, SHUT_RDWR);
			c->cut = 1;
			g->cuts++;
			fprintf(stderr, "dataoptimd: closed a connection from "
			    "%s: %s\n", c->peer, why);
		}
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

struct guard *
guard_new(const struct guard_limits *l)
{
	struct guard *g = util_xcalloc(1, sizeof(*g));

	g->lim = *l;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (pthread_create(&g->th, NULL, guard_main, g) != 0) {
		fprintf(stderr, "dataoptimd: cannot start the connection "
		    "guard thread\n");
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g);
		return NULL;
	}
	return g;
}

static void
guard_table_free(struct guard_count **t)
{
	struct guard_count *c, *n;
	size_t i;

	for (i = 0; i < GUARD_BUCKETS; i++)
		for (c = t[i]; c != NULL; c = n) {
			n = c->next;
			free(c);
		}
}

void
guard_free(struct guard *g)
{
	struct guard_conn *c, *n;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->th, NULL);
	for (c = g->conns; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	guard_table_free(g->peers);
	guard_table_free(g->clients);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

struct guard_conn *
guard_open(struct guard *g, int fd, const struct sockaddr *peer)
{
	struct guard_conn *c = util_xcalloc(1, sizeof(*c));

	c->fd = fd;
	if (peer != NULL)
		guard_addr_key(peer, c->peer, sizeof(c->peer));
	c->phase = G_HEAD;
	c->since_ms = guard_ms();
	pthread_mutex_lock(&g->mu);
	c->next = g->conns;
	if (g->conns != NULL)
		g->conns->prev = c;
	g->conns = c;
	guard_count_add(g->peers, c->peer, 1);
	pthread_mutex_unlock(&g->mu);
	return c;
}

void
guard_close(struct guard *g, struct guard_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		g->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	guard_count_add(g->peers, c->peer, -1);
	pthread_mutex_unlock(&g->mu);
	free(c);
}

static void
guard_phase(struct guard *g, struct guard_conn *c, enum guard_phase p)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	c->phase = p;
	c->since_ms = c->win_ms = guard_ms();
	c->body = c->win_body = 0;
	pthread_mutex_unlock(&g->mu);
}

void
guard_head_done(struct guard *g, struct guard_conn *c)
{
	guard_phase(g, c, G_BODY);
}

void
guard_busy(struct guard *g, struct guard_conn *c)
{
	guard_phase(g, c, G_BUSY);
}

void
guard_request_done(struct guard *g, struct guard_conn *c)
{
	guard_phase(g, c, G_HEAD);
}

void
guard_body(struct guard *g, struct guard_conn *c, size_t n)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	c->body += n;
	pthread_mutex_unlock(&g->mu);
}

int
guard_peer_over(struct guard *g, const struct guard_conn *c)
{
	int over;

	if (c == NULL || g->lim.per_ip <= 0)
		return 0;
	pthread_mutex_lock(&g->mu);
	over = guard_count_get(g->peers, c->peer) > g->lim.per_ip;
	pthread_mutex_unlock(&g->mu);
	return over;
}

int
guard_client_enter(struct guard *g, const char *client)
{
	int over = 0;

	pthread_mutex_lock(&g->mu);
	if (g->lim.per_ip > 0 &&
	    guard_count_get(g->clients, client) >= g->lim.per_ip)
		over = 1;
	else
		guard_count_add(g->clients, client, 1);
	pthread_mutex_unlock(&g->mu);
	return over;
}

void
guard_client_leave(struct guard *g, const char *client)
{
	pthread_mutex_lock(&g->mu);
	guard_count_add(g->clients, client, -1);
	pthread_mutex_unlock(&g->mu);
}

uint64_t
guard_cut_count(struct guard *g)
{
	uint64_t n;

	pthread_mutex_lock(&g->mu);
	n = g->cuts;
	pthread_mutex_unlock(&g->mu);
	return n;
}

char *
guard_addr_key(const struct sockaddr *sa, char *buf, size_t len)
{
	buf[0] = '\0';
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;

		if (inet_ntop(AF_INET, &a->sin_addr, buf, len) == NULL)
			buf[0] = '\0';
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;
		struct in6_addr net = a->sin6_addr;

		if (!IN6_IS_ADDR_V4MAPPED(&net))
			memset(net.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &net, buf, len) == NULL)
			buf[0] = '\0';
	}
	return buf;
}

/* Is addr (text, len bytes) one of the comma-separated list? */
static int
guard_listed(const char *list, const char *addr, size_t len)
{
	const char *p = list, *a;
	size_t n;

	while ((a = util_list_next(&p, &n)) != NULL)
		if (n == len && memcmp(a, addr, len) == 0)
			return 1;
	return 0;
}

int
guard_trusted(const char *trusted, const char *peer)
{
	return trusted != NULL && peer[0] != '\0' &&
	    guard_listed(trusted, peer, strlen(peer));
}

char *
guard_client_key(const char *peer, const char *peer_key, const char *xff,
    const char *trusted, char *out, size_t outlen)
{
	const char *p = xff, *a, *client = NULL;
	size_t n, clen = 0;
	char ip[64];
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;

	util_fmt(out, outlen, "%s", peer_key);
	if (xff == NULL || !guard_trusted(trusted, peer))
		return out;
	/* each hop appended the address it saw: the rightmost one that is
	 * not itself a trusted proxy is the client */
	while ((a = util_list_next(&p, &n)) != NULL)
		if (!guard_listed(trusted, a, n)) {
			client = a;
			clen = n;
		}
	if (client == NULL || clen == 0 || clen >= sizeof(ip))
		return out;	/* none, or malformed: the peer it is */
	memcpy(ip, client, clen);
	ip[clen] = '\0';
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (inet_pton(AF_INET, ip, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		guard_addr_key((struct sockaddr *)&s4, out, outlen);
	} else if (inet_pton(AF_INET6, ip, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		guard_addr_key((struct sockaddr *)&s6, out, outlen);
	}
	return out;	/* not an address: the peer it is */
}
