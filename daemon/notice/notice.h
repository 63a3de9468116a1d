/*
 * notice.h -- release notices: the notice outbox's sender.
 *
 * Through the shared delivery cycle (daemon/outbox.h), due notices are
 * claimed from the database under a lease (several
 * daemons may share the outbox), their body is built once and stored
 * before the first attempt (so every attempt sends the same bytes under
 * the same id), and each is posted to its operator's endpoint with
 * libevent's HTTP client (HTTPS through OpenSSL, certificates verified),
 * signed per Standard Webhooks and with the station's Ed25519 key.  A
 * failure is retried with exponential backoff and jitter up to a ceiling,
 * then the notice is dead until an officer redelivers it.  Loop thread.
 */
#ifndef DAEMON_NOTICE_NOTICE_H
#define DAEMON_NOTICE_NOTICE_H

#include <stdint.h>

struct daemon;
struct notices;
struct secret_key;
struct sign_key;

/*
 * Starts delivering; the key (borrowed, kept by the caller) signs bodies.
 * Its outbox's cycle in d->cycles stops it (deliveries in flight finish),
 * counts them for draining, and frees it.
 */
struct notices *notices_new(struct daemon *d, const struct sign_key *key);
/*
 * The key that opens subscriptions' secrets at delivery (secretbox.h);
 * consumes k, frees the previous one (a reload after a key rotation).
 */
void notices_set_secret_key(struct notices *n, struct secret_key *k);
/* The key in use (borrowed), NULL before one is set: seals new secrets. */
const struct secret_key *notices_secret_key(const struct notices *n);
/* Notices may be due now (a decision became final, an officer redelivers). */
void notices_kick(struct notices *n);

#endif
