/*
 * password.c -- the password policy, Argon2id, and the session cookie's
 * value in a Cookie header (password.h).
 *
 * The parameters are fixed here and written into every hash (the PHC
 * string carries them), so raising them later leaves old hashes
 * verifiable; a hash of any other algorithm (argon2i, bcrypt...) is
 * refused rather than verified by whatever accepts it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "daemon/http/password.h"

#define ARGON2_T	2
#define ARGON2_M_KIB	19456
#define ARGON2_P	1
#define ARGON2_SALT	16
#define ARGON2_LEN	32

/* Made with the parameters above from a password nobody is given. */
const char PASSWORD_DUMMY_HASH[] = "$argon2id$v=19$m=19456,t=2,p=1$"
    "cmFpbGdhdGUtZHVtbXkhIQ$IBKlx0PALYJV6x9WQo0o7GF/lWQ3ywwUYRGrrX5zmt0";

const char *
password_policy(const char *pw)
{
	size_t		 chars = 0;
	const char	*p;

	if (strlen(pw) > PASSWORD_MAX_BYTES)
		return "a password is at most 1024 bytes";
	for (p = pw; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a password holds no control character";
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	}
	if (chars < PASSWORD_MIN_CHARS)
		return "a password is at least 12 characters";
	return NULL;
}

int
password_hash(const char *pw, char *out)
{
	unsigned char	salt[ARGON2_SALT];

	if (RAND_bytes(salt, sizeof salt) != 1)
		return -1;
	return argon2id_hash_encoded(ARGON2_T, ARGON2_M_KIB, ARGON2_P, pw,
	    strlen(pw), salt, sizeof salt, ARGON2_LEN, out,
	    PASSWORD_HASH_MAX) == ARGON2_OK ? 0 : -1;
}

int
password_verify(const char *encoded, const char *pw)
{
	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return 0;
	return argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK;
}

/* The value of one "name=value" pair of a Cookie header. */
const char *
password_session_cookie(const char *h, char *out, int *malformed)
{
	const size_t	 nlen = strlen(SESSION_COOKIE);
	const char	*p = h, *v, *end;
	bool		 found = false;

	*malformed = 0;
	if (h == NULL)
		return NULL;
	while (*p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		end = p + strcspn(p, ";");
		if (strncmp(p, SESSION_COOKIE, nlen) == 0 && p[nlen] == '=') {
			v = p + nlen + 1;
			if (found || end - v == 0 || end - v > 256)
				goto bad;
			memcpy(out, v, (size_t)(end - v));
			out[end - v] = '\0';
			for (v = out; *v != '\0'; v++)
				if (*v <= ' ' || *v > '~' || *v == '"' ||
				    *v == ',' || *v == '\\')
					goto bad;
			found = true;
		}
		p = end;
	}
	return found ? out : NULL;
bad:
	*malformed = 1;
	return NULL;
}
