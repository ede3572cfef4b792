#include "hook.h"

#include <curl/curl.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <strings.h>
#include <netinet/in.h>
#include <netdb.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "db.h"
#include "dbpool.h"
#include "util.h"

#define HOOK_BATCH 16		/* deliveries taken per round */

struct hook {
	const struct cfg *cfg;	/* kept */
	struct dbpool *dbs;	/* kept: where connections come from */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;		/* under mu; read racily by the progress cb */
	int running;
};

void
hook_sign(const char *secret, const char *body, size_t len, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)body, len, md, &mdlen);
	util_hex(md, mdlen, hex);
	util_fmt(out, 72, "sha256=%s", hex);
}

static size_t
hook_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Abort a transfer when the server stops. */
static int
hook_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
    curl_off_t d)
{
	struct hook *h = arg;
	int stop;

	(void)a;
	(void)b;
	(void)c;
	(void)d;
	pthread_mutex_lock(&h->mu);
	stop = h->stop;
	pthread_mutex_unlock(&h->mu);
	return stop;
}

static int
hook_v4_private(uint32_t a)
{
	static const struct { uint32_t net, mask; } nets[] = {
		{ 0x00000000, 0xff000000 },	/* 0/8 "this network" */
		{ 0x0a000000, 0xff000000 },	/* 10/8 */
		{ 0x64400000, 0xffc00000 },	/* 100.64/10 shared */
		{ 0x7f000000, 0xff000000 },	/* 127/8 loopback */
		{ 0xa9fe0000, 0xffff0000 },	/* 169.254/16 link-local */
		{ 0xac100000, 0xfff00000 },	/* 172.16/12 */
		{ 0xc0000000, 0xffffff00 },	/* 192.0.0/24 protocol */
		{ 0xc0a80000, 0xffff0000 },	/* 192.168/16 */
		{ 0xc6120000, 0xfffe0000 },	/* 198.18/15 benchmarking */
		{ 0xe0000000, 0xe0000000 },	/* 224/3 multicast, reserved */
	};
	size_t i;

	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
		if ((a & nets[i].mask) == nets[i].net)
			return 1;
	return 0;
}

int
hook_addr_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return hook_v4_private(ntohl(((const struct sockaddr_in *)
		    sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;
		const uint8_t *b = a->s6_addr;
		uint32_t v4;

		if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a)) {
			memcpy(&v4, b + 12, 4);
			return hook_v4_private(ntohl(v4));
		}
		return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
		    IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_SITELOCAL(a) ||
		    IN6_IS_ADDR_MULTICAST(a) || (b[0] & 0xfe) == 0xfc;
	}
	return 1;		/* not an internet address: refuse */
}

int
hook_url_private(const char *url, char *host, size_t hostsz)
{
	struct addrinfo hints, *res = NULL;
	CURLU *u = curl_url();
	char *h = NULL;
	size_t n;
	int priv = 0;

	host[0] = '\0';
	if (u == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return 0;
	}
	util_fmt(host, hostsz, "%s", h);
	curl_free(h);
	curl_url_cleanup(u);
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
		n -= 2;
	}
	if (strcasecmp(host, "localhost") == 0 || (n > 10 &&
	    strcasecmp(host + n - 10, ".localhost") == 0))
		return 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;	/* numbers only: no lookup */
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL) {
		priv = hook_addr_private(res->ai_addr);
		freeaddrinfo(res);
	}
	return priv;
}

/* libcurl's socket for an address it is about to connect to: none for a
 * private one (the delivery then fails, and says why). */
struct hook_conn {
	int allow_private;
	int refused;
};

static curl_socket_t
hook_open_socket(void *cls, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct hook_conn *hc = cls;

	(void)purpose;
	if (!hc->allow_private && hook_addr_private(&a->addr)) {
		hc->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* POST one delivery: 1 when the receiver answered 2xx; *status gets the
 * HTTP status (0 if none) and err why not. */
static int
hook_send(struct hook *h, const struct db_hook_item *it, long *status,
    char *err, size_t errlen)
{
	struct hook_conn hc = { (int)h->cfg->hook_allow_private, 0 };
	struct curl_slist *hdr = NULL;
	char line[160], sig[72];
	CURL *c;
	CURLcode rc;

	*status = 0;
	err[0] = '\0';
	if ((c = curl_easy_init()) == NULL) {
		util_fmt(err, errlen, "curl_easy_init failed");
		return 0;
	}
	hook_sign(it->secret, it->body, strlen(it->body), sig);
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	util_fmt(line, sizeof(line), "X-DataOptim-Event: %s", it->event);
	hdr = curl_slist_append(hdr, line);
	util_fmt(line, sizeof(line), "X-DataOptim-Delivery: %lld",
	    (long long)it->id);
	hdr = curl_slist_append(hdr, line);
	util_fmt(line, sizeof(line), "X-DataOptim-Signature: %s", sig);
	hdr = curl_slist_append(hdr, line);
	hdr = curl_slist_append(hdr, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, it->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "dataoptimd");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(it->body));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->cfg->hook_timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)h->cfg->hook_timeout);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hook_discard);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, hook_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, hook_open_socket);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &hc);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else if (hc.refused)
		util_fmt(err, errlen, "refused: the URL's host resolves to a "
		    "private, loopback or link-local address (set "
		    "webhooks.allow_private = true to allow it)");
	else
		util_fmt(err, errlen, "%s", curl_easy_strerror(rc));
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	if (rc == CURLE_OK && (*status < 200 || *status > 299))
		util_fmt(err, errlen, "the receiver answered %ld", *status);
	return rc == CURLE_OK && *status >= 200 && *status <= 299;
}

static int64_t
hook_now(void)
{
	return (int64_t)time(NULL);
}

/* When to try again after tries failed ones (0: give up). */
static int64_t
hook_next(const struct cfg *c, int64_t tries, int64_t now)
{
	int64_t wait = c->hook_retry_base;
	int64_t i;

	if (tries >= c->hook_max_attempts)
		return 0;
	for (i = 1; i < tries && wait < c->hook_retry_max; i++)
		wait *= 2;
	if (wait > c->hook_retry_max)
		wait = c->hook_retry_max;
	return now + wait;
}

/* One round: enqueue, then deliver what is due.  Returns how many were
 * tried. */
static size_t
hook_round(struct hook *h)
{
	struct db_hook_item *items = NULL;
	size_t n = 0, i;
	struct db *db;
	int queued = 0;

	if ((db = dbpool_get(h->dbs)) == NULL)
		return 0;
	if (db_hook_enqueue(db, hook_now(), &queued) != DB_OK ||
	    db_hook_due(db, hook_now(), HOOK_BATCH, &items, &n) != DB_OK)
		n = 0;
	dbpool_put(h->dbs, db);
	for (i = 0; i < n; i++) {
		struct db_hook_item *it = &items[i];
		char err[256];
		long status;
		int ok, stop;

		pthread_mutex_lock(&h->mu);
		stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		if (stop)
			break;
		/* no database connection is held while the receiver works */
		ok = hook_send(h, it, &status, err, sizeof(err));
		if (!ok)
			fprintf(stderr, "dataoptimd: webhook delivery %lld "
			    "(try %lld): %s\n", (long long)it->id,
			    (long long)it->attempts + 1, err);
		if ((db = dbpool_get(h->dbs)) == NULL)
			break;
		db_hook_done(db, it->id, ok, status, ok ? NULL : err,
		    ok ? 0 : hook_next(h->cfg, it->attempts + 1, hook_now()),
		    hook_now());
		dbpool_put(h->dbs, db);
	}
	db_hook_items_free(items, n);
	return n;
}

static void *
hook_main(void *arg)
{
	struct hook *h = arg;
	size_t n = 0;

	pthread_mutex_lock(&h->mu);
	while (!h->stop) {
		struct timespec ts;

		pthread_mutex_unlock(&h->mu);
		n = hook_round(h);
		pthread_mutex_lock(&h->mu);
		if (h->stop || n == HOOK_BATCH)
			continue;	/* more may be due at once */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 500 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->cv, &h->mu, &ts);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

struct hook *
hook_start(const struct cfg *cfg, struct dbpool *dbs)
{
	struct hook *h = util_xcalloc(1, sizeof(*h));

	h->cfg = cfg;
	h->dbs = dbs;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "dataoptimd: webhooks: curl_global_init "
		    "failed\n");
		goto fail;
	}
	if (pthread_create(&h->th, NULL, hook_main, h) != 0) {
		fprintf(stderr, "dataoptimd: cannot start the webhook "
		    "thread\n");
		curl_global_cleanup();
		goto fail;
	}
	h->running = 1;
	return h;
fail:
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
	return NULL;
}

void
hook_stop(struct hook *h)
{
	if (h == NULL)
		return;
	if (h->running) {
		pthread_mutex_lock(&h->mu);
		h->stop = 1;
		pthread_cond_signal(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->th, NULL);
		curl_global_cleanup();
	}
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
