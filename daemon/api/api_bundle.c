/*
 * api_bundle.c -- GET /v1/trains/{id}/bundle: one train run's evidence
 * bundle (docs/evidence.md), for an auditor to hand to a court, a
 * prosecutor or the neighbouring service, verifiable offline with
 * `railgate verify BUNDLE --key station.pub`.
 *
 * A bundle always ends at a signed checkpoint: the chain's head is
 * signed first unless it has not moved since the last checkpoint
 * (checkpointer_now), then the database assembles the bundle up to the
 * first checkpoint at or after the train's last record.  A record made
 * for the train in between leaves no checkpoint covering it: signed
 * again and asked again, a few times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/checkpoint.h"
#include "manifest/util.h"

#include "daemon/api/api.h"
#include "daemon/checkpoint.h"
#include "daemon/daemon.h"
#include "daemon/outcome.h"

#define BUNDLE_TRIES	3

struct bundle_req {
	struct http_ctx	*c;
	int		 tries;
};

static void bundle_checkpointed_cb(int, void *);

static void
bundle_cb(int status, const char *text, size_t len, void *arg)
{
	struct bundle_req	*b = arg;
	struct http_ctx		*c = b->c;
	char			 disp[160];

	if (status < 0)
		outcome_reply_store_failure(c, status);
	else if (status == 0)
		http_reply_problem(c, 404, "Not Found", "no such train", NULL, 0);
	else if (memmem(text, len, "\"checkpoint\" : null", 19) != NULL &&
	    ++b->tries < BUNDLE_TRIES) {
		/* A record newer than the checkpoint just made: again. */
		checkpointer_now(c->d->checkpoints, bundle_checkpointed_cb, b);
		return;
	} else if (memmem(text, len, "\"checkpoint\" : null", 19) != NULL)
		http_reply_problem(c, 503, "Service Unavailable", "the train's "
		    "records keep moving past the last checkpoint; ask again",
		    NULL, 0);
	else {
		snprintf(disp, sizeof disp, "attachment; filename=\"%s.bundle."
		    "json\"", http_param(c, 0));
		http_add_header(c, "Content-Disposition", disp);
		http_reply_json(c, 200, text, len);
	}
	free(b);
}

static void
bundle_checkpointed_cb(int status, void *arg)
{
	struct bundle_req	*b = arg;

	if (status < 0) {
		http_reply_problem(b->c, 503, "Service Unavailable", "the audit "
		    "chain could not be signed now", NULL, 0);
		free(b);
		return;
	}
	store_train_bundle(b->c->d->db, http_param(b->c, 0), bundle_cb, b);
}

void
api_train_bundle(struct http_ctx *c)
{
	struct bundle_req	*b = xcalloc(1, sizeof *b);

	b->c = c;
	checkpointer_now(c->d->checkpoints, bundle_checkpointed_cb, b);
}
