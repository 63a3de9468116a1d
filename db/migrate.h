/*
 * migrate.h -- the schema: its numbered migrations (db/migrations/
 * NNN_name.sql, schema changes, each applied once) and its SQL functions
 * (db/functions/NN_name.sql, recreated at every migrate), both embedded
 * at build time, and applying them.
 *
 * Applying is blocking and happens before the event loop starts (daemon
 * start-up) or in `railgate db migrate`, in one transaction under an
 * advisory lock, so that two daemons starting together apply each
 * migration once; applied migrations are recorded with their SHA-256, and
 * an applied migration whose text has since changed is an error.  Then,
 * in the same transaction, every function file runs, so that a function
 * is changed by editing its file (docs/storage.md).
 */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

struct db_migration {
	unsigned	 version;
	const char	*name;
	const char	*sql;
};

extern const struct db_migration db_migrations[];
extern const unsigned db_migration_count;
/* The function files, in file name order; version is the NN. */
extern const struct db_migration db_functions[];
extern const unsigned db_function_count;

/*
 * Connects to dsn, applies every migration not applied yet and recreates
 * the functions (unless a newer railgate migrated the database).  *applied
 * gets how many were applied now, *version the schema version after.  0,
 * or -1 with *cause (owned by the caller).
 */
int db_migrate(const char *dsn, unsigned *applied, unsigned *version,
    char **cause);

/*
 * Checks the server settings the manifest path depends on: fsync,
 * synchronous_commit and full_page_writes must be on.  0, or -1 with
 * *cause naming the unsafe setting.
 */
int db_check_durability(const char *dsn, char **cause);

#endif
