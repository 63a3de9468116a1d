-- 66_sessions.sql -- officer accounts and their sign-in sessions
-- (024_sessions.sql): every change with its audit record, in one
-- statement.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- Revokes every live session of p_principal for p_why; how many.
CREATE OR REPLACE FUNCTION sessions_revoke_all(p_principal text, p_why text)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	WITH s AS (UPDATE sessions SET revoked_at = now(), revoked_why = p_why
	    WHERE principal = p_principal AND revoked_at IS NULL RETURNING id)
	SELECT count(*)::integer FROM s
$$;

-- A new account: 'done', or 'conflict' when the principal exists.
CREATE OR REPLACE FUNCTION officer_add(p_actor text, p_principal text,
    p_display text, p_role text, p_hash text, p_language text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	INSERT INTO officer_accounts (principal, display_name, role,
	    password_hash, language)
	VALUES (p_principal, p_display, p_role, p_hash, p_language)
	ON CONFLICT (principal) DO NOTHING;
	IF NOT FOUND THEN
		RETURN 'conflict';
	END IF;
	PERFORM audit_append(p_actor, 'officer.add', NULL, json_build_object(
	    'principal', p_principal, 'role', p_role, 'name', p_display)::text,
	    NULL);
	RETURN 'done';
END
$$;

-- A new password: every session of the account ends.  'done' or 'not_found'.
CREATE OR REPLACE FUNCTION officer_passwd(p_actor text, p_principal text,
    p_hash text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer;
BEGIN
	UPDATE officer_accounts SET password_hash = p_hash, password_at = now()
	WHERE principal = p_principal;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	n := sessions_revoke_all(p_principal, 'password changed');
	PERFORM audit_append(p_actor, 'officer.passwd', NULL, json_build_object(
	    'principal', p_principal, 'sessions_revoked', n)::text, NULL);
	RETURN 'done';
END
$$;

-- Disables (p_disable) or enables an account; disabling ends its sessions.
CREATE OR REPLACE FUNCTION officer_disable(p_actor text, p_principal text,
    p_disable boolean)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer := 0;
BEGIN
	UPDATE officer_accounts SET disabled_at = CASE WHEN p_disable THEN
	    coalesce(disabled_at, now()) END
	WHERE principal = p_principal;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF p_disable THEN
		n := sessions_revoke_all(p_principal, 'account disabled');
	END IF;
	PERFORM audit_append(p_actor, CASE WHEN p_disable THEN
	    'officer.disable' ELSE 'officer.enable' END, NULL,
	    json_build_object('principal', p_principal, 'sessions_revoked',
	    n)::text, NULL);
	RETURN 'done';
END
$$;

-- Revokes the sessions named by p_target: a principal's live ones, or
-- one by its id (digits).  How many (0: none live by that name or id).
CREATE OR REPLACE FUNCTION session_revoke(p_actor text, p_target text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer;
BEGIN
	IF p_target ~ '^[0-9]{1,18}$' THEN
		WITH s AS (UPDATE sessions SET revoked_at = now(),
		    revoked_why = 'revoked by ' || p_actor
		    WHERE id = p_target::bigint AND revoked_at IS NULL RETURNING id)
		SELECT count(*) INTO n FROM s;
	ELSE
		n := sessions_revoke_all(p_target, 'revoked by ' || p_actor);
	END IF;
	IF n > 0 THEN
		PERFORM audit_append(p_actor, 'session.revoke', NULL,
		    json_build_object('target', p_target, 'sessions', n)::text,
		    NULL);
	END IF;
	RETURN n;
END
$$;

-- The answer of GET /v1/session for a live session (NULL for none):
-- expires_at is the earlier of the absolute end and the idle one.
CREATE OR REPLACE FUNCTION session_info(p_hash text)
RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('principal', a.principal, 'role', a.role,
	    'name', a.display_name, 'language', a.language, 'auth', 'session',
	    'id', s.id, 'expires_at', to_char(least(s.expires_at,
	    s.last_seen_at + make_interval(secs => s.idle_s)) AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
	FROM sessions s JOIN officer_accounts a USING (principal)
	WHERE s.hash = p_hash AND s.revoked_at IS NULL AND a.disabled_at IS NULL
	    AND s.expires_at > now()
	    AND s.last_seen_at + make_interval(secs => s.idle_s) > now()
$$;

-- A sign-in that verified: a new session (p_hash) for p_principal,
-- unless the account was disabled meanwhile; the cookie the browser
-- still held (p_old, may be NULL) ends.  The session's info, or NULL.
CREATE OR REPLACE FUNCTION session_open(p_hash text, p_principal text,
    p_client text, p_idle_s integer, p_max_s integer, p_old text)
RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	acct	officer_accounts%ROWTYPE;
	sid	bigint;
BEGIN
	SELECT * INTO acct FROM officer_accounts WHERE principal = p_principal
	    FOR SHARE;
	IF NOT FOUND OR acct.disabled_at IS NOT NULL THEN
		RETURN NULL;
	END IF;
	IF p_old IS NOT NULL THEN
		UPDATE sessions SET revoked_at = now(),
		    revoked_why = 'replaced by a sign-in'
		WHERE hash = p_old AND revoked_at IS NULL;
	END IF;
	INSERT INTO sessions (hash, principal, client, idle_s, expires_at)
	VALUES (p_hash, p_principal, p_client, p_idle_s,
	    now() + make_interval(secs => p_max_s))
	RETURNING id INTO sid;
	PERFORM audit_append(p_principal, 'session.signin', NULL,
	    json_build_object('principal', p_principal, 'session', sid,
	    'client', p_client)::text, NULL);
	RETURN session_info(p_hash);
END
$$;

-- The authentication of a cookie: principal and role of a live session,
-- whose idle clock restarts (no row: unknown, expired, revoked or the
-- account disabled).
CREATE OR REPLACE FUNCTION session_lookup(p_hash text)
RETURNS TABLE (principal text, role text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	UPDATE sessions s SET last_seen_at = now()
	FROM officer_accounts a
	WHERE s.hash = p_hash AND a.principal = s.principal
	    AND s.revoked_at IS NULL AND a.disabled_at IS NULL
	    AND s.expires_at > now()
	    AND s.last_seen_at + make_interval(secs => s.idle_s) > now()
	RETURNING a.principal, a.role
$$;

-- Sign-out: the session ends.  1 when it was live, else 0.
CREATE OR REPLACE FUNCTION session_close(p_hash text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	s	sessions%ROWTYPE;
BEGIN
	UPDATE sessions SET revoked_at = now(), revoked_why = 'signed out'
	WHERE hash = p_hash AND revoked_at IS NULL RETURNING * INTO s;
	IF NOT FOUND THEN
		RETURN 0;
	END IF;
	PERFORM audit_append(s.principal, 'session.signout', NULL,
	    json_build_object('principal', s.principal, 'session', s.id)::text,
	    NULL);
	RETURN 1;
END
$$;

-- A sign-in refused (wrong password, unknown or disabled account,
-- throttled): recorded under the name tried.
CREATE OR REPLACE FUNCTION session_signin_failed(p_name text, p_client text,
    p_why text)
RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	SELECT 0 FROM audit_append('anonymous', 'session.signin_failed', NULL,
	    json_build_object('name', p_name, 'client', p_client,
	    'why', p_why)::text, NULL)
$$;

-- The console's language of an officer (NULL: from Accept-Language).
CREATE OR REPLACE FUNCTION officer_set_language(p_principal text,
    p_language text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE officer_accounts SET language = p_language
	WHERE principal = p_principal;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	PERFORM audit_append(p_principal, 'officer.language', NULL,
	    json_build_object('principal', p_principal, 'language',
	    p_language)::text, NULL);
	RETURN 'done';
END
$$;

GRANT EXECUTE ON FUNCTION sessions_revoke_all(text, text),
    officer_add(text, text, text, text, text, text),
    officer_passwd(text, text, text), officer_disable(text, text, boolean),
    session_revoke(text, text), session_info(text),
    session_open(text, text, text, integer, integer, text),
    session_lookup(text), session_close(text),
    session_signin_failed(text, text, text), officer_set_language(text, text)
    TO railgate_app;
