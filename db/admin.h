/*
 * admin.h -- blocking statements for the command line's administrative
 * commands (`railgate token ...`).  Not for the daemon's loop thread.
 */
#ifndef DB_ADMIN_H
#define DB_ADMIN_H

/* Stores a token hash for principal with role; expires after days (0: never). */
int db_admin_token_create(const char *dsn, const char *hash,
    const char *principal, const char *role, int days, char **cause);
/* Revokes every live token of principal; returns how many, or -1. */
int db_admin_token_revoke(const char *dsn, const char *principal, char **cause);

#endif
