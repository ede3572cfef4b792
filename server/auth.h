/*
 * auth: credentials.  Passwords are hashed with argon2id (encoded form,
 * salt included); API tokens and session cookies are random strings of
 * which only the SHA-256 (hex) is stored.
 */
#ifndef DO_AUTH_H
#define DO_AUTH_H

#include <stddef.h>

#define AUTH_HASH_HEX 65	/* SHA-256 hex + NUL */
#define AUTH_PW_ENCODED 128	/* argon2id encoded hash buffer */
#define AUTH_SECRET_LEN 48	/* random secrets: "do_" + 43 chars + NUL */

/* Fill out (outsz bytes) with a random URL-safe secret of outsz-1 chars
 * (base64url alphabet) drawn from OpenSSL's RNG.  Returns 0 or -1. */
int auth_random(char *out, size_t outsz);

/* A new API token or session secret "do_<random>" in out (AUTH_SECRET_LEN
 * bytes).  Returns 0 or -1. */
int auth_secret(char out[AUTH_SECRET_LEN]);

/* SHA-256 of the string s, in hex. */
void auth_sha256_hex(const char *s, size_t len, char out[AUTH_HASH_HEX]);

/* Hash password pw with argon2id and a random salt into out.  Returns 0,
 * or -1 with a message in err. */
int auth_password_hash(const char *pw, char out[AUTH_PW_ENCODED], char *err,
    size_t errlen);

/* 1 if pw matches the encoded hash, else 0 (also for a malformed hash). */
int auth_password_verify(const char *encoded, const char *pw);

/*
 * The strength floor of a new password (sign-up, password change):
 * NULL when pw is acceptable, else why not (a static English sentence):
 * shorter than AUTH_PW_MIN characters, one character repeated, the email
 * (email may be NULL) or its part before the '@', or one of the most
 * common passwords (case-insensitive).  Length is counted in UTF-8
 * characters.
 */
#define AUTH_PW_MIN 10
#define AUTH_PW_MAX 200		/* bytes */
const char *auth_password_weak(const char *pw, const char *email);

/* Constant-time comparison of two NUL-terminated strings: 1 if equal. */
int auth_equal(const char *a, const char *b);

#endif
