/*
 * wkhttp: libcurl's multi-socket interface on a libuv loop (see
 * wkhttp.h).  curl tells us which sockets to watch (wkhttp_sock_cb) and
 * when to wake it (wkhttp_timer_cb); the loop tells curl what happened
 * (curl_multi_socket_action); finished transfers are collected by
 * wkhttp_check().
 */
#include "wkhttp.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

#define WKHTTP_DL_BUF (256u << 10)	/* bytes per download buffer */

struct wkhttp_sock {
	uv_poll_t poll;
	curl_socket_t fd;
	struct wkhttp *h;
	struct wkhttp_sock *prev, *next;	/* h->socks */
};

struct wkhttp {
	uv_loop_t *loop;
	CURLM *multi;
	uv_timer_t timer;		/* curl's timeout */
	char *base;			/* base URL without a trailing '/' */
	char *auth;			/* "Authorization: Bearer ..." */
	long timeout_s;			/* per JSON request */
	struct wkhttp_req *reqs;	/* requests in flight */
	struct wkhttp_sock *socks;	/* sockets watched */
	int handles;			/* uv handles not yet closed */
	int closing;			/* wkhttp_free() was called */
};

struct wkhttp_req {
	struct wkhttp *h;
	CURL *easy;
	struct curl_slist *hdrs;
	wkhttp_cb *cb;			/* JSON requests */
	wkhttp_dl_cb *dlcb;		/* downloads */
	void *arg;
	int attached;			/* added to the multi handle */
	int started;			/* the body began: status, clen read */
	curl_off_t clen;		/* its Content-Length, or -1 */
	struct buf body;		/* response body (or a download's error
					   body) */
	int status_only;		/* WKHTTP_STATUS_ONLY */
	int too_big;			/* over WKHTTP_MAX_BODY: failed */
	int cut;			/* over it, status only: stopped, ok */
	char errbuf[CURL_ERROR_SIZE];
	CURLcode result;
	long status;
	/* downloads: two buffers, one filling while the other is written */
	int download;
	int64_t max;			/* body bytes allowed, or -1 */
	uint64_t got;			/* body bytes taken (hashed) */
	int over;			/* more than max were coming: stopped */
	EVP_MD_CTX *md;			/* SHA-256 of the bytes taken */
	int mderr;			/* OpenSSL failed to hash */
	uv_file fd;
	int64_t off;			/* file offset of the next write */
	char *dbuf[2];
	size_t dcap[2];
	size_t dfill;			/* bytes in dbuf[dcur] */
	int dcur;
	uv_fs_t wreq;
	size_t wlen;			/* bytes of the write in flight */
	int wbusy;			/* a write is in flight */
	int paused;			/* curl was told to pause */
	int finished;			/* curl is done with it */
	int werr;			/* libuv error of a write, or 0 */
	int cancelled;			/* freed when the write returns */
	struct wkhttp_req *prev, *next;	/* h->reqs */
};

static void wkhttp_check(struct wkhttp *h);

/* One of h's handles is closed; the last one frees h. */
static void
wkhttp_unref(struct wkhttp *h)
{
	if (--h->handles == 0 && h->closing) {
		free(h->base);
		free(h->auth);
		free(h);
	}
}

static void
wkhttp_timer_closed(uv_handle_t *hd)
{
	wkhttp_unref(hd->data);
}

static void
wkhttp_sock_closed(uv_handle_t *hd)
{
	struct wkhttp_sock *sk = hd->data;
	struct wkhttp *h = sk->h;

	free(sk);
	wkhttp_unref(h);
}

static void
wkhttp_sock_close(struct wkhttp_sock *sk)
{
	struct wkhttp *h = sk->h;

	if (sk->prev != NULL)
		sk->prev->next = sk->next;
	else
		h->socks = sk->next;
	if (sk->next != NULL)
		sk->next->prev = sk->prev;
	uv_close((uv_handle_t *)&sk->poll, wkhttp_sock_closed);
}

static void
wkhttp_poll_cb(uv_poll_t *p, int status, int events)
{
	struct wkhttp_sock *sk = p->data;
	struct wkhttp *h = sk->h;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	else {
		if (events & UV_READABLE)
			flags |= CURL_CSELECT_IN;
		if (events & UV_WRITABLE)
			flags |= CURL_CSELECT_OUT;
	}
	/* sk may be closed inside; only h is used after */
	curl_multi_socket_action(h->multi, sk->fd, flags, &running);
	wkhttp_check(h);
}

static int
wkhttp_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *sockp)
{
	struct wkhttp *h = userp;
	struct wkhttp_sock *sk = sockp;
	int events = 0, rc;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			curl_multi_assign(h->multi, s, NULL);
			wkhttp_sock_close(sk);
		}
		return 0;
	}
	if (sk == NULL) {
		sk = util_xcalloc(1, sizeof(*sk));
		sk->fd = s;
		sk->h = h;
		if ((rc = uv_poll_init_socket(h->loop, &sk->poll, s)) != 0) {
			fprintf(stderr, "dataoptim-worker: watching socket %d: "
			    "%s\n", (int)s, uv_strerror(rc));
			free(sk);
			return -1;
		}
		sk->poll.data = sk;
		h->handles++;
		sk->next = h->socks;
		if (h->socks != NULL)
			h->socks->prev = sk;
		h->socks = sk;
		curl_multi_assign(h->multi, s, sk);
	}
	if (what & CURL_POLL_IN)
		events |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		events |= UV_WRITABLE;
	uv_poll_start(&sk->poll, events, wkhttp_poll_cb);
	return 0;
}

static void
wkhttp_timeout(uv_timer_t *t)
{
	struct wkhttp *h = t->data;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	wkhttp_check(h);
}

static int
wkhttp_timer_cb(CURLM *multi, long ms, void *userp)
{
	struct wkhttp *h = userp;

	(void)multi;
	if (ms < 0)
		uv_timer_stop(&h->timer);
	else
		uv_timer_start(&h->timer, wkhttp_timeout, (uint64_t)ms, 0);
	return 0;
}

struct wkhttp *
wkhttp_new(uv_loop_t *loop, const char *base_url, const char *token,
    long timeout_s, char *err, size_t errlen)
{
	struct wkhttp *h = util_xcalloc(1, sizeof(*h));
	size_t n = strlen(base_url), alen;

	if (strncmp(base_url, "http://", 7) != 0 &&
	    strncmp(base_url, "https://", 8) != 0) {
		util_fmt(err, errlen, "server URL '%s' must start with "
		    "http:// or https://", base_url);
		free(h);
		return NULL;
	}
	if ((h->multi = curl_multi_init()) == NULL) {
		util_fmt(err, errlen, "curl_multi_init failed");
		free(h);
		return NULL;
	}
	h->loop = loop;
	while (n > 0 && base_url[n - 1] == '/')
		n--;
	h->base = util_xmalloc(n + 1);
	memcpy(h->base, base_url, n);
	h->base[n] = '\0';
	alen = strlen(token) + 32;
	h->auth = util_xmalloc(alen);
	util_fmt(h->auth, alen, "Authorization: Bearer %s", token);
	h->timeout_s = timeout_s;
	uv_timer_init(loop, &h->timer);
	h->timer.data = h;
	h->handles = 1;
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, wkhttp_sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, wkhttp_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

static void
wkhttp_req_free(struct wkhttp_req *r)
{
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	EVP_MD_CTX_free(r->md);
	buf_free(&r->body);
	free(r->dbuf[0]);
	free(r->dbuf[1]);
	free(r);
}

static void
wkhttp_unlink(struct wkhttp_req *r)
{
	struct wkhttp *h = r->h;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else if (h->reqs == r)
		h->reqs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

static void
wkhttp_detach(struct wkhttp_req *r)
{
	if (r->attached) {
		curl_multi_remove_handle(r->h->multi, r->easy);
		r->attached = 0;
	}
}

/* Hand the outcome to the callback and free r. */
static void
wkhttp_complete(struct wkhttp_req *r)
{
	char err[CURL_ERROR_SIZE + 128] = "";
	long status = r->status;
	struct wkhttp_dl dl;
	const char *body;

	memset(&dl, 0, sizeof(dl));
	dl.bytes = r->got;
	dl.over = r->over;
	if (r->werr != 0) {
		util_fmt(err, sizeof(err), "writing the download: %s",
		    uv_strerror(r->werr));
	} else if (r->mderr) {
		util_fmt(err, sizeof(err), "hashing the download: OpenSSL "
		    "failed");
	} else if (r->over) {
		util_fmt(err, sizeof(err), "the body is over the %lld bytes "
		    "allowed: stopped", (long long)r->max);
	} else if (r->too_big) {
		util_fmt(err, sizeof(err), "response body over the worker's "
		    "%u-byte limit: request abandoned", WKHTTP_MAX_BODY);
	} else if (r->result != CURLE_OK && !(r->cut &&
	    r->result == CURLE_WRITE_ERROR)) {
		util_fmt(err, sizeof(err), "%s", r->errbuf[0] ? r->errbuf :
		    curl_easy_strerror(r->result));
	}
	if (err[0] != '\0')
		status = 0;
	else if (r->download && status / 100 == 2) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;

		if (EVP_DigestFinal_ex(r->md, md, &mdlen) != 1 ||
		    mdlen != 32) {
			util_fmt(err, sizeof(err), "hashing the download: "
			    "OpenSSL failed");
			status = 0;
		} else
			util_hex(md, mdlen, dl.sha256);
	}
	wkhttp_unlink(r);
	body = r->body.p != NULL ? r->body.p : "";
	if (r->download)
		r->dlcb(r->arg, status, &dl, body, r->body.len, err);
	else
		r->cb(r->arg, status, body, r->body.len, err);
	wkhttp_req_free(r);
}

static void wkhttp_dl_written(uv_fs_t *fr);

/* Start writing the filled buffer; the other one takes new data. */
static void
wkhttp_dl_flush(struct wkhttp_req *r)
{
	uv_buf_t b = uv_buf_init(r->dbuf[r->dcur], (unsigned)r->dfill);
	int rc;

	r->wlen = r->dfill;
	r->wreq.data = r;
	rc = uv_fs_write(r->h->loop, &r->wreq, r->fd, &b, 1, r->off,
	    wkhttp_dl_written);
	if (rc < 0) {
		r->werr = rc;
		uv_fs_req_cleanup(&r->wreq);
		return;
	}
	r->off += (int64_t)r->dfill;
	r->wbusy = 1;
	r->dcur ^= 1;
	r->dfill = 0;
}

/* curl is done and no write is in flight: write the rest, or finish. */
static void
wkhttp_dl_finish(struct wkhttp_req *r)
{
	if (r->werr == 0 && r->result == CURLE_OK && r->status / 100 == 2 &&
	    r->dfill > 0) {
		wkhttp_dl_flush(r);
		if (r->wbusy)
			return;
	}
	wkhttp_complete(r);
}

static void
wkhttp_dl_written(uv_fs_t *fr)
{
	struct wkhttp_req *r = fr->data;
	ssize_t res = fr->result;

	uv_fs_req_cleanup(fr);
	r->wbusy = 0;
	if (res < 0)
		r->werr = (int)res;
	else if ((size_t)res != r->wlen)
		r->werr = UV_EIO;	/* a short write to a local file */
	if (r->cancelled) {
		wkhttp_req_free(r);
		return;
	}
	if (r->finished) {
		wkhttp_dl_finish(r);
		return;
	}
	if (r->paused) {
		r->paused = 0;
		curl_easy_pause(r->easy, CURLPAUSE_CONT);
	}
}

static size_t
wkhttp_dl_write(struct wkhttp_req *r, const char *p, size_t n)
{
	if (r->werr != 0 || r->mderr)
		return 0;	/* fails the transfer */
	/* got <= max always: the check cannot wrap */
	if (r->max >= 0 && (r->clen > r->max ||
	    n > (uint64_t)r->max - r->got)) {
		r->over = 1;
		return 0;
	}
	if (r->dfill + n > r->dcap[r->dcur]) {
		if (r->wbusy) {
			r->paused = 1;
			return CURL_WRITEFUNC_PAUSE;
		}
		if (r->dfill > 0) {
			wkhttp_dl_flush(r);
			if (r->werr != 0)
				return 0;
		}
		if (n > r->dcap[r->dcur]) {
			r->dcap[r->dcur] = n;
			r->dbuf[r->dcur] = util_xrealloc(r->dbuf[r->dcur], n);
		}
	}
	memcpy(r->dbuf[r->dcur] + r->dfill, p, n);
	r->dfill += n;
	/* a chunk is at most CURL_MAX_WRITE_SIZE: hashing it here is quick */
	if (EVP_DigestUpdate(r->md, p, n) != 1) {
		r->mderr = 1;
		return 0;
	}
	r->got += n;
	return n;
}

static size_t
wkhttp_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct wkhttp_req *r = ud;
	size_t n = size * nmemb;

	if (!r->started) {
		r->started = 1;
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
		if (curl_easy_getinfo(r->easy,
		    CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &r->clen) != CURLE_OK)
			r->clen = -1;
	}
	if (r->download && r->status / 100 == 2)
		return wkhttp_dl_write(r, p, n);
	/* body.len <= WKHTTP_MAX_BODY always: the check cannot wrap */
	if (n > WKHTTP_MAX_BODY - r->body.len || (!r->status_only &&
	    r->clen > (curl_off_t)WKHTTP_MAX_BODY)) {
		if (!r->status_only) {
			r->too_big = 1;
			return 0;	/* fails the transfer */
		}
		n = WKHTTP_MAX_BODY - r->body.len;	/* keep what fits */
		r->cut = 1;
	}
	buf_add(&r->body, p, n);
	return r->cut ? 0 : n;
}

/* Collect finished transfers. */
static void
wkhttp_check(struct wkhttp *h)
{
	CURLMsg *m;
	int left;

	while (!h->closing && (m = curl_multi_info_read(h->multi, &left))
	    != NULL) {
		struct wkhttp_req *r = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    (char **)(void *)&r);
		r->result = m->data.result;
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
		wkhttp_detach(r);
		r->finished = 1;
		if (r->download) {
			if (!r->wbusy)
				wkhttp_dl_finish(r);
		} else
			wkhttp_complete(r);
	}
}

/* curl's sockets must not leak into the stage commands we spawn. */
static int
wkhttp_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	(void)arg;
	(void)purpose;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return CURL_SOCKOPT_OK;
}

static struct wkhttp_req *
wkhttp_req_new(struct wkhttp *h, const char *path, void *arg)
{
	struct wkhttp_req *r = util_xcalloc(1, sizeof(*r));
	size_t ulen = strlen(h->base) + strlen(path) + 1;
	char *url = util_xmalloc(ulen);

	util_fmt(url, ulen, "%s%s", h->base, path);
	r->h = h;
	r->arg = arg;
	r->clen = -1;
	r->easy = curl_easy_init();
	if (r->easy == NULL) {
		free(url);
		free(r);
		return NULL;
	}
	r->hdrs = curl_slist_append(r->hdrs, h->auth);
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, wkhttp_write);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_SOCKOPTFUNCTION, wkhttp_sockopt);
	free(url);		/* curl keeps its own copy */
	return r;
}

static struct wkhttp_req *
wkhttp_start(struct wkhttp_req *r)
{
	struct wkhttp *h = r->h;

	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	if (curl_multi_add_handle(h->multi, r->easy) != CURLM_OK) {
		wkhttp_req_free(r);
		return NULL;
	}
	r->attached = 1;
	r->next = h->reqs;
	if (h->reqs != NULL)
		h->reqs->prev = r;
	h->reqs = r;
	return r;
}

struct wkhttp_req *
wkhttp_json(struct wkhttp *h, const char *method, const char *path,
    const char *body, int flags, wkhttp_cb *cb, void *arg)
{
	struct wkhttp_req *r;

	if (h->closing || (r = wkhttp_req_new(h, path, arg)) == NULL)
		return NULL;
	r->cb = cb;
	r->status_only = (flags & WKHTTP_STATUS_ONLY) != 0;
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	if (body != NULL) {
		r->hdrs = curl_slist_append(r->hdrs,
		    "Content-Type: application/json");
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(body));
		curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, body);
	}
	if (strcmp(method, "POST") == 0 && body == NULL) {
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(r->easy, CURLOPT_COPYPOSTFIELDS, "");
	} else if (strcmp(method, "GET") == 0 && body == NULL)
		curl_easy_setopt(r->easy, CURLOPT_HTTPGET, 1L);
	else if (strcmp(method, "POST") != 0)
		curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, h->timeout_s);
	return wkhttp_start(r);
}

struct wkhttp_req *
wkhttp_download(struct wkhttp *h, const char *path, uv_file fd,
    int64_t max_bytes, wkhttp_dl_cb *cb, void *arg)
{
	struct wkhttp_req *r;

	if (h->closing || (r = wkhttp_req_new(h, path, arg)) == NULL)
		return NULL;
	r->dlcb = cb;
	r->download = 1;
	r->status_only = 1;	/* an error body is only logged */
	r->max = max_bytes < 0 ? -1 : max_bytes;
	if ((r->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1) {
		wkhttp_req_free(r);
		return NULL;
	}
	r->fd = fd;
	r->dcap[0] = r->dcap[1] = WKHTTP_DL_BUF;
	r->dbuf[0] = util_xmalloc(WKHTTP_DL_BUF);
	r->dbuf[1] = util_xmalloc(WKHTTP_DL_BUF);
	curl_easy_setopt(r->easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(r->easy, CURLOPT_LOW_SPEED_TIME, 60L);
	return wkhttp_start(r);
}

void
wkhttp_cancel(struct wkhttp_req *r)
{
	if (r == NULL)
		return;
	wkhttp_unlink(r);
	wkhttp_detach(r);
	if (r->wbusy) {
		r->cancelled = 1;	/* freed when the write returns */
		return;
	}
	wkhttp_req_free(r);
}

void
wkhttp_free(struct wkhttp *h)
{
	if (h == NULL)
		return;
	while (h->reqs != NULL)
		wkhttp_cancel(h->reqs);
	h->closing = 1;
	curl_multi_cleanup(h->multi);
	h->multi = NULL;
	while (h->socks != NULL)
		wkhttp_sock_close(h->socks);
	uv_close((uv_handle_t *)&h->timer, wkhttp_timer_closed);
}
