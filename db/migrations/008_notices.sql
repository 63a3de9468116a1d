-- 008_notices.sql -- release notices to railway operators: subscriptions,
-- the outbox and its deliveries.
--
-- A final decision (an approval, or an amendment after one) puts one
-- notice per subscription and format into the outbox in the same
-- transaction.  A notice has one id for its whole life: every delivery
-- attempt carries it, so a receiver can deduplicate.  The dispatcher
-- claims due notices under a lease, like evaluations, so several daemons
-- can share the work and a daemon killed mid-delivery loses nothing.

CREATE TABLE subscriptions (
	id		bigserial PRIMARY KEY,
	name		text NOT NULL UNIQUE,		-- the operator, e.g. ktze
	url		text NOT NULL,
	formats		text[] NOT NULL,		-- json, cusres
	secret		text NOT NULL,			-- Standard Webhooks secret
	recipient	text,				-- UNB recipient for CUSRES
	enabled		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (formats <@ ARRAY['json', 'cusres'] AND cardinality(formats) > 0)
);

CREATE TABLE notices (
	id		text PRIMARY KEY,		-- ntc_<32 hex>
	train_id	bigint NOT NULL REFERENCES trains(id),
	decision_id	bigint NOT NULL REFERENCES decisions(id),
	subscription_id	bigint NOT NULL REFERENCES subscriptions(id),
	format		text NOT NULL,			-- json | cusres
	follow_up_of	text REFERENCES notices(id),	-- the notice it amends
	body		bytea,				-- fixed at the first attempt
	state		text NOT NULL DEFAULT 'pending',	-- pending | delivered | dead
	attempts	integer NOT NULL DEFAULT 0,
	next_at		timestamptz NOT NULL DEFAULT now(),
	lease_owner	text,
	lease_until	timestamptz,
	last_status	integer,
	last_error	text,
	created_at	timestamptz NOT NULL DEFAULT now(),
	delivered_at	timestamptz
);
CREATE INDEX notices_due_idx ON notices (next_at) WHERE state = 'pending';
CREATE INDEX notices_train_idx ON notices (train_id, created_at);

CREATE TABLE deliveries (
	notice_id	text NOT NULL REFERENCES notices(id),
	attempt		integer NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	owner		text NOT NULL,
	http_status	integer,
	error		text,
	PRIMARY KEY (notice_id, attempt)
);

-- The outbox rows of a final decision: one per enabled subscription and
-- format, each following up the last notice of its kind for the train.
CREATE FUNCTION notices_enqueue(p_train bigint, p_decision bigint)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer;
BEGIN
	INSERT INTO notices (id, train_id, decision_id, subscription_id, format,
	    follow_up_of)
	SELECT 'ntc_' || replace(gen_random_uuid()::text, '-', ''), p_train,
	    p_decision, s.id, f.format,
	    (SELECT p.id FROM notices p WHERE p.train_id = p_train
	     AND p.subscription_id = s.id AND p.format = f.format
	     ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
	FROM subscriptions s, unnest(s.formats) AS f(format)
	WHERE s.enabled;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- finalize_decision() of 006, now also filling the outbox.
CREATE OR REPLACE FUNCTION finalize_decision(p_train bigint, p_version bigint,
    p_doc json, p_outcome text, p_wagons json, p_principal text, p_role text,
    p_reason text, p_approve boolean,
    OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	prev	decisions%ROWTYPE;
	dec_id	bigint;
	queued	integer;
BEGIN
	SELECT * INTO cur FROM trains WHERE id = p_train FOR UPDATE;
	SELECT * INTO prev FROM decisions WHERE train_id = p_train
	    ORDER BY id DESC LIMIT 1;
	IF prev.id IS DISTINCT FROM p_version OR cur.eval_needed THEN
		http_status := 409;
		reply := json_build_object('title', 'Decision changed',
		    'detail', 'train ' || cur.train_no || ' was re-evaluated '
		    'meanwhile; review the new decision and approve again');
		RETURN;
	END IF;
	INSERT INTO decisions (train_id, document, outcome, final,
	    ruleset_sha256, manifest_id, last_event_id, made_by)
	VALUES (p_train, p_doc, p_outcome, true, prev.ruleset_sha256,
	    prev.manifest_id, prev.last_event_id, p_principal)
	RETURNING id INTO dec_id;
	UPDATE trains SET decision = p_doc, decision_final = true,
	    state = CASE WHEN state = 'cancelled' THEN state
		ELSE CASE p_outcome WHEN 'RELEASE' THEN 'released'
		    WHEN 'PARTIAL_RELEASE' THEN 'partially_released'
		    ELSE 'held' END END,
	    updated_at = now()
	WHERE id = p_train;
	UPDATE wagons w SET action = x->>'action'
	FROM json_array_elements(p_wagons) AS x
	WHERE w.train_id = p_train AND w.position = (x->>'position')::int;
	IF p_approve THEN
		INSERT INTO officer_actions (train_id, wagon, action, reason,
		    principal, role)
		VALUES (p_train, NULL, 'approve', p_reason, p_principal, p_role);
	END IF;
	queued := notices_enqueue(p_train, dec_id);
	PERFORM audit_append(p_principal, CASE WHEN cur.decision_final
	    THEN 'decision.final_amended' ELSE 'decision.final' END, p_train,
	    json_build_object('outcome', p_outcome, 'from_decision', prev.id,
	    'reason', p_reason, 'notices', queued)::text, prev.ruleset_sha256);
	http_status := 200;
	reply := p_doc;
END
$$;

-- Claims up to p_n notices that are due, leased to p_owner.
CREATE FUNCTION claim_notices(p_owner text, p_n integer, p_lease_s integer)
RETURNS TABLE (id text, format text, follow_up_of text, body bytea,
    attempts integer, url text, secret text, recipient text,
    subscription text, train_no text, decision json, created_at bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	RETURN QUERY
	WITH claimed AS (
		UPDATE notices n SET lease_owner = p_owner,
		    lease_until = now() + make_interval(secs => p_lease_s)
		WHERE n.id IN (
			SELECT x.id FROM notices x
			WHERE x.state = 'pending' AND x.next_at <= now()
			  AND (x.lease_until IS NULL OR x.lease_until < now())
			ORDER BY x.next_at, x.id
			LIMIT p_n FOR UPDATE SKIP LOCKED)
		RETURNING n.*)
	SELECT c.id, c.format, c.follow_up_of, c.body, c.attempts, s.url,
	    s.secret, s.recipient, s.name, t.train_no, d.document,
	    extract(epoch FROM c.created_at)::bigint
	FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id
	JOIN trains t ON t.id = c.train_id JOIN decisions d ON d.id = c.decision_id;
END
$$;

-- Fixes a notice's body at its first attempt (the same bytes ever after).
CREATE FUNCTION notice_set_body(p_id text, p_owner text, p_body bytea)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	UPDATE notices SET body = p_body
	WHERE id = p_id AND body IS NULL AND lease_owner = p_owner
$$;

-- Records a delivery attempt: delivered, or the next attempt in
-- p_retry_s seconds, or dead after p_max attempts.
CREATE FUNCTION notice_attempted(p_id text, p_owner text, p_status integer,
    p_error text, p_retry_s double precision, p_max integer)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	notices%ROWTYPE;
	ok	boolean := p_status BETWEEN 200 AND 299;
BEGIN
	SELECT * INTO cur FROM notices WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR cur.lease_owner IS DISTINCT FROM p_owner
	    OR cur.state <> 'pending' THEN
		RETURN 'stale';
	END IF;
	INSERT INTO deliveries (notice_id, attempt, owner, http_status, error)
	VALUES (p_id, cur.attempts + 1, p_owner, p_status, p_error);
	UPDATE notices SET attempts = attempts + 1, last_status = p_status,
	    last_error = p_error, lease_owner = NULL, lease_until = NULL,
	    state = CASE WHEN ok THEN 'delivered'
		WHEN attempts + 1 >= p_max THEN 'dead' ELSE 'pending' END,
	    delivered_at = CASE WHEN ok THEN now() END,
	    next_at = CASE WHEN ok THEN next_at
		ELSE now() + make_interval(secs => p_retry_s) END
	WHERE id = p_id RETURNING * INTO cur;
	IF cur.state = 'dead' THEN
		PERFORM audit_append(p_owner, 'notice.dead', cur.train_id,
		    json_build_object('notice', p_id, 'attempts', cur.attempts,
		    'last_status', p_status, 'last_error', p_error)::text, NULL);
	ELSIF cur.state = 'delivered' THEN
		PERFORM audit_append(p_owner, 'notice.delivered', cur.train_id,
		    json_build_object('notice', p_id, 'attempts',
		    cur.attempts)::text, NULL);
	END IF;
	RETURN cur.state;
END
$$;

-- An officer sends a notice again: a dead one goes back to pending, with
-- its id and body unchanged.
CREATE FUNCTION notice_redeliver(p_id text, p_principal text,
    OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	notices%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM notices WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		http_status := 404;
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no notice ' || p_id);
		RETURN;
	END IF;
	UPDATE notices SET state = 'pending', next_at = now(),
	    lease_owner = NULL, lease_until = NULL
	WHERE id = p_id;
	PERFORM audit_append(p_principal, 'notice.redeliver', cur.train_id,
	    json_build_object('notice', p_id, 'was', cur.state)::text, NULL);
	http_status := 202;
	reply := json_build_object('notice', p_id, 'state', 'pending',
	    'was', cur.state);
END
$$;

-- The notices of a run, newest first, as the API shows them.
CREATE FUNCTION train_notices(p_id text) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object(
	    'id', n.id, 'operator', s.name, 'format', n.format,
	    'state', n.state, 'attempts', n.attempts,
	    'follow_up_of', n.follow_up_of,
	    'decision', d.outcome, 'last_status', n.last_status,
	    'last_error', n.last_error,
	    'created_at', to_char(n.created_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'delivered_at', to_char(n.delivered_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'next_at', CASE WHEN n.state = 'pending' THEN
		to_char(n.next_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"') END)
	    ORDER BY n.created_at DESC, n.id), '[]')
	FROM notices n JOIN subscriptions s ON s.id = n.subscription_id
	JOIN decisions d ON d.id = n.decision_id, train_find(p_id) t
	WHERE n.train_id = t.id
$$;

-- Subscriptions are managed by an admin.
CREATE FUNCTION subscription_put(p_name text, p_url text, p_formats text[],
    p_secret text, p_recipient text, p_enabled boolean, p_principal text)
RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	r	subscriptions%ROWTYPE;
BEGIN
	INSERT INTO subscriptions (name, url, formats, secret, recipient, enabled)
	VALUES (p_name, p_url, p_formats, p_secret, p_recipient, p_enabled)
	ON CONFLICT (name) DO UPDATE SET url = excluded.url,
	    formats = excluded.formats, secret = excluded.secret,
	    recipient = excluded.recipient, enabled = excluded.enabled
	RETURNING * INTO r;
	PERFORM audit_append(p_principal, 'subscription.put', NULL,
	    json_build_object('name', p_name, 'url', p_url, 'formats',
	    p_formats, 'enabled', p_enabled)::text, NULL);
	RETURN json_build_object('name', r.name, 'url', r.url, 'formats',
	    r.formats, 'recipient', r.recipient, 'enabled', r.enabled);
END
$$;

GRANT EXECUTE ON FUNCTION notices_enqueue(bigint, bigint),
    claim_notices(text, integer, integer), notice_set_body(text, text, bytea),
    notice_attempted(text, text, integer, text, double precision, integer),
    notice_redeliver(text, text), train_notices(text),
    subscription_put(text, text, text[], text, text, boolean, text)
    TO railgate_app;
