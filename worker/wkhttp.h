/*
 * wkhttp: the worker's HTTP client.  libcurl's multi-socket interface
 * driven by a libuv loop (a uv_poll_t per socket curl asks about, one
 * uv_timer_t for curl's timeout), so no request ever blocks the loop.
 * Downloads stream to a file descriptor through uv_fs_write (the thread
 * pool), pausing the transfer while both buffers are being written.
 *
 * Every request carries "Authorization: Bearer <token>".  A request's
 * callback runs exactly once, on the loop thread, unless the request is
 * cancelled first; the request is freed right after its callback.
 */
#ifndef DO_WKHTTP_H
#define DO_WKHTTP_H

#include <stddef.h>
#include <uv.h>

struct wkhttp;
struct wkhttp_req;

/*
 * Completion: status is the HTTP status, or 0 when no answer came (err
 * then says why: connection refused, timeout, a write error...).  body /
 * len: the response body (NUL-terminated, owned by the library, valid
 * during the call; for a successful download, empty).
 */
typedef void wkhttp_cb(void *arg, long status, const char *body, size_t len,
    const char *err);

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
 * (NULL: no body; copied).  Returns the request (for wkhttp_cancel()) or
 * NULL if it could not be started (cb is then never called).
 */
struct wkhttp_req *wkhttp_json(struct wkhttp *h, const char *method,
    const char *path, const char *body, wkhttp_cb *cb, void *arg);

/*
 * GET base_url + path and write a 2xx response's body to fd from offset
 * 0 (the caller opens and later closes fd; it must stay open until the
 * callback).  A non-2xx body is handed to the callback instead.  Gives
 * up when less than one byte a second arrives for 60 seconds.
 */
struct wkhttp_req *wkhttp_download(struct wkhttp *h, const char *path,
    uv_file fd, wkhttp_cb *cb, void *arg);

/* Abandon a request in flight: its callback is never called.  NULL is
 * ignored. */
void wkhttp_cancel(struct wkhttp_req *r);

#endif
