/*
 * tidy.h -- upkeep of the console search's indexes, done while no
 * decision is being made (issue 23; db/migrations/038_search_pending.sql).
 *
 * A manifest's parties, wagons and train number go into the pending
 * lists of the search's trigram indexes; merging a list into its index
 * costs about 1.5 ms a train, taken by whichever insert crossed the
 * list's limit unless someone merges first.  Four times a second the
 * tidier looks whether the daemon is deciding (a manifest read or
 * stored, a train evaluated: daemon_deciding()); after a second of none,
 * and when a manifest came in since the last merge, it asks the database
 * to merge the lists (search_tidy()), one call at a time.  Loop thread
 * only.
 */
#ifndef DAEMON_TIDY_H
#define DAEMON_TIDY_H

struct daemon;
struct tidier;

/*
 * Starts the timer; its cycle in d->cycles stops it (a merge in flight is
 * waited for) and frees it.
 */
struct tidier *tidier_new(struct daemon *d);

#endif
