-- 006_officers.sql -- officers resolve wagons and approve decisions.
--
-- A resolution is recorded on the wagon at once; approval turns the
-- provisional decision, with the resolutions applied, into the final one.
-- The final document itself is built by the daemon (the same writer as
-- every decision document), then stored here only if the decision it was
-- built from is still the current one.

-- A final decision stands: a later evaluation (events after approval) is
-- kept in the history but does not replace it.
CREATE OR REPLACE FUNCTION store_decision(p_train bigint, p_owner text,
    p_doc json, p_outcome text, p_final boolean, p_wagons json, p_ruleset text,
    p_ruleset_name text, p_manifest bigint, p_last_event bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	newer	boolean;
BEGIN
	SELECT * INTO cur FROM trains WHERE id = p_train FOR UPDATE;
	IF NOT FOUND OR cur.lease_owner IS DISTINCT FROM p_owner
	    OR cur.manifest_id <> p_manifest THEN
		RETURN 'stale';
	END IF;
	SELECT EXISTS (SELECT 1 FROM events WHERE train_id = p_train
	    AND id > coalesce(p_last_event, 0)
	    AND type IN ('weighbridge', 'scan', 'seal_check', 'neighbour'))
	    INTO newer;
	INSERT INTO decisions (train_id, document, outcome, final,
	    ruleset_sha256, manifest_id, last_event_id, made_by)
	VALUES (p_train, p_doc, p_outcome, p_final, p_ruleset, p_manifest,
	    p_last_event, p_owner);
	IF cur.decision_final THEN
		UPDATE trains SET eval_needed = newer, lease_owner = NULL,
		    lease_until = NULL, updated_at = now()
		WHERE id = p_train;
		PERFORM audit_append(p_owner, 'decision.after_final', p_train,
		    json_build_object('outcome', p_outcome, 'ruleset',
		    p_ruleset_name, 'manifest', p_manifest, 'last_event',
		    p_last_event)::text, p_ruleset);
		RETURN 'stored';
	END IF;
	UPDATE trains SET decision = p_doc, decision_final = p_final,
	    ruleset_sha256 = p_ruleset,
	    state = CASE
		WHEN state = 'cancelled' THEN state
		WHEN state IN ('received', 'evaluated') THEN 'evaluated'
		ELSE state END,
	    eval_needed = newer, lease_owner = NULL, lease_until = NULL,
	    updated_at = now()
	WHERE id = p_train;
	UPDATE wagons w SET action = x->>'action'
	FROM json_array_elements(p_wagons) AS x
	WHERE w.train_id = p_train AND w.position = (x->>'position')::int;
	PERFORM audit_append(p_owner, 'decision.provisional', p_train,
	    json_build_object('outcome', p_outcome, 'ruleset', p_ruleset_name,
	    'manifest', p_manifest, 'last_event', p_last_event)::text, p_ruleset);
	RETURN 'stored';
END
$$;

-- The principal who set a wagon out: the officer whose resolution did, or
-- whoever approved the decision that did.
CREATE FUNCTION wagon_set_out_by(w wagons) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN w.resolution IS NOT NULL THEN w.resolved_by ELSE
	    (SELECT principal FROM officer_actions a WHERE a.train_id = w.train_id
	     AND a.wagon IS NULL AND a.action = 'approve'
	     ORDER BY a.id DESC LIMIT 1) END
$$;

-- An officer's resolution of one wagon: release (after a document check or
-- an inspection), inspect, hold or refuse.  Releasing a held or refused
-- wagon is a supervisor's override, and never by whoever set it out.
CREATE FUNCTION resolve_wagon(p_id text, p_wagon text, p_action text,
    p_reason text, p_principal text, p_role text, p_ruleset text,
    OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	was	text;
	setter	text;
BEGIN
	SELECT * INTO cur FROM train_find(p_id) FOR UPDATE;
	IF NOT FOUND THEN
		http_status := 404;
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	SELECT * INTO w FROM wagons WHERE train_id = cur.id AND number = p_wagon
	    FOR UPDATE;
	IF NOT FOUND THEN
		http_status := 404;
		reply := json_build_object('title', 'Unknown wagon', 'detail',
		    'train ' || cur.train_no || ' (run ' || cur.run ||
		    ') has no wagon ' || p_wagon);
		RETURN;
	END IF;
	IF cur.decision IS NULL OR cur.state = 'cancelled' THEN
		http_status := 409;
		reply := json_build_object('title', 'Nothing to resolve', 'detail',
		    'train ' || cur.train_no || ' has ' || CASE WHEN cur.state =
		    'cancelled' THEN 'been cancelled' ELSE 'no decision yet' END);
		RETURN;
	END IF;
	was := coalesce(upper(w.resolution), w.action);
	IF p_action = 'release' AND was IN ('HOLD', 'REFUSE') THEN
		setter := wagon_set_out_by(w);
		IF p_role <> 'supervisor' THEN
			http_status := 403;
			reply := json_build_object('title', 'Supervisor needed',
			    'detail', 'wagon ' || p_wagon || ' is at ' || was ||
			    ': releasing it is a supervisor''s override');
			RETURN;
		END IF;
		IF setter = p_principal THEN
			http_status := 403;
			reply := json_build_object('title', 'Four eyes',
			    'detail', p_principal || ' set wagon ' || p_wagon ||
			    ' out; another supervisor must release it');
			RETURN;
		END IF;
	END IF;
	UPDATE wagons SET resolution = p_action, resolved_by = p_principal
	WHERE train_id = cur.id AND position = w.position;
	INSERT INTO officer_actions (train_id, wagon, action, reason, principal,
	    role) VALUES (cur.id, p_wagon, p_action, p_reason, p_principal, p_role);
	UPDATE trains SET updated_at = now() WHERE id = cur.id;
	PERFORM audit_append(p_principal, 'wagon.' || p_action, cur.id,
	    json_build_object('wagon', p_wagon, 'position', w.position,
	    'from', was, 'reason', p_reason, 'role', p_role)::text,
	    coalesce(cur.ruleset_sha256, p_ruleset));
	http_status := 200;
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'wagon', p_wagon, 'position', w.position, 'action', upper(p_action),
	    'previous', was, 'final', cur.decision_final);
END
$$;

-- What approval builds the final decision from: the current document, its
-- version (the latest decision's id) and the wagons' resolutions.
CREATE FUNCTION final_inputs(p_id text, OUT train_id bigint, OUT version bigint,
    OUT document text, OUT resolutions json, OUT state text,
    OUT eval_needed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT t.id, (SELECT max(d.id) FROM decisions d WHERE d.train_id = t.id),
	    t.decision::text,
	    coalesce((SELECT json_agg(json_build_object('position', w.position,
		'action', upper(w.resolution)) ORDER BY w.position)
		FROM wagons w WHERE w.train_id = t.id AND w.resolution IS NOT NULL),
		'[]'),
	    t.state, t.eval_needed
	FROM train_find(p_id) t
$$;

-- Stores the final decision built from version; 409 when the decision
-- changed meanwhile (an event re-evaluated it) or is being re-evaluated.
CREATE FUNCTION finalize_decision(p_train bigint, p_version bigint,
    p_doc json, p_outcome text, p_wagons json, p_principal text, p_role text,
    p_reason text, p_approve boolean,
    OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	prev	decisions%ROWTYPE;
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
	    prev.manifest_id, prev.last_event_id, p_principal);
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
	PERFORM audit_append(p_principal, CASE WHEN cur.decision_final
	    THEN 'decision.final_amended' ELSE 'decision.final' END, p_train,
	    json_build_object('outcome', p_outcome, 'from_decision', prev.id,
	    'reason', p_reason)::text, prev.ruleset_sha256);
	http_status := 200;
	reply := p_doc;
END
$$;

GRANT EXECUTE ON FUNCTION resolve_wagon(text, text, text, text, text, text,
    text), final_inputs(text), finalize_decision(bigint, bigint, json, text,
    json, text, text, text, boolean), wagon_set_out_by(wagons) TO railgate_app;
