#include "auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

#include "util.h"

/* argon2id cost: OWASP's minimum (19 MiB, 2 passes, 1 lane). */
#define AUTH_T_COST 2
#define AUTH_M_COST (19 * 1024)
#define AUTH_LANES 1
#define AUTH_SALT 16
#define AUTH_HASHLEN 32

int
auth_random(char *out, size_t outsz)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[256];
	size_t i, n;

	if (outsz == 0 || outsz - 1 > sizeof(raw))
		return -1;
	n = outsz - 1;
	if (RAND_bytes(raw, (int)n) != 1)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = b64[raw[i] & 63];
	out[n] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int
auth_secret(char out[AUTH_SECRET_LEN])
{
	memcpy(out, "do_", 3);
	return auth_random(out + 3, AUTH_SECRET_LEN - 3);
}

void
auth_sha256_hex(const char *s, size_t len, char out[AUTH_HASH_HEX])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)s, len, md);
	util_hex(md, sizeof(md), out);
}

int
auth_password_hash(const char *pw, char out[AUTH_PW_ENCODED], char *err,
    size_t errlen)
{
	unsigned char salt[AUTH_SALT];
	int rc;

	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		util_fmt(err, errlen, "no random bytes for a salt");
		return -1;
	}
	rc = argon2id_hash_encoded(AUTH_T_COST, AUTH_M_COST, AUTH_LANES, pw,
	    strlen(pw), salt, sizeof(salt), AUTH_HASHLEN, out,
	    AUTH_PW_ENCODED);
	if (rc != ARGON2_OK) {
		util_fmt(err, errlen, "argon2id: %s", argon2_error_message(rc));
		return -1;
	}
	return 0;
}

int
auth_password_verify(const char *encoded, const char *pw)
{
	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return 0;
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

int
auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}
