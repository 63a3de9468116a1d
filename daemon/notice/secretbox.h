/*
 * secretbox.h -- webhook secrets at rest (issue 20, item 5): sealed with
 * the station's notice key (AES-256-GCM, a random 96-bit nonce per seal,
 * the subscription's name as additional authenticated data, so a sealed
 * secret copied to another row does not open), stored as
 *
 *	v1:<key id: 16 hex of SHA-256 of the key>:<base64 nonce||ciphertext||tag>
 *
 * The key file holds 32 random bytes and must not be readable by group
 * or others (sign_check_private_mode()).  A struct secret_key owns its
 * bytes (wiped when freed); pure functions otherwise, any thread.
 */
#ifndef DAEMON_NOTICE_SECRETBOX_H
#define DAEMON_NOTICE_SECRETBOX_H

#include <stdbool.h>

struct config;
struct secret_key;

/* The key file cfg names ([notices] secret_key_file, else
 * state_dir/notice-secrets.key); caller frees.  *is_default: the latter. */
char *secret_key_path(const struct config *cfg, bool *is_default);
/*
 * Loads a key file of exactly 32 bytes; with create set, makes one (mode
 * 0600, 32 bytes from the system's random source) when it does not exist.
 * NULL with *cause naming the file.
 */
struct secret_key *secret_key_load(const char *path, int create, char **cause);
void secret_key_free(struct secret_key *k);
/* The key's id, 16 hex digits (borrowed). */
const char *secret_key_id(const struct secret_key *k);

/* True when s has the form of a sealed secret ("v1:..."). */
bool secret_is_sealed(const char *s);
/* plain sealed under k for subscription name; caller frees; NULL only
 * when OpenSSL fails (*cause). */
char *secret_seal(const struct secret_key *k, const char *name,
    const char *plain, char **cause);
/*
 * The plain secret of subscription name; caller frees.  NULL with *cause
 * when it is not sealed, sealed under another key (both ids named), or
 * does not open (moved from another row, altered, or the wrong key).
 */
char *secret_open(const struct secret_key *k, const char *name,
    const char *sealed, char **cause);

#endif
