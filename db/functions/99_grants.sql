-- 99_grants.sql -- who may call which function (issue 21, item 4;
-- docs/operations.md, "Database roles").
--
-- Recreated by every migrate, after every other file of db/functions/
-- (the last name), so that it sees every function, including one a
-- migration dropped and made again (which comes back with PostgreSQL's
-- default: EXECUTE for PUBLIC).
--
-- That default would let any role that can log in call the SECURITY
-- DEFINER functions, which write as the schema's owner: an auditor could
-- append to the audit chain through audit_append() or store a manifest
-- through ingest_manifest().  So: no function of ours is PUBLIC's;
-- railgate_app, the daemon, calls any of them; railgate_auditor calls
--   - a function that runs with the caller's own privileges and cannot
--     write (STABLE or IMMUTABLE, not SECURITY DEFINER): it sees only
--     what the auditor may SELECT anyway (train_find(), audit_verify(),
--     audit_record_text() for `railgate replay`, `report` and the chain);
--   - the read-only SECURITY DEFINER functions named below, which read
--     for the caller what its reports need (the evidence bundle of
--     `railgate bundle`, the checkpoints, the reports' figures) and
--     return no secret.
-- Functions of extensions (pg_trgm) keep their own grants.
--
-- The tables holding secrets (035_auditor_role.sql) are read by
-- railgate_auditor through column grants; a column added to one of them
-- later is granted here, unless it is named a secret below, so that a
-- new ordinary column does not disappear from the auditor's view.

DO $$
DECLARE
	f	record;
BEGIN
	FOR f IN
		SELECT p.oid::regprocedure AS sig, p.proname, p.provolatile,
		    p.prosecdef, p.prokind
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
		  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid =
		      'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.sig);
		EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO railgate_app',
		    f.sig);
		IF (f.provolatile <> 'v' AND NOT f.prosecdef) OR
		    (f.provolatile <> 'v' AND f.proname IN ('train_bundle',
		    'checkpoint_head', 'checkpoints_held', 'audit_hashes_at',
		    'report_overrides', 'report_clearance', 'report_hits',
		    'replay_get', 'replays_list')) THEN
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO '
			    'railgate_auditor', f.sig);
		ELSE
			EXECUTE format('REVOKE ALL ON FUNCTION %s FROM '
			    'railgate_auditor', f.sig);
		END IF;
	END LOOP;
END
$$;

DO $$
DECLARE
	c	record;
BEGIN
	FOR c IN
		SELECT a.attrelid::regclass AS tab, a.attname
		FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public' AND t.relname IN ('tokens', 'sessions',
		    'officer_accounts', 'subscriptions')
		  AND a.attnum > 0 AND NOT a.attisdropped
		  AND t.relname || '.' || a.attname NOT IN ('tokens.hash',
		      'sessions.hash', 'officer_accounts.password_hash',
		      'subscriptions.secret')
	LOOP
		EXECUTE format('GRANT SELECT (%I) ON %s TO railgate_auditor',
		    c.attname, c.tab);
	END LOOP;
END
$$;
