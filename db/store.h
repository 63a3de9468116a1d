/*
 * store.h -- railgate's queries: every statement the daemon runs, typed.
 *
 * The SQL text lives here and in db/migrations/ only; callers pass
 * values, never SQL.  Each function queues one statement on the pool
 * (db.h) and calls back on the loop thread with plain C values; strings
 * handed to a callback are borrowed for the callback's duration.
 * Statements that are safe to repeat are queued with DB_RETRY.
 */
#ifndef DB_STORE_H
#define DB_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/*
 * status: 1 found and valid, 0 unknown / expired / revoked, -1 the
 * database is unavailable.
 */
typedef void (*store_token_cb)(int status, const char *principal,
    const char *role, void *arg);

/* Looks up a token by its SHA-256 hex. */
void store_token_lookup(struct db *db, const char *hash, store_token_cb cb,
    void *arg);

/* status: 1 intact, 0 broken at first_bad (reason set), -1 unavailable. */
typedef void (*store_audit_verify_cb)(int status, long long checked,
    long long first_bad, const char *reason, void *arg);

/* Walks the whole audit chain in the database. */
void store_audit_verify(struct db *db, store_audit_verify_cb cb, void *arg);

#endif
