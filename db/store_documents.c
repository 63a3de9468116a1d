/*
 * store_documents.c -- the statements of operators' documents (store.h;
 * the functions are in db/functions/73_documents.sql): an upload stored
 * with its bytes, an officer's decision, a train's list and one
 * document's bytes.  The bytes go and come in binary: a 20 MiB PDF is
 * neither escaped nor copied as text.
 */
#include <stdlib.h>

#include "manifest/util.h"

#include "db.h"
#include "query.h"
#include "store.h"

void
store_document_upload(struct db *db, const struct store_document_upload *u,
    store_reply_cb cb, void *arg)
{
	const char	*v[9] = { u->train, u->carriers, u->consignment, u->code,
			    u->content_type, (const char *)u->bytes, u->principal,
			    u->role, u->ruleset };
	int		 len[9] = { 0, 0, 0, 0, 0, (int)u->len, 0, 0, 0 };
	int		 binary[9] = { 0, 0, 0, 0, 0, 1, 0, 0, 0 };

	/* Not repeated: a second attempt would store the document twice. */
	store_query_reply(db, "SELECT outcome, reply FROM document_upload($1, "
	    "$2::text[], $3, $4, $5, $6::bytea, $7, $8, $9)", 9, v, len, binary,
	    0, cb, arg);
}

void
store_document_decide(struct db *db, const char *id, const char *doc,
    int accept, const char *reason, const char *principal, const char *role,
    const char *ruleset, store_reply_cb cb, void *arg)
{
	const char	*v[7] = { id, doc, accept ? "true" : "false", reason,
			    principal, role, ruleset };

	/* Safe to repeat: a second attempt finds it decided (conflict). */
	store_query_reply(db, "SELECT outcome, reply FROM document_decide($1, "
	    "$2::bigint, $3::boolean, $4, $5, $6, $7)", 7, v, NULL, NULL,
	    DB_RETRY, cb, arg);
}

void
store_train_documents(struct db *db, const char *id, const char *carriers,
    store_doc_cb cb, void *arg)
{
	const char	*v[2] = { id, carriers };

	store_query_read(db, "SELECT train_documents($1, $2::text[])", 2, v,
	    cb, arg);
}

struct content_call {
	store_document_cb	 cb;
	void			*arg;
};

/* Row: content_type, sha256, content, all binary; no row: not found. */
static void
content_cb(const struct db_result *r, void *arg)
{
	struct content_call	*q = arg;
	const unsigned char	*bytes;
	size_t			 len;

	if (!db_result_ok(r))
		q->cb(store_failure(r), NULL, NULL, NULL, 0, q->arg);
	else if (db_result_rows(r) == 0 || db_result_cols(r) != 3)
		q->cb(0, NULL, NULL, NULL, 0, q->arg);
	else {
		bytes = store_bytes_or_null(r, 0, 2, &len);
		q->cb(1, db_result_value(r, 0, 0), db_result_value(r, 0, 1),
		    bytes, len, q->arg);
	}
	free(q);
}

void
store_document_content(struct db *db, const char *id, const char *doc,
    const char *carriers, store_document_cb cb, void *arg)
{
	struct content_call	*q = xcalloc(1, sizeof *q);
	const char		*v[3] = { id, doc, carriers };

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT content_type, sha256, content FROM "
	    "document_content($1, $2::bigint, $3::text[])", 3, v, NULL, NULL,
	    DB_RETRY | DB_BINARY_RESULT, 30000, content_cb, q);
}
