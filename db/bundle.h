/*
 * bundle.h -- one train run's evidence bundle as the database assembles
 * it (train_bundle(), db/functions/12_bundle.sql; docs/evidence.md), for
 * `railgate bundle`: a blocking read on a connection of its own, never on
 * the daemon's loop (the daemon's: store_train_bundle, db/checkpoint.h).
 */
#ifndef DB_BUNDLE_H
#define DB_BUNDLE_H

#include <stddef.h>

/*
 * The bundle of train run id ("X8024" its latest run, "X8024@2") as JSON
 * text (caller frees), *len its length.  NULL with *cause (caller frees):
 * no connection, no such train (*not_found set), or the query failed.
 */
char *bundle_db_fetch(const char *dsn, const char *id, size_t *len,
    int *not_found, char **cause);

#endif
