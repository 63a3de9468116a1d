-- 001_schema.sql -- railgate's first schema.
--
-- Ownership: the migrating role (the cluster owner, or database.admin_dsn)
-- owns every table; the daemon connects as railgate_app, which may read
-- and append but never rewrite history (audit_log is insert-only, enforced
-- by privileges and by a trigger).

CREATE TABLE rulesets (
	sha256		text PRIMARY KEY,
	name		text NOT NULL,
	files_z		bytea NOT NULL,		-- zlib: the exact files, for replay
	stored_at	timestamptz NOT NULL DEFAULT now()
);

-- One row per received manifest, accepted or refused: the raw bytes are
-- stored before the sender gets its answer.
CREATE TABLE manifests (
	id		bigserial PRIMARY KEY,
	sha256		text NOT NULL,		-- of the raw (decompressed) bytes
	raw_z		bytea NOT NULL,		-- zlib-compressed raw bytes
	raw_size	bigint NOT NULL,
	format		text NOT NULL,		-- edifact | xml | unknown
	source		text NOT NULL,		-- http | spool | peer
	principal	text NOT NULL,
	idempotency_key	text,
	received_at	timestamptz NOT NULL DEFAULT now(),
	accepted	boolean NOT NULL,
	train_no	text,
	function	text,			-- original | replace | cancel
	diagnostics	json NOT NULL DEFAULT '[]',
	reply		json,			-- the answer given, for idempotent repeats
	UNIQUE (principal, idempotency_key)
);

-- A train run: one journey of a train number through the station.
CREATE TABLE trains (
	id		bigserial PRIMARY KEY,
	train_no	text NOT NULL,
	run		integer NOT NULL,	-- 1, 2, ... per train number
	state		text NOT NULL,
	manifest_id	bigint REFERENCES manifests(id),
	direction	text,
	border_station	text,
	departure_station text,
	destination_station text,
	eta		timestamptz,
	ata		timestamptz,
	issued		timestamptz,
	clock_start	timestamptz,		-- arrival, or receipt if it arrived first
	green_lane	boolean NOT NULL DEFAULT false,
	counts		json NOT NULL DEFAULT '{}',
	model_z		bytea,			-- zlib: canonical model JSON
	decision	json,			-- current decision document
	decision_final	boolean NOT NULL DEFAULT false,
	ruleset_sha256	text REFERENCES rulesets(sha256),
	eval_needed	boolean NOT NULL DEFAULT false,
	lease_owner	text,
	lease_until	timestamptz,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	UNIQUE (train_no, run)
);
CREATE INDEX trains_state_idx ON trains (state, eta);
CREATE INDEX trains_eval_idx ON trains (green_lane DESC, id) WHERE eval_needed;

-- Per-wagon summary of the current decision, for lists and the console.
CREATE TABLE wagons (
	train_id	bigint NOT NULL REFERENCES trains(id) ON DELETE CASCADE,
	position	integer NOT NULL,
	number		text NOT NULL,
	containers	integer NOT NULL DEFAULT 0,
	container_numbers text[] NOT NULL DEFAULT '{}',
	items		integer NOT NULL DEFAULT 0,
	action		text NOT NULL DEFAULT 'RELEASE',
	resolution	text,			-- officer's, if any
	resolved_by	text,
	summary		json NOT NULL DEFAULT '{}',
	PRIMARY KEY (train_id, position)
);

CREATE TABLE events (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	type		text NOT NULL,		-- position | arrived | weighbridge | scan | seal_check | neighbour
	body		json NOT NULL,
	principal	text NOT NULL,
	received_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_train_idx ON events (train_id, id);

-- Every decision document ever made for a run, in order.
CREATE TABLE decisions (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	document	json NOT NULL,
	outcome		text NOT NULL,
	final		boolean NOT NULL,
	ruleset_sha256	text NOT NULL REFERENCES rulesets(sha256),
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	last_event_id	bigint,			-- events up to here were applied
	made_by		text NOT NULL,		-- daemon instance or officer
	made_at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_train_idx ON decisions (train_id, id);

CREATE TABLE officer_actions (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	wagon		text,			-- NULL: the whole train (approve)
	action		text NOT NULL,		-- approve | release | inspect | hold | refuse
	reason		text NOT NULL,
	principal	text NOT NULL,
	role		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tokens (
	id		bigserial PRIMARY KEY,
	hash		text NOT NULL UNIQUE,	-- SHA-256 of the token, hex
	principal	text NOT NULL,
	role		text NOT NULL CHECK (role IN
			    ('officer', 'supervisor', 'auditor', 'operator', 'admin')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz,
	revoked_at	timestamptz
);

-- The audit log: a hash chain.  hash = SHA-256 of the previous hash and
-- the record's canonical text; the head row serialises appends so that
-- several daemons sharing the database still build one chain.
CREATE TABLE audit_log (
	seq		bigint PRIMARY KEY,
	at		timestamptz NOT NULL,
	actor		text NOT NULL,
	action		text NOT NULL,
	train_id	bigint,
	details		text NOT NULL,		-- canonical JSON text
	ruleset_sha256	text,
	prev_hash	text NOT NULL,
	hash		text NOT NULL
);

CREATE TABLE audit_head (
	only_row	boolean PRIMARY KEY DEFAULT true CHECK (only_row),
	seq		bigint NOT NULL,
	hash		text NOT NULL
);
INSERT INTO audit_head VALUES (true, 0, repeat('0', 64));

-- The text a record's hash covers; verification recomputes exactly this.
CREATE FUNCTION audit_record_text(seq bigint, at timestamptz, actor text,
    action text, train_id bigint, details text, ruleset_sha256 text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT concat_ws(E'\n', seq::text,
	    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    actor, action, coalesce(train_id::text, ''), details,
	    coalesce(ruleset_sha256, ''))
$$;

-- Appends one record; returns its sequence number.
CREATE FUNCTION audit_append(p_actor text, p_action text, p_train bigint,
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
	RETURN head.seq + 1;
END
$$;

-- Walks the chain; returns the first broken sequence number (NULL: intact)
-- and how many records were checked.
CREATE FUNCTION audit_verify(OUT first_bad bigint, OUT checked bigint,
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

CREATE FUNCTION audit_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();

-- The daemon's role: reads everything, writes the operational tables,
-- appends to the audit log only through audit_append().
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'railgate_app') THEN
		CREATE ROLE railgate_app LOGIN;
	END IF;
END
$$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO railgate_app;
GRANT INSERT, UPDATE ON rulesets, manifests, trains, wagons, events, decisions,
    officer_actions, tokens TO railgate_app;
GRANT DELETE ON wagons TO railgate_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO railgate_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_log, audit_head FROM railgate_app;
GRANT EXECUTE ON FUNCTION audit_append(text, text, bigint, text, text) TO railgate_app;
