/*
 * query.h -- what the store's modules share, for statements written in
 * db/ only (store_*.c, peer.c): the call in flight, the shapes of answer,
 * rows turned into arrays, the failure of a statement by kind.  Not for
 * higher layers: they call the named store functions (store.h, peer.h).
 */
#ifndef DB_QUERY_H
#define DB_QUERY_H

#include <stddef.h>

#include "db/peer.h"
#include "db/store.h"

struct db_result;

/*
 * A statement in flight: the caller's callback (the member of its shape)
 * and argument.  Made by store_call_new(), freed by the function that
 * calls back.
 */
struct store_call {
	union {
		store_token_cb		 token;
		store_audit_verify_cb	 audit;
		store_ingest_cb		 ingest;
		store_doc_cb		 doc;
		store_reply_cb		 reply;
		store_final_inputs_cb	 final_inputs;
		store_claim_cb		 claim;
		store_notices_cb	 notices;
		store_decision_cb	 text;
		store_status_cb		 status;
		store_peer_out_cb	 peer_out;
		store_peer_in_cb	 peer_in;
	}		 cb;
	void		*arg;
	void		(*sent)(void *arg);	/* lent bytes given back */
};

/* A call for arg; the caller sets the member of cb it answers with. */
struct store_call *store_call_new(void *arg);

/* The STORE_* status of a failed result. */
int store_failure(const struct db_result *r);

/* Fills element, one of the array store_rows() builds, from row of r. */
typedef void (*store_row_fill)(const struct db_result *r, int row,
    void *element);
/*
 * An array of one element of size bytes per row of r, each zeroed and
 * then filled by fill; *n the number of rows.  Never NULL (at least one
 * element); the caller frees it.  Strings in it are borrowed from r.
 */
void *store_rows(const struct db_result *r, size_t size, store_row_fill fill,
    size_t *n);
/* A nullable column's text; NULL for SQL NULL. */
const char *store_text_or_null(const struct db_result *r, int row, int col);
/* A nullable binary column's bytes and *len; NULL (len 0) for SQL NULL. */
const unsigned char *store_bytes_or_null(const struct db_result *r, int row,
    int col, size_t *len);
/* A nullable integer column; 0 for SQL NULL. */
long long store_int_or_zero(const struct db_result *r, int row, int col);

/* The clearance clock's parameters (store.h) as text. */
struct store_clock_args {
	char	target_min[16];
	char	amber_s[16];
	char	red_s[16];
};
struct store_clock_args store_clock_args(const struct store_clock *clk);

/* One document (text, or bytes with DB_BINARY_RESULT) or none. */
void store_query_doc(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_doc_cb cb, void *arg);
/* A read answered with one text document: safe to repeat (DB_RETRY). */
void store_query_read(struct db *db, const char *sql, int n,
    const char *const *v, store_doc_cb cb, void *arg);
/* Done or not. */
void store_query_status(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_status_cb cb, void *arg);
/* The first column of the first row as text, NULL when unavailable. */
void store_query_text(struct db *db, const char *sql, int n,
    const char *const *v, unsigned flags, long timeout_ms,
    store_decision_cb cb, void *arg);
/* A function's outcome and reply (columns outcome, reply). */
void store_query_reply(struct db *db, const char *sql, int n,
    const char *const *v, const int *lengths, const int *binary,
    unsigned flags, store_reply_cb cb, void *arg);

#endif
