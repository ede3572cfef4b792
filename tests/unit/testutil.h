/*
 * testutil: helpers shared by the unit tests (cmocka).
 */
#ifndef DO_TESTUTIL_H
#define DO_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* A fresh temporary directory (removed by tu_cleanup()); path returned is
 * owned by testutil. */
const char *tu_tmpdir(void);

/* Remove every directory tu_tmpdir() made (call from group teardown). */
void tu_cleanup(void);

/* The group fixture that does nothing (test-list.h). */
int tu_none(void **state);

/* Write len bytes of data to dir/name; returns the full path (static
 * storage rotating over 8 buffers). */
const char *tu_write(const char *dir, const char *name, const void *data,
    size_t len);

/* Same for a NUL-terminated string. */
const char *tu_writes(const char *dir, const char *name, const char *s);

/* path of a file in ../shared/dataoptim (found relative to the repo root
 * or $DATAOPTIM_SHARED); static storage. */
const char *tu_shared(const char *name);

/* Path of a built program ("dataoptim") in the bin dir of this build
 * ($DO_BIN, else "bin"); static storage. */
const char *tu_bin(const char *prog);

/*
 * Run argv (argv[0] is a program path) with stdin from /dev/null, stdout
 * and stderr captured into out (NUL-terminated, truncated to outsz-1).
 * Returns the exit status, or 128+signal.
 */
int tu_run(char *const argv[], char *out, size_t outsz);

/* A synthetic pool made once per process at the given small scale:
 * returns the directory holding data/ and val.json, and in *idx the path
 * of its built index. */
const char *tu_synth_pool(double scale, const char **idx);

#endif
