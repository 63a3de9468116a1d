/*
 * api_trains.c -- reading trains: the list with its clearance clocks,
 * one run with its wagons, its decision document, canonical model and
 * audit trail.  Documents are built by the database and passed through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "db/store.h"
#include "manifest/util.h"

#include "api.h"
#include "daemon.h"

/* A train id names a train number, optionally "@run": printable, short. */
static bool
train_id_is_valid(const char *id)
{
	size_t	n = strlen(id), i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (id[i] <= ' ' || id[i] > '~' || id[i] == '/')
			return false;
	return true;
}

/* Answers a JSON document, 404 or 503. */
static void
doc_reply_cb(int status, const char *text, size_t len, void *arg)
{
	struct http_ctx	*c = arg;

	if (status < 0)
		http_reply_unavailable(c);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", c->params[0] != NULL ?
		    "no such train, or no decision yet" : NULL, NULL, 0);
	else
		http_reply_json(c, 200, text, len);
}

/* Checks {id}; answers 400 itself when it is not one. */
static bool
check_id(struct http_ctx *c)
{
	if (!train_id_is_valid(http_param(c, 0))) {
		http_reply_problem(c, 400, "Bad Request", "a train id is a train "
		    "number, optionally followed by @run", NULL, 0);
		return false;
	}
	return true;
}

void
api_trains_list(struct http_ctx *c)
{
	const char	*state = http_query(c, "state");

	store_train_list(c->d->db, state, c->d->cfg.target_minutes,
	    c->d->cfg.warn_percent, doc_reply_cb, c);
}

void
api_train_get(struct http_ctx *c)
{
	if (check_id(c))
		store_train_get(c->d->db, http_param(c, 0),
		    c->d->cfg.target_minutes, c->d->cfg.warn_percent,
		    doc_reply_cb, c);
}

void
api_train_decision(struct http_ctx *c)
{
	if (check_id(c))
		store_train_decision(c->d->db, http_param(c, 0), doc_reply_cb, c);
}

/* Inflates the stored model; it is only ever read whole. */
static void
model_reply_cb(int status, const char *z, size_t zlen, void *arg)
{
	struct http_ctx	*c = arg;
	struct buf	 out = { 0 };
	z_stream	 zs;
	int		 rc;

	if (status <= 0) {
		doc_reply_cb(status, z, zlen, arg);
		return;
	}
	memset(&zs, 0, sizeof zs);
	if (inflateInit(&zs) != Z_OK) {
		http_reply_problem(c, 500, "Internal Server Error", NULL, NULL, 0);
		return;
	}
	zs.next_in = (Bytef *)(uintptr_t)z;
	zs.avail_in = (uInt)zlen;
	do {
		buf_reserve(&out, 1 << 20);
		zs.next_out = (Bytef *)out.data + out.len;
		zs.avail_out = (uInt)(out.cap - out.len - 1);
		rc = inflate(&zs, Z_NO_FLUSH);
		out.len = (size_t)((char *)zs.next_out - out.data);
	} while (rc == Z_OK);
	inflateEnd(&zs);
	if (rc != Z_STREAM_END)
		http_reply_problem(c, 500, "Internal Server Error",
		    "the stored model is damaged", NULL, 0);
	else
		http_reply_json(c, 200, out.data, out.len);
	buf_free(&out);
}

void
api_train_manifest(struct http_ctx *c)
{
	if (check_id(c))
		store_train_model(c->d->db, http_param(c, 0), model_reply_cb, c);
}

void
api_train_audit(struct http_ctx *c)
{
	if (check_id(c))
		store_train_audit(c->d->db, http_param(c, 0), doc_reply_cb, c);
}
