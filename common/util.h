/*
 * util: small helpers shared by every program: fatal allocation, error
 * strings, atomic file writes and hex encoding.
 */
#ifndef DO_UTIL_H
#define DO_UTIL_H

#include <stddef.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Allocation failure is fatal everywhere: these print "fatal: out of
 * memory" and abort the process instead of returning NULL, so callers
 * never check.  malloc/calloc/realloc/strdup that abort on exhaustion.
 */
void *util_xmalloc(size_t n);
void *util_xcalloc(size_t n, size_t size);
void *util_xrealloc(void *p, size_t n);
char *util_xstrdup(const char *s);

/*
 * realloc(p, n * size) for an array of n elements: the product is checked,
 * and one that overflows size_t is treated as exhaustion (the fatal exit
 * above), never wrapped into a short buffer.  p may be NULL (a new
 * array).  Never returns NULL.
 */
void *util_xreallocarray(void *p, size_t n, size_t size);

/* The fatal exit of the util_x* functions, for allocators built on them
 * (a size computation that overflows): prints the message and aborts. */
void util_oom(void) __attribute__((noreturn));

/* snprintf into buf (size bufsz), always NUL-terminated; returns buf. */
char *util_fmt(char *buf, size_t bufsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Hex-encode n bytes of in into out (which must hold 2n+1 bytes). */
void util_hex(const unsigned char *in, size_t n, char *out);

/*
 * Copy at most len bytes of untrusted src into dst (dstsz bytes, always
 * NUL-terminated) as a short printable-ASCII quotation: bytes outside
 * 0x20..0x7e and the backslash become \xNN; a long input ends in "...".
 * For quoting user input inside error messages.  Returns dst.
 */
char *util_quote(char *dst, size_t dstsz, const char *src, size_t len);

/* Monotonic clock in nanoseconds. */
uint64_t util_now_ns(void);

/*
 * Atomic file writes: util_afile_open() creates "<path>.tmp.<pid>.<n>"
 * next to path and returns a FILE * to it; util_afile_commit() flushes,
 * fsyncs, closes and renames it over path (then fsyncs the directory);
 * util_afile_abort() closes and removes it.  Both free the handle.
 * Errors: NULL / -1 with a message in err (errlen bytes).
 */
struct util_afile;
struct util_afile *util_afile_open(const char *path, char *err, size_t errlen);
FILE *util_afile_fp(struct util_afile *af);
int util_afile_commit(struct util_afile *af, char *err, size_t errlen);
void util_afile_abort(struct util_afile *af);

/* Read a whole small file (at most max bytes) into a NUL-terminated buffer
 * the caller frees; NULL with err set on error or if larger than max. */
char *util_read_small(const char *path, size_t max, size_t *len, char *err,
    size_t errlen);

/*
 * Text at the edge.  util_text_check() checks n bytes of s: valid UTF-8
 * (utf8_seq()), no control character (C0, DEL, C1; NUL included) except
 * newline and tab when multiline is set, at most max bytes.  0, or -1
 * with the reason and the byte offset in why ("is not valid UTF-8 at
 * byte 3").
 */
int util_text_check(const char *s, size_t n, int multiline, size_t max,
    char *why, size_t whylen);

/*
 * A copy of n bytes of s with every invalid UTF-8 sequence replaced by
 * U+FFFD and NULs dropped, NUL-terminated (the caller frees it): for text
 * that must reach a JSON answer whatever it holds.
 */
char *util_utf8_repair(const char *s, size_t n);

/* A JSON string of n bytes of s, never NULL: repaired as above when s is
 * not valid UTF-8 (text stored before the edge checked it, a file name). */
json_t *util_json_text(const char *s, size_t n);

/*
 * The next item of the comma-separated list at *p, without the blanks
 * (spaces, tabs) around it: returns its start and puts its length in
 * *len (0 for an empty item), and moves *p past it and its comma.  NULL
 * at the end of the list.
 */
const char *util_list_next(const char **p, size_t *len);

/*
 * Replace every occurrence of from in s (NUL-terminated) by to, in place;
 * to must not be longer than from.  Returns the number replaced.
 */
size_t util_replace_all(char *s, const char *from, const char *to);

/*
 * path as an absolute path: a relative one is joined to the working
 * directory; then "//", "/./" and a trailing "/" are folded (".." is kept:
 * no symlink is followed and the file need not exist).  Returns a new
 * string (the caller frees it), or NULL when the working directory cannot
 * be read (deleted, or longer than PATH_MAX).  "" stays "".
 */
char *util_abspath(const char *path);

/*
 * A team name folded for uniqueness (teams.name_key), so that names that
 * look alike are one name: Unicode compatibility forms and case folded
 * (NFKC_Casefold: "ALPHA", "Alpha", full-width "ＡＬＰＨＡ" and "alpha" are
 * one; "Straße" and "STRASSE" too), look-alike spaces and dashes lumped to
 * ASCII (NBSP is a space, U+2010 a "-"), default-ignorable characters
 * dropped, leading and trailing blanks dropped and every run of blanks
 * inside made one space.  For an ASCII name this is migration 0008's SQL
 * folding (letters lowered, blanks trimmed and squeezed).  Writes the key
 * into out (outsz bytes) and returns its length (0: the name is blank);
 * -1 (out "") when in is not valid UTF-8 or the key needs more than
 * outsz - 1 bytes; -2 when in holds a control character (other than tab,
 * CR and LF) or an invisible formatting one (Unicode category Cf: bidi
 * overrides such as U+202E, zero-width spaces, U+FEFF), which a team name
 * may not.  in and out may not overlap.
 */
int util_fold_name(const char *in, char *out, size_t outsz);

#endif
