/*
 * store.c -- the daemon's statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/util.h"

#include "db.h"
#include "store.h"

struct token_lookup {
	store_token_cb	 cb;
	void		*arg;
};

/* Row: principal, role. */
static void
token_lookup_done(const struct db_result *r, void *arg)
{
	struct token_lookup	*q = arg;

	if (!db_result_ok(r))
		q->cb(-1, NULL, NULL, q->arg);
	else if (db_result_rows(r) == 0)
		q->cb(0, NULL, NULL, q->arg);
	else
		q->cb(1, db_result_value(r, 0, 0), db_result_value(r, 0, 1),
		    q->arg);
	free(q);
}

void
store_token_lookup(struct db *db, const char *hash, store_token_cb cb,
    void *arg)
{
	struct token_lookup	*q = xmalloc(sizeof *q);
	const char		*p[1] = { hash };

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT principal, role FROM tokens WHERE hash = $1 "
	    "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
	    1, p, NULL, NULL, DB_RETRY, 5000, token_lookup_done, q);
}

struct audit_verify {
	store_audit_verify_cb	 cb;
	void			*arg;
};

/* Row: first_bad, checked, reason. */
static void
audit_verify_done(const struct db_result *r, void *arg)
{
	struct audit_verify	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb(-1, 0, 0, db_result_error(r), q->arg);
	else if (db_result_is_null(r, 0, 0))
		q->cb(1, atoll(db_result_value(r, 0, 1)), 0, NULL, q->arg);
	else
		q->cb(0, atoll(db_result_value(r, 0, 1)),
		    atoll(db_result_value(r, 0, 0)), db_result_value(r, 0, 2),
		    q->arg);
	free(q);
}

void
store_audit_verify(struct db *db, store_audit_verify_cb cb, void *arg)
{
	struct audit_verify	*q = xmalloc(sizeof *q);

	q->cb = cb;
	q->arg = arg;
	db_query(db, "SELECT first_bad, checked, reason FROM audit_verify()", 0,
	    NULL, NULL, NULL, DB_RETRY, 60000, audit_verify_done, q);
}

struct ingest {
	store_ingest_cb	 cb;
	void		*arg;
};

/* Row: manifest_id, train_id, http_status, reply, repeated. */
static void
ingest_done(const struct db_result *r, void *arg)
{
	struct ingest	*q = arg;

	if (!db_result_ok(r) || db_result_rows(r) == 0)
		q->cb(-1, 0, 0, 0, NULL, 0, db_result_error(r), q->arg);
	else
		q->cb(0, atoll(db_result_value(r, 0, 0)),
		    db_result_is_null(r, 0, 1) ? 0 : atoll(db_result_value(r, 0, 1)),
		    atoi(db_result_value(r, 0, 2)), db_result_value(r, 0, 3),
		    strcmp(db_result_value(r, 0, 4), "t") == 0, NULL, q->arg);
	free(q);
}

void
store_ingest_manifest(struct db *db, const struct store_manifest *m,
    store_ingest_cb cb, void *arg)
{
	struct ingest	*q = xmalloc(sizeof *q);
	char		 size[24];
	const char	*v[15];
	int		 len[15] = { 0 }, bin[15] = { 0 };

	q->cb = cb;
	q->arg = arg;
	snprintf(size, sizeof size, "%lld", (long long)m->raw_size);
	v[0] = m->sha256;
	v[1] = (const char *)m->raw_z;
	len[1] = (int)m->raw_z_len;
	bin[1] = 1;
	v[2] = size;
	v[3] = m->format;
	v[4] = m->source;
	v[5] = m->principal;
	v[6] = m->key;
	v[7] = m->accepted ? "t" : "f";
	v[8] = m->train_no;
	v[9] = m->function;
	v[10] = m->diagnostics;
	v[11] = (const char *)m->model_z;
	len[11] = (int)m->model_z_len;
	bin[11] = 1;
	v[12] = m->train;
	v[13] = m->wagons;
	v[14] = m->ruleset;
	/* With a key, running twice returns the first answer: safe to retry. */
	db_query(db, "SELECT manifest_id, train_id, http_status, reply, repeated "
	    "FROM ingest_manifest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
	    "$12, $13, $14, $15)", 15, v, len, bin, m->key != NULL ? DB_RETRY : 0,
	    60000, ingest_done, q);
}
