/*
 * handoff.h -- models ingest has just parsed, waiting for their evaluation.
 *
 * Ingest parses every manifest before storing it; the evaluation that
 * follows a moment later would inflate and parse the same stored bytes
 * again.  Ingest leaves its model here instead, keyed by the manifest's
 * id, and the evaluator takes it when it claims that manifest's run.
 * The model is the one parsed from exactly the stored bytes, so a daemon
 * that takes it decides from the same input as one that re-reads them.
 *
 * What is not taken soon (another daemon claimed the run, or the run was
 * cancelled) is dropped: the store is bounded by the size of the bytes
 * behind its models and by age.  Owns every model it holds.  Loop thread.
 */
#ifndef DAEMON_HANDOFF_H
#define DAEMON_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

struct handoff;
struct manifest_train;

/* A parsed manifest and what ingest knew of its bytes. */
struct handoff_entry {
	long long		 manifest_id;
	struct manifest_train	*train;		/* owned by the holder */
	char			 sha256[65];	/* of the raw bytes */
	size_t			 raw_size;
	double			 parse_ms;
	int64_t			 at_ms;		/* when it was left */
};

/* Keeps models of at most max_bytes of manifest bytes in all. */
struct handoff *handoff_new(size_t max_bytes);
/* Frees the store and every model in it; accepts NULL. */
void handoff_free(struct handoff *h);
/* Leaves a model (ownership passes); the oldest go to make room. */
void handoff_put(struct handoff *h, const struct handoff_entry *e);
/* Takes the model of manifest_id (ownership passes): 0, or -1 if absent. */
int handoff_take(struct handoff *h, long long manifest_id,
    struct handoff_entry *out);
/* Drops the models left before at_ms. */
void handoff_expire(struct handoff *h, int64_t at_ms);
/* Models held. */
size_t handoff_count(const struct handoff *h);
/* The manifest ids of the models held, into ids (handoff_count of them). */
size_t handoff_manifest_ids(const struct handoff *h, long long *ids);

#endif
