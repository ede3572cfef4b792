#include "auth.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

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

/* The most common passwords of 10 characters or more (public breach
 * lists), lower case: refused whatever the case. */
static const char *const auth_common_pw[] = {
	"1234567890", "0123456789", "0987654321", "1q2w3e4r5t", "1qaz2wsx3edc",
	"qwertyuiop", "asdfghjkl;", "zxcvbnm,./", "password12", "password123",
	"password1234", "passw0rd123", "iloveyou12", "qwerty1234", "qwerty12345",
	"qwerty123456", "1234qwerty", "abcdefghij", "abcd123456", "abc1234567",
	"a1b2c3d4e5", "letmein123", "welcome123", "welcome1234", "admin12345",
	"administrator", "changeme123", "football123", "baseball123",
	"sunshine123", "princess123", "starwars123", "trustno1234",
	"1111111111", "123123123123", "123456789a", "a123456789", "q1w2e3r4t5",
	"q1w2e3r4t5y6", "zaq12wsxcde3", "1qazxsw23edc", "qazwsxedcrfv",
	"monkey12345", "dragon12345", "master12345", "superman123",
	"computer123", "internet123", "whatever123", "myspace123",
	"dataoptim123", "dataoptim2024", "dataoptim2025", "dataoptim2026",
	"llava12345", "password!!", "p@ssw0rd123", "p@ssword123",
};

const char *
auth_password_weak(const char *pw, const char *email)
{
	size_t i, n = 0, len = strlen(pw);
	char low[AUTH_PW_MAX + 1];

	for (i = 0; i < len; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80)
			n++;
	if (n < AUTH_PW_MIN)
		return "the password is shorter than 10 characters";
	if (len > AUTH_PW_MAX)
		return "the password is longer than 200 bytes";
	for (i = 1; i < len && pw[i] == pw[0]; i++)
		;
	if (i == len)
		return "the password is one character repeated";
	for (i = 0; i <= len; i++)
		low[i] = (char)tolower((unsigned char)pw[i]);
	if (email != NULL && email[0] != '\0') {
		size_t local = strcspn(email, "@");

		if (strcasecmp(pw, email) == 0 || (local == len &&
		    strncasecmp(pw, email, local) == 0))
			return "the password is the email address or its name part";
	}
	for (i = 0; i < sizeof(auth_common_pw) / sizeof(auth_common_pw[0]); i++)
		if (strcmp(low, auth_common_pw[i]) == 0)
			return "the password is one of the most common passwords";
	return NULL;
}
