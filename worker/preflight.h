/*
 * preflight: what the worker checks on its own host before any GPU stage
 * runs, so that a run that was going to crash late in LLaVA's data loader
 * fails in seconds instead:
 *  - the training file parses as LLaVA reads it (json.load): one JSON
 *    array of objects, each "image" member a string;
 *  - its item count (the caller compares it with the submission's);
 *  - every distinct image it names, joined to the image folder as LLaVA
 *    joins it (os.path.join, then PIL's Image.open), is a regular file of
 *    non-zero size that starts like an image of a format the loader opens
 *    (JPEG, PNG, GIF, WebP, BMP).
 * The file is read once with jsonlex (bounded memory but for the image
 * paths, kept once each); the images are checked on libuv's thread pool,
 * a few chunks at a time (preflight_run()).  Everything but
 * preflight_run() blocks: call it from the thread pool.
 */
#ifndef DO_PREFLIGHT_H
#define DO_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* At most this many unusable images are named in preflight_result(). */
#define PREFLIGHT_LIST 20

/* Images one thread-pool work item checks. */
#define PREFLIGHT_CHUNK 512

struct preflight;

/*
 * A preflight whose images are looked for under image_folder (copied; ""
 * or NULL: the images are collected but not checked).  Never NULL; free
 * it with preflight_free().
 */
struct preflight *preflight_new(const char *image_folder);

/* Free p.  NULL is ignored.  Not while preflight_run() is in flight. */
void preflight_free(struct preflight *p);

/*
 * Read the training file at path: its items and the distinct image paths
 * they name.  0, or -1 with what is wrong in err ("item 3: \"image\" is
 * not a string (byte 120)", "not valid JSON at byte 7: ...", or the
 * system's reason for an unreadable file).
 */
int preflight_scan(struct preflight *p, const char *path, char *err,
    size_t errlen);

/* After preflight_scan(): the items, the distinct images. */
uint64_t preflight_items(const struct preflight *p);
size_t preflight_images(const struct preflight *p);

/* Called on the loop once every image was checked. */
typedef void preflight_done_cb(void *arg);

/*
 * Check the images on loop's thread pool, at most parallel (1..64) work
 * items of PREFLIGHT_CHUNK images in flight at once, then call cb(arg) on
 * the loop.  Returns 0 when there is nothing to check (no image folder,
 * no images: cb is never called), else 1.  p must stay until cb.
 */
int preflight_run(struct preflight *p, uv_loop_t *loop, unsigned parallel,
    preflight_done_cb *cb, void *arg);

/* After the check: how many images are unusable. */
size_t preflight_bad(const struct preflight *p);

/*
 * The i-th unusable image (0 <= i < preflight_bad(), in path order):
 * its path as the training file gives it (borrowed from p), and why in
 * *why ("missing", "empty", "not an image", ...).
 */
const char *preflight_bad_image(const struct preflight *p, size_t i,
    const char **why);

/*
 * The verdict in words into msg: 0 and "" when every image is usable,
 * else -1 and "N of M images are not usable under the image folder (K
 * missing, ...): PATH (missing), ..." naming the first PREFLIGHT_LIST.
 */
int preflight_result(const struct preflight *p, char *msg, size_t msglen);

#endif
