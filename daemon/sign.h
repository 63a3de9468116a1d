/*
 * sign.h -- signatures on what railgate sends: Standard Webhooks HMACs
 * for operators' endpoints, and the station's Ed25519 key over every
 * notice and neighbour message.
 *
 * A struct sign_key owns an OpenSSL key.  Key files must not be readable
 * by group or others: a loose file is refused.  Pure functions otherwise;
 * any thread.
 */
#ifndef DAEMON_SIGN_H
#define DAEMON_SIGN_H

#include <stddef.h>
#include <stdint.h>

struct sign_key;

/*
 * Loads an Ed25519 private key (PEM); with create set, makes one (mode
 * 0600) when the file does not exist.  NULL with *cause.
 */
struct sign_key *sign_key_load(const char *path, int create, char **cause);
/*
 * Refuses a key file that group or others can read (or that cannot be
 * stat'd): 0, or -1 with *cause naming the file and its mode.  Shared by
 * every private key file of the station (notices' secret key too).
 */
int sign_check_private_mode(const char *path, char **cause);
/* Loads an Ed25519 public key (PEM) for verifying; NULL with *cause. */
struct sign_key *sign_key_load_public(const char *path, char **cause);
/* Reads a public key from PEM text; NULL with *cause. */
struct sign_key *sign_key_from_pem(const char *pem, char **cause);
void sign_key_free(struct sign_key *k);
/* The public key as PEM text (caller frees). */
char *sign_key_public_pem(const struct sign_key *k);
/* First 16 hex digits of SHA-256 of the raw public key: names the key. */
void sign_key_id(const struct sign_key *k, char out[17]);

/* Base64 (standard alphabet, padded) of an Ed25519 signature of data. */
char *sign_ed25519(const struct sign_key *k, const void *data, size_t len);
/* 0 when sig_b64 is k's signature of data, -1 otherwise. */
int sign_ed25519_verify(const struct sign_key *k, const void *data,
    size_t len, const char *sig_b64);

/*
 * Standard Webhooks: "v1,<base64 HMAC-SHA256 of id.timestamp.body>" with
 * the secret ("whsec_<base64>", or raw bytes otherwise).  Caller frees.
 */
char *sign_webhook(const char *secret, const char *id, int64_t timestamp,
    const void *body, size_t len);
/*
 * Verifies a webhook-signature header (space-separated "v1,<sig>" list)
 * and the timestamp against now within tolerance_s.  0 good, -1 bad
 * signature, -2 timestamp outside the tolerance.
 */
int sign_webhook_verify(const char *secret, const char *id, int64_t timestamp,
    const void *body, size_t len, const char *header, int64_t now,
    int64_t tolerance_s);

/* Base64 encoding and decoding (standard alphabet); caller frees. */
char *sign_base64(const void *data, size_t len);
unsigned char *sign_unbase64(const char *b64, size_t *len);

#endif
