/*
 * ingest_summary.h -- what ingestion tells the database of a train just
 * read (daemon/ingest_summary.c): JSON for ingest_manifest()'s p_train
 * and p_wagons (db/functions/30_ingest.sql).  Each function appends to
 * a buffer the caller owns.
 */
#ifndef DAEMON_INGEST_SUMMARY_H
#define DAEMON_INGEST_SUMMARY_H

#include <stdbool.h>

struct buf;
struct manifest_train;

/* True when the train carries perishable goods (HS 06-08). */
bool	ingest_train_perishable(const struct manifest_train *t);
/* The run's summary columns as one JSON object: the train's contents
 * hash, stations, times, green lane, counts and named parties (each with
 * the wagons carrying its goods, for the console's search). */
void	ingest_summary_train(const struct manifest_train *t, bool green_lane,
	    struct buf *out);
/* One JSON object per wagon, in train order: position, number, the hash
 * of its contents, its containers and its number of items. */
void	ingest_summary_wagons(const struct manifest_train *t,
	    struct buf *out);

#endif
