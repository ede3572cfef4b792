/*
 * wkhttp: the worker's HTTP client.  libcurl's multi-socket interface
 * driven by a libuv loop (a uv_poll_t per socket curl asks about, one
 * uv_timer_t for curl's timeout), so no request ever blocks the loop.
 * Downloads stream to a file descriptor through uv_fs_write (the thread
 * pool), pausing the transfer while both buffers are being written; they
 * are hashed (SHA-256) as they arrive and stopped past a byte limit.
 * Every other response body is held in memory up to WKHTTP_MAX_BODY
 * bytes, never more: a longer one fails its request, or, where only the
 * status matters, is cut there.
 *
 * Every request carries "Authorization: Bearer <token>".  A request's
 * callback runs exactly once, on the loop thread, unless the request is
 * cancelled first; the request is freed right after its callback.
 */
#ifndef DO_WKHTTP_H
#define DO_WKHTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Bytes of a response body held in memory at most (JSON answers, a
 * download's error body). */
#define WKHTTP_MAX_BODY (1u << 20)

/* wkhttp_json() flags */
#define WKHTTP_READ 0		/* the caller reads the body: one over
				   WKHTTP_MAX_BODY fails the request */
#define WKHTTP_STATUS_ONLY 1	/* only the status matters (the body is
				   only logged): the body is cut after
				   WKHTTP_MAX_BODY bytes, the status stands */

struct wkhttp;
struct wkhttp_req;

/*
 * Completion: status is the HTTP status, or 0 when no answer came (err
 * then says why: connection refused, timeout, a body over WKHTTP_MAX_BODY
 * bytes with WKHTTP_READ...).  body / len: the response body (NUL-terminated, owned by the
 * library, valid during the call).
 */
typedef void wkhttp_cb(void *arg, long status, const char *body, size_t len,
    const char *err);

/* What a download took from a 2xx answer (see wkhttp_download()). */
struct wkhttp_dl {
	uint64_t bytes;		/* body bytes taken (and written to fd) */
	int over;		/* more than max_bytes were coming: the
				   transfer was stopped (status is 0) */
	char sha256[65];	/* SHA-256 of those bytes, lowercase hex
				   (empty unless the download completed) */
};

/*
 * Completion of a download: status, body, len and err as for wkhttp_cb
 * (body is empty for a 2xx answer); dl (owned by the library, valid
 * during the call) says what was written.
 */
typedef void wkhttp_dl_cb(void *arg, long status, const struct wkhttp_dl *dl,
    const char *body, size_t len, const char *err);

/*
 * A client for base_url (e.g. "http://127.0.0.1:8080", no trailing slash
 * needed) with a bearer token; JSON requests give up after timeout_s
 * seconds.  Both strings are copied.  Returns NULL with a message in err.
 */
struct wkhttp *wkhttp_new(uv_loop_t *loop, const char *base_url,
    const char *token, long timeout_s, char *err, size_t errlen);

/*
 * Cancel every request in flight (no callbacks) and close the client's
 * handles; the memory is released once the loop has run their close
 * callbacks.  NULL is ignored.
 */
void wkhttp_free(struct wkhttp *h);

/*
 * Send method ("POST", "GET") to base_url + path with the JSON text body
 * (NULL: no body; copied).  flags: WKHTTP_READ or WKHTTP_STATUS_ONLY, how
 * an answer body over WKHTTP_MAX_BODY bytes is taken (see above).
 * Returns the request (for wkhttp_cancel()) or NULL if it could not be
 * started (cb is then never called).
 */
struct wkhttp_req *wkhttp_json(struct wkhttp *h, const char *method,
    const char *path, const char *body, int flags, wkhttp_cb *cb, void *arg);

/*
 * GET base_url + path and write a 2xx response's body to fd from offset
 * 0 (the caller opens and later closes fd; it must stay open until the
 * callback), hashing it on the way.  max_bytes >= 0: the transfer stops
 * as soon as the body would pass max_bytes (a Content-Length over it
 * stops it before any byte is written); dl->over then says so.  -1: no
 * limit.  A non-2xx body is handed to the callback instead (its first
 * WKHTTP_MAX_BODY bytes, as WKHTTP_STATUS_ONLY).  Gives up when less
 * than one byte a second
 * arrives for 60 seconds.  Returns the request, or NULL if it could not
 * be started (cb is then never called).
 */
struct wkhttp_req *wkhttp_download(struct wkhttp *h, const char *path,
    uv_file fd, int64_t max_bytes, wkhttp_dl_cb *cb, void *arg);

/* Abandon a request in flight: its callback is never called.  NULL is
 * ignored. */
void wkhttp_cancel(struct wkhttp_req *r);

#endif
