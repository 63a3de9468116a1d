-- 10_audit.sql -- the audit chain: appending a record, hashing it, verifying the chain, and
-- the trigger that keeps audit_log append-only.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- The text a record's hash covers; verification recomputes exactly this.
-- (PL/pgSQL, so that its plan is kept: as SQL it was not inlined -- to_char
-- is only stable -- and was planned at every record, 0.25 ms; issue 23.)
CREATE OR REPLACE FUNCTION audit_record_text(seq bigint, at timestamptz, actor text,
    action text, train_id bigint, details text, ruleset_sha256 text)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN concat_ws(E'\n', seq::text,
	    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    actor, action, coalesce(train_id::text, ''), details,
	    coalesce(ruleset_sha256, ''));
END
$$;

-- Appends one record; returns its sequence number.
CREATE OR REPLACE FUNCTION audit_append(p_actor text, p_action text, p_train bigint,
    p_details text, p_ruleset text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	head	audit_head%ROWTYPE;
	t	timestamptz := clock_timestamp();
	h	text;
BEGIN
	SELECT * INTO head FROM audit_head FOR UPDATE;
	h := encode(sha256(convert_to(head.hash || E'\n' || audit_record_text(
	    head.seq + 1, t, p_actor, p_action, p_train, p_details, p_ruleset),
	    'UTF8')), 'hex');
	INSERT INTO audit_log VALUES (head.seq + 1, t, p_actor, p_action,
	    p_train, p_details, p_ruleset, head.hash, h);
	UPDATE audit_head SET seq = head.seq + 1, hash = h;
	-- Every daemon sharing the database hears of it at commit and reads
	-- the records after the last it saw (daemon/stream.c); one
	-- notification per transaction, since PostgreSQL folds identical ones.
	PERFORM pg_notify('railgate_audit', '');
	RETURN head.seq + 1;
END
$$;
GRANT EXECUTE ON FUNCTION audit_append(text, text, bigint, text, text) TO railgate_app;

-- Walks the chain; returns the first broken sequence number (NULL: intact)
-- and how many records were checked.
CREATE OR REPLACE FUNCTION audit_verify(OUT first_bad bigint, OUT checked bigint,
    OUT reason text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r	audit_log%ROWTYPE;
	prev	text := repeat('0', 64);
	expect	bigint := 1;
	h	text;
	head	audit_head%ROWTYPE;
BEGIN
	checked := 0;
	FOR r IN SELECT * FROM audit_log ORDER BY seq LOOP
		IF r.seq <> expect THEN
			first_bad := expect; reason := 'record missing'; RETURN;
		END IF;
		IF r.prev_hash <> prev THEN
			first_bad := r.seq; reason := 'previous hash does not match'; RETURN;
		END IF;
		h := encode(sha256(convert_to(prev || E'\n' || audit_record_text(
		    r.seq, r.at, r.actor, r.action, r.train_id, r.details,
		    r.ruleset_sha256), 'UTF8')), 'hex');
		IF h <> r.hash THEN
			first_bad := r.seq; reason := 'record altered'; RETURN;
		END IF;
		prev := r.hash;
		expect := expect + 1;
		checked := checked + 1;
	END LOOP;
	SELECT * INTO head FROM audit_head;
	IF head.seq <> checked OR head.hash <> prev THEN
		first_bad := checked + 1; reason := 'records missing at the end';
	END IF;
END
$$;

CREATE OR REPLACE FUNCTION audit_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END
$$;
