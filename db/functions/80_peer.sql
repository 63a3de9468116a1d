-- 80_peer.sql -- the neighbouring customs link: the ordered outbox and the inbox that
-- makes every received message count once.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- The daemon's configured neighbour: enabled, any other disabled.
CREATE OR REPLACE FUNCTION peer_register(p_name text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	UPDATE peers SET enabled = false WHERE name <> p_name AND enabled;
	INSERT INTO peers (name) VALUES (p_name)
	ON CONFLICT (name) DO UPDATE SET enabled = true,
	    registered_at = now();
$$;
GRANT EXECUTE ON FUNCTION peer_register(text) TO railgate_app;

-- A final decision makes messages due: an export train released goes to
-- the neighbour as a pre-arrival manifest; a train the neighbour announced
-- gets a release acknowledgement.
CREATE OR REPLACE FUNCTION peer_enqueue_final() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	peer	text;
	cur	trains%ROWTYPE;
	pre	text;
BEGIN
	IF NOT NEW.final THEN
		RETURN NEW;
	END IF;
	SELECT name INTO peer FROM peers WHERE enabled LIMIT 1;
	IF peer IS NULL THEN
		RETURN NEW;
	END IF;
	SELECT * INTO cur FROM trains WHERE id = NEW.train_id;
	SELECT message_id INTO pre FROM peer_inbox
	WHERE train_id = cur.id AND type = 'pre_arrival' AND sender = peer
	ORDER BY received_at DESC LIMIT 1;
	IF pre IS NOT NULL THEN
		-- The neighbour sent this train: it hears that it was cleared.
		INSERT INTO peer_outbox (message_id, peer, type, train_id,
		    decision_id, ack_of)
		VALUES (gen_random_uuid()::text, peer, 'release_ack', cur.id,
		    NEW.id, pre);
	ELSIF cur.direction = 'export' AND NEW.outcome IN ('RELEASE',
	    'PARTIAL_RELEASE') THEN
		INSERT INTO peer_outbox (message_id, peer, type, train_id,
		    decision_id)
		VALUES (gen_random_uuid()::text, peer, 'pre_arrival', cur.id,
		    NEW.id);
	END IF;
	RETURN NEW;
END
$$;

-- The controls this side made on a train, as the neighbour file's
-- "controls": scans (of a container or of a whole wagon), broken seals,
-- and wagons the rules set out for inspection (INSPECT or above) that an
-- officer released -- inspected and found clear.  A wagon released from
-- DOC_CHECK or AUDIT was not inspected, and is not reported.
CREATE OR REPLACE FUNCTION peer_controls(p_train bigint) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object('equipment', x.equipment,
	    'result', x.result) ORDER BY x.ord), '[]')
	FROM (
		SELECT e.id AS ord, coalesce(e.body->>'container',
		    e.body->>'wagon') AS equipment,
		    CASE e.body->>'result' WHEN 'clear' THEN 'scanned_clear'
		    ELSE 'scanned_suspect' END AS result
		FROM events e WHERE e.train_id = p_train AND e.type = 'scan'
		  AND coalesce(e.body->>'container', e.body->>'wagon') IS NOT NULL
		UNION ALL
		SELECT e.id, e.body->>'equipment', 'seal_broken'
		FROM events e WHERE e.train_id = p_train AND e.type = 'seal_check'
		  AND e.body->>'condition' IN ('damaged', 'missing')
		UNION ALL
		SELECT 1000000000000 + w.position, w.number, 'inspected_clear'
		FROM wagons w WHERE w.train_id = p_train
		  AND w.resolution = 'release'
		  AND w.rules_action IN ('INSPECT', 'HOLD', 'REFUSE')
	) x
$$;
GRANT EXECUTE ON FUNCTION peer_controls(bigint) TO railgate_app;

-- The seals this side found on a train, as the neighbour file's "seals":
-- each number a seal check read on a piece of equipment (a seal reported
-- missing was not found), once, in the order first read.
CREATE OR REPLACE FUNCTION peer_seals_found(p_train bigint) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object('equipment', x.equipment,
	    'number', x.number) ORDER BY x.ord), '[]')
	FROM (
		SELECT min(e.id) AS ord, e.body->>'equipment' AS equipment,
		    e.body->>'seal' AS number
		FROM events e WHERE e.train_id = p_train AND e.type = 'seal_check'
		  AND e.body->>'condition' IN ('intact', 'damaged')
		  AND e.body->>'equipment' IS NOT NULL AND e.body->>'seal' IS NOT NULL
		GROUP BY 2, 3
	) x
$$;
GRANT EXECUTE ON FUNCTION peer_seals_found(bigint) TO railgate_app;

-- Our results go back (issue 17): a control_results message for train
-- p_train, while a neighbour is registered.  Not for an export: its
-- controls travel in its pre_arrival, sent when it is released, and the
-- neighbour would refuse results for a train it has not been sent.  One
-- message not yet built (and not being built: not leased) carries every
-- control made until it is (its body is made at the first attempt), so
-- no second one is queued beside it; the row is locked so that a sender
-- claiming it meanwhile is waited for, and then a new one is queued.
CREATE OR REPLACE FUNCTION peer_enqueue_controls(p_train bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	nb	text;
	dir	text;
BEGIN
	SELECT name INTO nb FROM peers WHERE enabled LIMIT 1;
	IF nb IS NULL THEN
		RETURN;
	END IF;
	SELECT t.direction INTO dir FROM trains t WHERE t.id = p_train;
	IF NOT FOUND OR dir IS NOT DISTINCT FROM 'export' THEN
		RETURN;
	END IF;
	PERFORM 1 FROM peer_outbox o WHERE o.train_id = p_train
	    AND o.type = 'control_results' AND o.peer = nb
	    AND o.state = 'pending' AND o.body IS NULL AND o.lease_owner IS NULL
	    FOR UPDATE;
	IF FOUND THEN
		RETURN;
	END IF;
	INSERT INTO peer_outbox (message_id, peer, type, train_id, decision_id)
	VALUES (gen_random_uuid()::text, nb, 'control_results', p_train,
	    (SELECT max(d.id) FROM decisions d WHERE d.train_id = p_train));
END
$$;
GRANT EXECUTE ON FUNCTION peer_enqueue_controls(bigint) TO railgate_app;

-- Control evidence stored (trigger events_peer_controls, 020), or a
-- wagon the rules set out for inspection released by an officer
-- (trigger wagons_peer_controls): the row's train gets its results.
CREATE OR REPLACE FUNCTION peer_controls_queue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	PERFORM peer_enqueue_controls(NEW.train_id);
	RETURN NULL;
END
$$;

-- The head of the queue, leased to p_owner: nothing while another sender
-- holds it or it waits for its next attempt, so that order is kept.
-- Rows: message_id, type, train_no, body, ack_of, outcome, raw_z (only
-- while the body is not built), controls, attempts, seals (found here,
-- for control_results, while the body is not built).  A control_results
-- message may be queued before the train has a decision: no outcome.
CREATE OR REPLACE FUNCTION peer_claim_next(p_owner text, p_lease_s integer)
RETURNS TABLE (message_id text, type text, peer text, train_no text,
    body bytea, ack_of text, outcome text, raw_z bytea, controls json,
    attempts integer, seals json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	head	peer_outbox%ROWTYPE;
BEGIN
	IF NOT pg_try_advisory_xact_lock(hashtext('peer_outbox')) THEN
		RETURN;
	END IF;
	SELECT * INTO head FROM peer_outbox o WHERE o.state = 'pending'
	ORDER BY o.id LIMIT 1 FOR UPDATE;
	IF NOT FOUND OR head.next_at > now() OR (head.lease_until > now()
	    AND head.lease_owner IS DISTINCT FROM p_owner) THEN
		RETURN;
	END IF;
	UPDATE peer_outbox SET lease_owner = p_owner,
	    lease_until = now() + make_interval(secs => p_lease_s)
	WHERE id = head.id;
	-- A checkpoint of our audit chain (034): no train; its signed fields
	-- travel in the controls column until the envelope is built.
	IF head.type = 'checkpoint' THEN
		RETURN QUERY
		SELECT head.message_id, head.type, head.peer, NULL::text,
		    head.body, NULL::text, NULL::text, NULL::bytea,
		    CASE WHEN head.body IS NULL THEN checkpoint_json(c) END,
		    head.attempts, NULL::json
		FROM audit_checkpoints c WHERE c.id = head.checkpoint_id;
		RETURN;
	END IF;
	RETURN QUERY
	SELECT head.message_id, head.type, head.peer, t.train_no, head.body,
	    head.ack_of, d.outcome,
	    CASE WHEN head.body IS NULL AND head.type = 'pre_arrival'
	    THEN m.raw_z END,
	    CASE WHEN head.body IS NULL THEN peer_controls(t.id) END,
	    head.attempts,
	    CASE WHEN head.body IS NULL AND head.type = 'control_results'
	    THEN peer_seals_found(t.id) END
	FROM trains t LEFT JOIN decisions d ON d.id = head.decision_id
	LEFT JOIN manifests m ON m.id = d.manifest_id
	WHERE t.id = head.train_id;
END
$$;
GRANT EXECUTE ON FUNCTION peer_claim_next(text, integer) TO railgate_app;

-- Fixes a message's envelope at its first attempt.
CREATE OR REPLACE FUNCTION peer_set_body(p_message text, p_owner text, p_body bytea)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	UPDATE peer_outbox SET body = p_body
	WHERE message_id = p_message AND body IS NULL AND lease_owner = p_owner
$$;
GRANT EXECUTE ON FUNCTION peer_set_body(text, text, bytea) TO railgate_app;

-- Records an attempt: sent (2xx), refused for good (a 4xx other than 408
-- and 429: the neighbour will never take it; it is logged and skipped),
-- or retried in p_retry_s seconds.
CREATE OR REPLACE FUNCTION peer_attempted(p_message text, p_owner text, p_status integer,
    p_error text, p_retry_s double precision)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	peer_outbox%ROWTYPE;
	ok	boolean := p_status BETWEEN 200 AND 299;
	refused	boolean := p_status BETWEEN 400 AND 499 AND p_status NOT IN (408, 429);
BEGIN
	SELECT * INTO cur FROM peer_outbox WHERE message_id = p_message FOR UPDATE;
	IF NOT FOUND OR cur.lease_owner IS DISTINCT FROM p_owner
	    OR cur.state <> 'pending' THEN
		RETURN 'stale';
	END IF;
	UPDATE peer_outbox SET attempts = attempts + 1, last_status = p_status,
	    last_error = p_error, lease_owner = NULL, lease_until = NULL,
	    state = CASE WHEN ok THEN 'sent' WHEN refused THEN 'refused'
		ELSE 'pending' END,
	    sent_at = CASE WHEN ok THEN now() END,
	    next_at = CASE WHEN ok OR refused THEN next_at
		ELSE now() + make_interval(secs => p_retry_s) END
	WHERE id = cur.id RETURNING * INTO cur;
	-- A checkpoint taken is not audited: the record would move the
	-- head it anchors, and the next checkpoint would never be skipped.
	IF cur.state <> 'pending' AND NOT (cur.type = 'checkpoint'
	    AND cur.state = 'sent') THEN
		PERFORM audit_append(p_owner, 'peer.' || cur.state, cur.train_id,
		    json_build_object('message', p_message, 'type', cur.type,
		    'peer', cur.peer, 'attempts', cur.attempts, 'status',
		    p_status, 'error', p_error)::text, NULL);
	END IF;
	RETURN cur.state;
END
$$;
GRANT EXECUTE ON FUNCTION peer_attempted(text, text, integer, text, double precision) TO railgate_app;

-- A message from the neighbour, verified by the daemon: acted on once.
-- A pre-arrival manifest is ingested like any other (source 'peer', the
-- message id as its idempotency key) -- or, when this side already has
-- the train's manifest, only its neighbour data is attached; control
-- results become a 'neighbour' event (the rules read both); a release
-- acknowledgement is recorded against the pre-arrival it acknowledges.
-- The outcome (docs/storage.md): done, duplicate (received before:
-- acknowledged again), or not_found, conflict, invalid when the message
-- cannot be used (the sender keeps it refused).
CREATE OR REPLACE FUNCTION peer_receive(p_sender text, p_message text, p_type text,
    p_envelope json, p_train_no text, p_neighbour json, p_ack_of text,
    p_sha256 text, p_raw_z bytea, p_raw_size bigint, p_accepted boolean,
    p_function text, p_diagnostics json, p_train json, p_wagons json,
    p_ruleset text,
    OUT outcome text, OUT reply json,
    OUT train_id bigint, OUT manifest_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	ing	record;
	ev	record;
	tid	bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext(p_sender || '/' || p_message));
	SELECT i.train_id INTO tid FROM peer_inbox i
	WHERE i.sender = p_sender AND i.message_id = p_message;
	IF FOUND THEN
		train_id := tid;
		outcome := 'duplicate';
		reply := json_build_object('ack', p_message, 'duplicate', true);
		RETURN;
	END IF;

	IF p_type = 'pre_arrival' THEN
		SELECT * INTO ing FROM ingest_manifest(p_sha256, p_raw_z,
		    p_raw_size, 'xml', 'peer', p_sender, 'peer:' || p_message,
		    p_accepted, p_train_no, p_function, p_diagnostics, p_train,
		    p_wagons, p_ruleset);
		IF ing.outcome = 'accepted' THEN
			tid := ing.train_id;
			manifest_id := ing.manifest_id;
		ELSIF ing.outcome <> 'conflict' THEN
			outcome := ing.outcome;
			reply := ing.reply;
			RETURN;
		END IF;
	END IF;

	IF p_type IN ('pre_arrival', 'control_results') THEN
		SELECT * INTO ev FROM add_event(p_train_no, 'neighbour',
		    p_neighbour, p_sender, p_ruleset, 'neighbour', NULL);
		IF ev.outcome <> 'accepted' THEN
			outcome := ev.outcome;
			reply := ev.reply;
			RETURN;
		END IF;
		tid := coalesce(tid, (SELECT t.id FROM train_find(p_train_no) t));
	ELSE
		SELECT o.train_id INTO tid FROM peer_outbox o
		WHERE o.message_id = p_ack_of AND o.type = 'pre_arrival';
		IF NOT FOUND THEN
			outcome := 'not_found';
			reply := json_build_object('title', 'Unknown message',
			    'detail', 'no pre-arrival message ' || p_ack_of ||
			    ' was sent from here');
			RETURN;
		END IF;
	END IF;

	INSERT INTO peer_inbox (sender, message_id, type, train_id, envelope)
	VALUES (p_sender, p_message, p_type, tid, p_envelope);
	PERFORM audit_append(p_sender, 'peer.received.' || p_type, tid,
	    json_build_object('message', p_message, 'train', p_train_no,
	    'ack_of', p_ack_of)::text, p_ruleset);
	train_id := tid;
	outcome := 'done';
	reply := json_build_object('ack', p_message, 'duplicate', false);
END
$$;
GRANT EXECUTE ON FUNCTION peer_receive(text, text, text, json, text, json, text, text, bytea, bigint, boolean, text, json, json, json, text) TO railgate_app;

-- The link as the API shows it: queue depth and the last messages.
CREATE OR REPLACE FUNCTION peer_status() RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object(
	    'peer', (SELECT name FROM peers WHERE enabled LIMIT 1),
	    'pending', (SELECT count(*) FROM peer_outbox WHERE state = 'pending'),
	    'sent', (SELECT count(*) FROM peer_outbox WHERE state = 'sent'),
	    'refused', (SELECT count(*) FROM peer_outbox WHERE state = 'refused'),
	    'received', (SELECT count(*) FROM peer_inbox),
	    'oldest_pending_s', (SELECT extract(epoch FROM now() -
		min(created_at))::bigint FROM peer_outbox WHERE state = 'pending'))
$$;
GRANT EXECUTE ON FUNCTION peer_status() TO railgate_app;
