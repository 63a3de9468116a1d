/*
 * secrets.h -- blocking statements over subscriptions' webhook secrets
 * (issue 20, item 5), as the schema's owner: sealing those still in
 * clear when the daemon starts, sealing every one again under a new key
 * (`railgate notices rotate-key`), and the subscriptions bound to no
 * carrier, which the daemon warns of.  The sealing itself is the
 * caller's (daemon/notice/secretbox.h): SQL never sees a key or a
 * secret in clear.  Not for the daemon's loop thread.
 */
#ifndef DB_SECRETS_H
#define DB_SECRETS_H

#include <stdbool.h>

/*
 * What a subscription's stored secret becomes: a new string (the db
 * frees it), or NULL with *cause to abandon the whole rewrite.
 */
typedef char *(*db_secret_rewrite_cb)(const char *name, const char *stored,
    void *arg, char **cause);

/*
 * In one transaction, every secret of a subscription not deleted (all),
 * or only those not sealed ("v1:" prefix absent), replaced by cb's
 * answer, each with an audit record action by principal naming the
 * subscription and key_id.  A deleted subscription's secret is left
 * destroyed.
 * Returns how many, or -1 with *cause (nothing changed).
 */
int db_secrets_rewrite(const char *dsn, bool all, const char *action,
    const char *principal, const char *key_id, db_secret_rewrite_cb cb,
    void *arg, char **cause);

/*
 * The subscriptions taking release notices (json or cusres) bound to no
 * carrier, one name a line, into *names (caller frees); 0 or -1.
 */
int db_subscriptions_unbound(const char *dsn, char **names, char **cause);

/*
 * The subscriptions whose secret is sealed with a key other than key_id,
 * "name (key <id>)" a line, into *names (caller frees); 0 or -1.
 */
int db_secrets_foreign(const char *dsn, const char *key_id, char **names,
    char **cause);

#endif
