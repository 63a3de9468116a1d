/*
 * admin.h -- blocking statements for the command line's administrative
 * commands (`railgate token ...`).  Not for the daemon's loop thread.
 */
#ifndef DB_ADMIN_H
#define DB_ADMIN_H

/*
 * Stores a token hash for principal with role, bound to carriers (a
 * PostgreSQL array literal, "{}" for none); expires after days (0: never).
 */
int db_admin_token_create(const char *dsn, const char *hash,
    const char *principal, const char *role, const char *carriers, int days,
    char **cause);
/*
 * Revokes the token whose id is target (digits only) or every live token
 * of principal target, each with an audit record token.revoke: 0 with
 * *matched (tokens the target names, revoked or not) and *revoked (now),
 * or -1 with *cause.
 */
int db_admin_token_revoke(const char *dsn, const char *target, long *matched,
    long *revoked, char **cause);
/*
 * Every token, a JSON array (caller frees): id, name, role, carriers,
 * created_at, expires_at, revoked_at (UTC, null when not); never the
 * hash.  0 or -1 with *cause.
 */
int db_admin_token_list(const char *dsn, char **json, char **cause);

/*
 * Officer accounts (024_sessions.sql, 66_sessions.sql), each change with
 * its audit record: 0 done, 1 the account exists (add) or does not
 * (passwd, disable), -1 failed with *cause.  hash: an Argon2id PHC string;
 * language may be NULL.
 */
int db_admin_officer_add(const char *dsn, const char *principal,
    const char *display, const char *role, const char *hash,
    const char *language, char **cause);
int db_admin_officer_passwd(const char *dsn, const char *principal,
    const char *hash, char **cause);
int db_admin_officer_disable(const char *dsn, const char *principal,
    int disable, char **cause);
/* The accounts, one a line (tab-separated), into *text; 0 or -1. */
int db_admin_officer_list(const char *dsn, char **text, char **cause);
/* Revokes a principal's live sessions, or one by id; how many, or -1. */
int db_admin_session_revoke(const char *dsn, const char *target, char **cause);

#endif
