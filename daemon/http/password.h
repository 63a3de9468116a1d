/*
 * password.h -- officers' passwords: the policy, Argon2id hashing and
 * verification (libargon2), and the session cookie's value.
 *
 * A password is stored only as an Argon2id PHC string
 * ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash", OWASP's minimum for
 * Argon2id: 19 MiB, two passes, one lane; about 50 ms on one core).
 * Verification takes as long as hashing: the daemon runs it on a worker
 * (pool.h), never on the loop.  A name with no account is verified
 * against PASSWORD_DUMMY_HASH, so that the answer takes the same time
 * whether the name exists or not.  Any thread.
 */
#ifndef DAEMON_HTTP_PASSWORD_H
#define DAEMON_HTTP_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN_CHARS	12	/* characters (UTF-8 code points) */
#define PASSWORD_MAX_BYTES	1024
#define PASSWORD_HASH_MAX	160	/* a PHC string and its NUL */

/* A hash with the parameters of password_hash, matching no password. */
extern const char PASSWORD_DUMMY_HASH[];

/* NULL when pw is acceptable as a new password, else why not. */
const char *password_policy(const char *pw);
/*
 * The Argon2id PHC string of pw, with a random salt, into out
 * (PASSWORD_HASH_MAX bytes); 0 or -1.
 */
int password_hash(const char *pw, char *out);
/*
 * 1 when pw matches encoded (an Argon2id PHC string), 0 when not or
 * when encoded is not one.
 */
int password_verify(const char *encoded, const char *pw);

#define SESSION_COOKIE		"railgate_session"
/*
 * The value of SESSION_COOKIE in a Cookie header; NULL when absent, or
 * when it is not one visible-ASCII value of at most 256 bytes or the
 * cookie appears twice (a forged header).  *malformed says which NULL
 * it is.  Writes into out (257 bytes).
 */
const char *password_session_cookie(const char *cookie_header, char *out,
    int *malformed);

#endif
