/*
 * spool.h -- the spool directory, for stations whose operators drop files.
 *
 * Under state_dir/spool/: a sender writes a manifest under a temporary
 * name and renames it into incoming/; railgated claims it by renaming it
 * into processing/ (so that several daemons sharing the directory never
 * take the same file), ingests it like an HTTP upload, and moves it to
 * done/, or to failed/ beside a NAME.err file giving the reason.  A file
 * is re-ingested with the same idempotency key after a crash, so it is
 * never stored twice.  Owns its timer; loop thread only.
 */
#ifndef DAEMON_SPOOL_H
#define DAEMON_SPOOL_H

#include <stdbool.h>
#include <stdint.h>

struct daemon;
struct spool;

/*
 * Creates the directories and starts scanning every second; NULL with
 * *cause.  Its cycle joins d->cycles, which then stops and frees it: the
 * two calls below are for a spool made without a group (d->cycles NULL).
 */
struct spool *spool_new(struct daemon *d, const char *root, char **cause);
/* Stops claiming new files; files being ingested still finish their move. */
void spool_stop(struct spool *s);
/* Frees the spool: only once no ingestion of its files is pending. */
void spool_free(struct spool *s);

/*
 * The rules the spool applies, pure and on any thread: a name a sender
 * may use (letters, digits, '.', '_', '-', not starting with '.', at most
 * 200 bytes); a name the spool keeps for its own files (NAME.err, in any
 * case); the delay before attempt n + 1 (base_ms doubled n - 1 times, at
 * most max_s seconds).
 */
bool spool_name_ok(const char *name);
bool spool_name_reserved(const char *name);
int64_t spool_backoff_ms(int base_ms, int max_s, int n);

#endif
