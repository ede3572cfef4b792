/*
 * cred: where the participant CLI finds its server and token.
 *
 * The credentials file is $XDG_CONFIG_HOME/dataoptim/credentials (or
 * ~/.config/dataoptim/credentials), written by `dataoptim login`:
 * "key = value" lines, '#' comments and blank lines ignored, keys
 * "server" and "token".  It is written through a temporary file and a
 * rename, mode 0600, in a directory made with mode 0700, and it is not
 * read when it is not a regular file of the user's or when its group or
 * others may read or write it (like ssh's private keys).
 *
 * Precedence: --token > DATAOPTIM_TOKEN > the file; --server >
 * DATAOPTIM_SERVER > the file.  The file's token is used only for the
 * file's own server, so that a token never goes to another server than
 * the one it was made for.
 */
#ifndef DO_CRED_H
#define DO_CRED_H

#include <stddef.h>

#define CRED_MAX_FILE 65536	/* a longer file is refused */
#define CRED_MAX_VALUE 4096	/* a longer value is refused */

struct cred {
	char *server;		/* NULL if none; owned */
	char *token;		/* NULL if none; owned */
};

/* Free the strings of c (not c itself); c is empty after. */
void cred_clear(struct cred *c);

/*
 * Parse the text of a credentials file (n bytes, need not be
 * NUL-terminated) into *c (empty before).  name is the file's name for
 * messages.  Returns 0, or -1 with "NAME:LINE: what is wrong" in err
 * (errlen bytes): a line without '=', an unknown key, a key given twice,
 * an empty or over-long value, a control character or NUL.  *c is empty
 * after a failure.
 */
int cred_parse(const char *text, size_t n, const char *name, struct cred *c,
    char *err, size_t errlen);

/*
 * The credentials file's path (a new string the caller frees), or NULL
 * with the reason in err when neither XDG_CONFIG_HOME nor HOME is set
 * (or either is not an absolute path).
 */
char *cred_path(char *err, size_t errlen);

/*
 * Read the credentials file into *c (empty before).  Returns 1 when read,
 * 0 when there is none (*c stays empty), -1 with the reason in err when
 * it cannot be read, is unsafe (group or world access, not the user's,
 * not a regular file) or is malformed.
 */
int cred_load(struct cred *c, char *err, size_t errlen);

/*
 * Write c (server required; token may be NULL: a file without a token)
 * as the credentials file: temp file in the same directory, mode 0600,
 * fsync, rename; the directory (and a missing $XDG_CONFIG_HOME or
 * ~/.config) made with mode 0700.  Returns 0, or -1 with the reason in
 * err.  path, when not NULL, gets the file's path (a new string).
 */
int cred_save(const struct cred *c, char **path, char *err, size_t errlen);

/*
 * The server and token to use, from the options (NULL when not given),
 * the environment and the file, by the precedence above: *out gets
 * copies (either may stay NULL: nothing gave one).  Returns 0, or -1 with
 * the reason in err when the file exists but cannot be used.
 */
int cred_resolve(const char *server_opt, const char *token_opt,
    struct cred *out, char *err, size_t errlen);

#endif
