-- 024_sessions.sql -- officers sign in with a name and a password
-- (issue 18, item 5); bearer tokens stay for machines.
--
-- An account is one person: a principal (the name they sign in with, and
-- the name every audit record and officer action carries), a display
-- name, one role, an Argon2id hash of the password (PHC string, made by
-- libargon2 in the daemon or the command line: the database never sees a
-- password), the console's language, and a disabled mark (an account is
-- never deleted: the audit log names it).
--
-- A session is a random cookie value, stored as its SHA-256 (as tokens
-- are), with an absolute end (expires_at) and an idle timeout (idle_s
-- after last_seen_at); revoked_at ends it at once (sign-out, `railgate
-- session revoke`, a password change, the account disabled).  The
-- daemon's role reads both tables and changes them only through the
-- functions of db/functions/66_sessions.sql, each with its audit record.

CREATE TABLE officer_accounts (
	principal	text PRIMARY KEY CHECK (principal ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	display_name	text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 128),
	role		text NOT NULL CHECK (role IN
			    ('officer', 'supervisor', 'auditor', 'admin')),
	password_hash	text NOT NULL,		-- $argon2id$v=19$...
	language	text CHECK (language IN ('zh-Hans', 'ru', 'en', 'kk', 'vi')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	password_at	timestamptz NOT NULL DEFAULT now(),
	disabled_at	timestamptz
);

CREATE TABLE sessions (
	id		bigserial PRIMARY KEY,
	hash		text NOT NULL UNIQUE,	-- SHA-256 of the cookie, hex
	principal	text NOT NULL REFERENCES officer_accounts(principal),
	client		text NOT NULL,		-- the address it began from
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_seen_at	timestamptz NOT NULL DEFAULT now(),
	idle_s		integer NOT NULL CHECK (idle_s > 0),
	expires_at	timestamptz NOT NULL,	-- absolute end
	revoked_at	timestamptz,
	revoked_why	text
);
CREATE INDEX sessions_principal_idx ON sessions (principal) WHERE revoked_at IS NULL;

GRANT SELECT ON officer_accounts, sessions TO railgate_app;
