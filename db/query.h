/*
 * query.h -- the three shapes of answer the store's modules share, for
 * statements written in db/ only (store.c, peer.c).  Not for higher
 * layers: they call the named store functions.
 */
#ifndef DB_QUERY_H
#define DB_QUERY_H

#include "db/store.h"

struct db_result;

/* The STORE_* status of a failed result. */
int store_failure(const struct db_result *r);
/* One document (text, or bytes with DB_BINARY_RESULT) or none. */
void store_query_doc(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_doc_cb cb, void *arg);
/* Done or not. */
void store_query_status(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_status_cb cb, void *arg);
/* The first column of the first row as text, NULL when unavailable. */
void store_query_text(struct db *db, const char *sql, int n,
    const char *const *v, unsigned flags, store_decision_cb cb, void *arg);

#endif
