-- 70_notices.sql -- release notices: queued when a decision is final, claimed under a
-- lease, delivered, redelivered; the subscriptions they go to.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- Whom train p_train's final decision notifies now: one row per enabled
-- subscription bound to the train's carrier (031) and format.
-- notices_enqueue() queues exactly these, and the approval preview (GET
-- /v1/trains/{id}/approval) shows them, so it cannot differ.  A train
-- without a carrier, or a subscription bound to none, gives no row: fail
-- closed.
DROP FUNCTION IF EXISTS notice_targets();
DROP FUNCTION IF EXISTS notice_targets_json();
CREATE OR REPLACE FUNCTION notice_targets(p_train bigint)
RETURNS TABLE (subscription_id bigint, subscription text, format text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT s.id, s.name, f.format
	FROM trains t, subscriptions s, unnest(s.formats) AS f(format)
	WHERE t.id = p_train AND t.carrier_id IS NOT NULL
	  AND s.carriers @> ARRAY[t.carrier_id]
	  AND s.enabled AND f.format <> 'duty'	-- clock alerts (022)
	ORDER BY s.name, f.format
$$;
GRANT EXECUTE ON FUNCTION notice_targets(bigint) TO railgate_app;

-- notice_targets() of the train p_id names, as JSON: [{subscription, format}].
CREATE OR REPLACE FUNCTION notice_targets_json(p_id text) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object('subscription', x.subscription,
	    'format', x.format)), '[]')
	FROM train_find(p_id) t, notice_targets(t.id) x
$$;
GRANT EXECUTE ON FUNCTION notice_targets_json(text) TO railgate_app;

-- provisional_set_out(), what a carrier is told of a provisional
-- decision, is the operator's view's (71_operator.sql): one definition of
-- what an operator sees, for the API and the notices alike.

-- A provisional decision was stored (store_decision(), same transaction):
-- one train.provisional notice per enabled JSON subscription of the
-- train's carrier whose last one for this run listed something else.
-- Cheap when nobody listens: one indexed lookup (subscriptions_carriers_idx)
-- and nothing more; the list is built once, for the first subscriber.
CREATE OR REPLACE FUNCTION notices_provisional(p_train bigint, p_carrier text,
    p_outcome text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	s	record;
	list	json;
	unload	json;
	sha	text;
	n	integer := 0;
BEGIN
	IF p_carrier IS NULL THEN
		RETURN 0;
	END IF;
	FOR s IN SELECT x.id FROM subscriptions x
	    WHERE x.carriers @> ARRAY[p_carrier] AND x.enabled
	      AND 'json' = ANY (x.formats) ORDER BY x.id LOOP
		IF list IS NULL THEN
			list := provisional_set_out(p_train, p_outcome);
			-- Containers to unload (docs/parcels.md): only when
			-- there are, so every other list hashes as before.
			unload := train_unload_pending(p_train);
			IF unload IS NOT NULL THEN
				list := json_build_object('decision',
				    list->'decision', 'set_out', list->'set_out',
				    'doc_check', list->'doc_check', 'unload', unload);
			END IF;
			sha := encode(sha256(convert_to(list::text, 'UTF8')),
			    'hex');
		END IF;
		CONTINUE WHEN (SELECT p.set_out_sha256 FROM notices p
		    WHERE p.train_id = p_train AND p.subscription_id = s.id
		      AND p.format = 'provisional'
		    ORDER BY p.created_at DESC, p.id DESC LIMIT 1) = sha;
		INSERT INTO notices (id, train_id, subscription_id, format,
		    set_out, set_out_sha256)
		VALUES ('ntc_' || replace(gen_random_uuid()::text, '-', ''),
		    p_train, s.id, 'provisional', list, sha);
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION notices_provisional(bigint, text, text) TO railgate_app;

-- The outbox rows of a final decision: one per enabled subscription and
-- format, each following up the last notice of its kind for the train.
CREATE OR REPLACE FUNCTION notices_enqueue(p_train bigint, p_decision bigint)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer;
BEGIN
	INSERT INTO notices (id, train_id, decision_id, subscription_id, format,
	    follow_up_of)
	SELECT 'ntc_' || replace(gen_random_uuid()::text, '-', ''), p_train,
	    p_decision, t.subscription_id, t.format,
	    (SELECT p.id FROM notices p WHERE p.train_id = p_train
	     AND p.subscription_id = t.subscription_id AND p.format = t.format
	     ORDER BY p.created_at DESC, p.id DESC LIMIT 1)
	FROM notice_targets(p_train) t;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION notices_enqueue(bigint, bigint) TO railgate_app;

-- Fixes a notice's body at its first attempt (the same bytes ever after).
CREATE OR REPLACE FUNCTION notice_set_body(p_id text, p_owner text, p_body bytea)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	UPDATE notices SET body = p_body
	WHERE id = p_id AND body IS NULL AND lease_owner = p_owner
$$;
GRANT EXECUTE ON FUNCTION notice_set_body(text, text, bytea) TO railgate_app;

-- Records a delivery attempt: delivered, or the next attempt in
-- p_retry_s seconds, or dead after p_max attempts.  A notice abandoned
-- while its owner's request was in flight (its subscription deleted with
-- force, 72_subscriptions.sql) has the attempt recorded all the same:
-- delivered when the endpoint took it (it has it), else still abandoned.
CREATE OR REPLACE FUNCTION notice_attempted(p_id text, p_owner text, p_status integer,
    p_error text, p_retry_s double precision, p_max integer)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	notices%ROWTYPE;
	ok	boolean := p_status BETWEEN 200 AND 299;
BEGIN
	SELECT * INTO cur FROM notices WHERE id = p_id FOR UPDATE;
	IF NOT FOUND OR cur.lease_owner IS DISTINCT FROM p_owner
	    OR cur.state NOT IN ('pending', 'abandoned') THEN
		RETURN 'stale';
	END IF;
	INSERT INTO deliveries (notice_id, attempt, owner, http_status, error)
	VALUES (p_id, cur.attempts + 1, p_owner, p_status, p_error);
	UPDATE notices SET attempts = attempts + 1, last_status = p_status,
	    last_error = CASE WHEN state = 'abandoned' AND NOT ok
		THEN last_error ELSE p_error END,
	    lease_owner = NULL, lease_until = NULL,
	    state = CASE WHEN ok THEN 'delivered'
		WHEN state = 'abandoned' THEN 'abandoned'
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
GRANT EXECUTE ON FUNCTION notice_attempted(text, text, integer, text, double precision, integer) TO railgate_app;

-- An officer sends a notice again: a dead one goes back to pending, with
-- its id and body unchanged.
-- The outcome (docs/storage.md): accepted, not_found, conflict (its
-- subscription deleted, 036).
CREATE OR REPLACE FUNCTION notice_redeliver(p_id text, p_principal text,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	notices%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM notices WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no notice ' || p_id);
		RETURN;
	END IF;
	-- Its subscription deleted (036): nobody to send it to, no secret.
	IF (SELECT deleted_at FROM subscriptions
	    WHERE id = cur.subscription_id) IS NOT NULL THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Subscription deleted',
		    'detail', 'notice ' || p_id || ' was for a subscription '
		    'that has been deleted; it cannot be delivered again');
		RETURN;
	END IF;
	UPDATE notices SET state = 'pending', next_at = now(),
	    lease_owner = NULL, lease_until = NULL
	WHERE id = p_id;
	PERFORM audit_append(p_principal, 'notice.redeliver', cur.train_id,
	    json_build_object('notice', p_id, 'was', cur.state)::text, NULL);
	outcome := 'accepted';
	reply := json_build_object('notice', p_id, 'state', 'pending',
	    'was', cur.state);
END
$$;
GRANT EXECUTE ON FUNCTION notice_redeliver(text, text) TO railgate_app;

-- The notices of a run, newest first, as the API shows them.
CREATE OR REPLACE FUNCTION train_notices(p_id text) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object(
	    'id', n.id, 'operator', s.name, 'format', n.format,
	    'state', n.state, 'attempts', n.attempts,
	    'follow_up_of', n.follow_up_of,
	    'decision', d.outcome, 'alert', n.alert, 'set_out', n.set_out,
	    'last_status', n.last_status,
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
	LEFT JOIN decisions d ON d.id = n.decision_id, train_find(p_id) t
	WHERE n.train_id = t.id
$$;
GRANT EXECUTE ON FUNCTION train_notices(text) TO railgate_app;

CREATE OR REPLACE FUNCTION claim_notices(p_owner text, p_n integer, p_lease_s integer)
RETURNS TABLE (id text, format text, follow_up_of text, body bytea,
    attempts integer, url text, secret text, recipient text,
    subscription text, train_no text, decision json, created_at bigint,
    client_cert text, client_key text)
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
	-- A duty notice (022) carries its clock alert where a release
	-- notice carries its decision, a provisional one (031) its list.
	SELECT c.id, c.format, c.follow_up_of, c.body, c.attempts, s.url,
	    s.secret, s.recipient, s.name, t.train_no,
	    coalesce(d.document, c.alert, c.set_out),
	    extract(epoch FROM c.created_at)::bigint, s.client_cert, s.client_key
	FROM claimed c JOIN subscriptions s ON s.id = c.subscription_id
	JOIN trains t ON t.id = c.train_id
	LEFT JOIN decisions d ON d.id = c.decision_id;
END
$$;
GRANT EXECUTE ON FUNCTION claim_notices(text, integer, integer) TO railgate_app;

-- An admin's (or the configuration's) subscription, bound to p_carriers;
-- p_secret arrives sealed by the daemon (v1:..., 031), never in clear.
DROP FUNCTION IF EXISTS subscription_put(text, text, text[], text, text,
    boolean, text, text, text);
CREATE OR REPLACE FUNCTION subscription_put(p_name text, p_url text, p_formats text[],
    p_secret text, p_recipient text, p_enabled boolean, p_principal text,
    p_client_cert text, p_client_key text, p_carriers text[])
RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	r	subscriptions%ROWTYPE;
BEGIN
	INSERT INTO subscriptions (name, url, formats, secret, recipient, enabled,
	    client_cert, client_key, carriers)
	VALUES (p_name, p_url, p_formats, p_secret, p_recipient, p_enabled,
	    p_client_cert, p_client_key, p_carriers)
	-- Only a subscription not deleted (036) is replaced; a deleted
	-- one's name makes a new one.
	ON CONFLICT (name) WHERE deleted_at IS NULL DO UPDATE SET url = excluded.url,
	    formats = excluded.formats, secret = excluded.secret,
	    recipient = excluded.recipient, enabled = excluded.enabled,
	    client_cert = excluded.client_cert, client_key = excluded.client_key,
	    carriers = excluded.carriers
	RETURNING * INTO r;
	PERFORM audit_append(p_principal, 'subscription.put', NULL,
	    json_build_object('name', p_name, 'url', p_url, 'formats',
	    p_formats, 'enabled', p_enabled, 'client_cert',
	    p_client_cert, 'carriers', p_carriers)::text, NULL);
	RETURN json_build_object('name', r.name, 'url', r.url, 'formats',
	    r.formats, 'recipient', r.recipient, 'enabled', r.enabled,
	    'client_cert', r.client_cert, 'carriers', r.carriers);
END
$$;
GRANT EXECUTE ON FUNCTION subscription_put(text, text, text[], text, text, boolean, text, text, text, text[]) TO railgate_app;
