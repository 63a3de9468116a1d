-- 035_auditor_role.sql -- database roles for people (issue 21, item 4;
-- docs/operations.md, "Database roles").
--
-- railgate_auditor is a group role (NOLOGIN): an auditor's own login is
-- made a member (CREATE ROLE alice LOGIN IN ROLE railgate_auditor), so
-- every statement is the person's, in PostgreSQL's log and in
-- pg_stat_activity, and leaving the group ends the access.  It may read
-- every table but the secrets below, and change nothing: it has no
-- INSERT, UPDATE, DELETE or TRUNCATE anywhere, and EXECUTE only on the
-- functions that cannot write (db/functions/99_grants.sql).
--
-- Withheld from the auditor (column grants on the other columns):
--   tokens.hash, sessions.hash     the SHA-256 that a bearer token or a
--                                  session cookie is looked up by: not the
--                                  credential, but the key to one row of it
--   officer_accounts.password_hash argon2id hashes, open to offline guessing
--   subscriptions.secret           the sealed webhook secrets
--
-- railgate_app, the daemon's role, was granted reads on the tables of the
-- first migration (and a few later ones) only, so `railgate report` with
-- its DSN failed on notices: it reads every table now, secrets included
-- (the daemon looks tokens and sessions up by hash, checks passwords and
-- opens the webhook secrets itself).
--
-- From this migration on, a table is readable by both roles when it is
-- created (ALTER DEFAULT PRIVILEGES below, for tables the migrating role
-- creates), and a column added to one of the four tables above is
-- granted to the auditor by db/functions/99_grants.sql at every migrate.
-- A secret column is revoked from railgate_auditor in the migration that
-- adds it (on a new table: REVOKE SELECT on the table, GRANT SELECT on
-- the other columns) and named in 99_grants.sql's list and in
-- tests/system/test_db_roles.c, whose test fails on a column the auditor
-- cannot read that is not named, or one named that it can.

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'railgate_auditor') THEN
		CREATE ROLE railgate_auditor NOLOGIN;
	END IF;
END
$$;
COMMENT ON ROLE railgate_auditor IS 'railgate: read-only access for auditors '
    '(members: their own LOGIN roles); docs/operations.md';

GRANT USAGE ON SCHEMA public TO railgate_auditor;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO railgate_app, railgate_auditor;

REVOKE SELECT ON tokens, sessions, officer_accounts, subscriptions
    FROM railgate_auditor;
GRANT SELECT (id, principal, role, created_at, expires_at, revoked_at, carriers)
    ON tokens TO railgate_auditor;
GRANT SELECT (id, principal, client, created_at, last_seen_at, idle_s,
    expires_at, revoked_at, revoked_why) ON sessions TO railgate_auditor;
GRANT SELECT (principal, display_name, role, language, created_at,
    password_at, disabled_at) ON officer_accounts TO railgate_auditor;
GRANT SELECT (id, name, url, formats, recipient, enabled, created_at,
    client_cert, client_key, carriers) ON subscriptions TO railgate_auditor;

ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT ON TABLES TO railgate_app, railgate_auditor;
