-- 60_officers.sql -- officers' resolutions of wagons, the four-eyes overrides and the
-- final decision built from them.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- An action's place in the order of severity; anything unknown counts as
-- the most severe, so that it is never taken for a release.
CREATE OR REPLACE FUNCTION action_rank(p_action text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE upper(p_action) WHEN 'RELEASE' THEN 0 WHEN 'AUDIT' THEN 1
	    WHEN 'DOC_CHECK' THEN 2 WHEN 'INSPECT' THEN 3 WHEN 'HOLD' THEN 4
	    ELSE 5 END
$$;
GRANT EXECUTE ON FUNCTION action_rank(text) TO railgate_app;

-- A wagon's action now: its resolution in force, else the decision's.
CREATE OR REPLACE FUNCTION wagon_current(w wagons) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(upper(w.resolution), w.action)
$$;
GRANT EXECUTE ON FUNCTION wagon_current(wagons) TO railgate_app;

-- The resolutions in force, as approval applies them: [{position, action}];
-- p_proposed: with the overrides awaiting confirmation as if confirmed.
CREATE OR REPLACE FUNCTION wagon_resolutions(p_train bigint, p_proposed boolean)
RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('position', w.position,
	    'action', upper(CASE WHEN p_proposed AND w.proposed_action IS NOT
		NULL THEN w.proposed_action ELSE w.resolution END))
	    ORDER BY w.position), '[]')
	FROM wagons w WHERE w.train_id = p_train AND (w.resolution IS NOT NULL
	    OR (p_proposed AND w.proposed_action IS NOT NULL))
$$;
GRANT EXECUTE ON FUNCTION wagon_resolutions(bigint, boolean) TO railgate_app;

-- The overrides awaiting confirmation: [{position, wagon, action, by,
-- reason}].
CREATE OR REPLACE FUNCTION wagon_proposals(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('position', w.position,
	    'wagon', w.number, 'action', upper(w.proposed_action),
	    'by', w.proposed_by, 'reason', w.proposed_reason)
	    ORDER BY w.position), '[]')
	FROM wagons w WHERE w.train_id = p_train AND w.proposed_action IS NOT NULL
$$;
GRANT EXECUTE ON FUNCTION wagon_proposals(bigint) TO railgate_app;

-- The resolutions in force of goods on no wagon (021_goods_resolutions.sql,
-- resolve_goods() below), as decide_final() applies them:
-- [{goods: {consignment, item}, resolution, position}] in order.
CREATE OR REPLACE FUNCTION goods_resolutions_json(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('goods', json_build_object(
	    'consignment', g.consignment, 'item', g.item), 'resolution',
	    g.resolution, 'position', g.position) ORDER BY g.id), '[]')
	FROM goods_resolutions g
	WHERE g.train_id = p_train AND g.void_at IS NULL
$$;
GRANT EXECUTE ON FUNCTION goods_resolutions_json(bigint) TO railgate_app;

-- The clearances in force, as decide_final() applies them:
-- [{train_hit: {rule}, resolution: "cleared"}] in order.
CREATE OR REPLACE FUNCTION hit_clearances_json(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('train_hit',
	    json_build_object('rule', c.rule), 'resolution', 'cleared')
	    ORDER BY c.id), '[]')
	FROM hit_clearances c WHERE c.train_id = p_train AND c.void_at IS NULL
$$;
GRANT EXECUTE ON FUNCTION hit_clearances_json(bigint) TO railgate_app;

-- Every resolution that approval applies: the goods', the train hits
-- cleared (026), then the wagons' (exactly wagon_resolutions() when there
-- are no goods resolutions and no clearances).
CREATE OR REPLACE FUNCTION final_resolutions(p_train bigint, p_proposed boolean)
RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN g::text = '[]' AND c::text = '[]' THEN w ELSE
	    (g::jsonb || c::jsonb || w::jsonb)::json END
	FROM goods_resolutions_json(p_train) g, hit_clearances_json(p_train) c,
	    wagon_resolutions(p_train, p_proposed) w
$$;
GRANT EXECUTE ON FUNCTION final_resolutions(bigint, boolean) TO railgate_app;

-- What a final decision is built on besides the document, as one text: an
-- approval stores its decision only if this did not change meanwhile.
CREATE OR REPLACE FUNCTION wagon_fingerprint(p_train bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT md5(wagon_resolutions(p_train, false)::text || '|' ||
	    wagon_proposals(p_train)::text || '|' ||
	    goods_resolutions_json(p_train)::text ||
	    CASE WHEN hit_clearances_json(p_train)::text = '[]' THEN '' ELSE
	    '|' || hit_clearances_json(p_train)::text END)
$$;
GRANT EXECUTE ON FUNCTION wagon_fingerprint(bigint) TO railgate_app;

-- An officer's resolution of one wagon: release (after a document check or
-- an inspection), inspect, hold or refuse.  See the top of this file for
-- overrides.  The outcome (docs/storage.md): done (recorded), proposed
-- (an override, awaiting a second supervisor), not_found, conflict,
-- forbidden.
CREATE OR REPLACE FUNCTION resolve_wagon(p_id text, p_wagon text,
    p_action text, p_reason text, p_principal text, p_role text,
    p_ruleset text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	was	text;
	down	boolean;
	propose	boolean;
	setters	text[];
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	SELECT * INTO w FROM wagons WHERE train_id = cur.id AND number = p_wagon
	    FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Unknown wagon', 'detail',
		    'train ' || cur.train_no || ' (run ' || cur.run ||
		    ') has no wagon ' || p_wagon);
		RETURN;
	END IF;
	IF cur.decision IS NULL OR cur.state = 'cancelled' THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Nothing to resolve', 'detail',
		    'train ' || cur.train_no || ' has ' || CASE WHEN cur.state =
		    'cancelled' THEN 'been cancelled' ELSE 'no decision yet' END);
		RETURN;
	END IF;
	IF w.proposed_action IS NOT NULL THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Override awaiting '
		    'confirmation', 'detail', w.proposed_by || ' proposed to ' ||
		    w.proposed_action || ' wagon ' || p_wagon || '; another '
		    'supervisor confirms or rejects it before anything else is '
		    'done to the wagon');
		RETURN;
	END IF;
	was := wagon_current(w);
	down := action_rank(was) >= action_rank('HOLD') AND
	    action_rank(p_action) < action_rank(was);
	IF down AND p_role <> 'supervisor' THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Supervisor needed',
		    'detail', 'wagon ' || p_wagon || ' is at ' || was ||
		    ': moving it to ' || upper(p_action) || ' is a '
		    'supervisor''s override');
		RETURN;
	END IF;
	IF down AND p_principal = ANY (w.set_out_by) THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Four eyes',
		    'detail', p_principal || ' set wagon ' || p_wagon ||
		    ' out; another supervisor must override it');
		RETURN;
	END IF;
	propose := down AND action_rank(w.rules_action) >= action_rank('HOLD')
	    AND action_rank(p_action) < action_rank(w.rules_action);
	IF propose THEN
		UPDATE wagons SET proposed_action = p_action,
		    proposed_by = p_principal, proposed_reason = p_reason,
		    proposed_at = now()
		WHERE train_id = cur.id AND position = w.position;
		INSERT INTO officer_actions (train_id, wagon, action, reason,
		    principal, role) VALUES (cur.id, p_wagon,
		    'propose_' || p_action, p_reason, p_principal, p_role);
		UPDATE trains SET updated_at = now() WHERE id = cur.id;
		PERFORM audit_append(p_principal, 'wagon.override_proposed',
		    cur.id, json_build_object('wagon', p_wagon, 'position',
		    w.position, 'from', was, 'rules', w.rules_action, 'to',
		    upper(p_action), 'reason', p_reason, 'role', p_role)::text,
		    coalesce(cur.ruleset_sha256, p_ruleset));
		outcome := 'proposed';
		reply := json_build_object('train', cur.train_no, 'run', cur.run,
		    'wagon', p_wagon, 'position', w.position, 'action', was,
		    'proposed', upper(p_action), 'proposed_by', p_principal,
		    'previous', was, 'final', cur.decision_final, 'detail',
		    'the rules set wagon ' || p_wagon || ' at ' ||
		    w.rules_action || ': the override waits for a second '
		    'supervisor to confirm it (or to approve the train)');
		RETURN;
	END IF;
	-- Who set the wagon out: gathered while it stays at HOLD or REFUSE,
	-- forgotten once an override takes it below.
	setters := CASE
	    WHEN action_rank(p_action) >= action_rank('HOLD') THEN
		CASE WHEN p_principal = ANY (w.set_out_by) THEN w.set_out_by
		ELSE w.set_out_by || p_principal END
	    WHEN down THEN '{}'
	    ELSE w.set_out_by END;
	UPDATE wagons SET resolution = p_action, resolved_by = p_principal,
	    confirmed_by = NULL, set_out_by = setters,
	    resolved_rules = w.rules_action, suspended_action = NULL,
	    suspended_by = NULL
	WHERE train_id = cur.id AND position = w.position;
	INSERT INTO officer_actions (train_id, wagon, action, reason, principal,
	    role) VALUES (cur.id, p_wagon, p_action, p_reason, p_principal,
	    p_role);
	UPDATE trains SET updated_at = now() WHERE id = cur.id;
	-- A provisional train's set-out list may have changed (031).
	IF NOT cur.decision_final AND cur.carrier_id IS NOT NULL THEN
		PERFORM notices_provisional(cur.id, cur.carrier_id,
		    cur.decision->>'decision');
	END IF;
	PERFORM audit_append(p_principal, 'wagon.' || p_action, cur.id,
	    json_build_object('wagon', p_wagon, 'position', w.position,
	    'from', was, 'reason', p_reason, 'role', p_role, 'override',
	    down)::text, coalesce(cur.ruleset_sha256, p_ruleset));
	outcome := 'done';
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'wagon', p_wagon, 'position', w.position, 'action', upper(p_action),
	    'previous', was, 'final', cur.decision_final);
END
$$;
GRANT EXECUTE ON FUNCTION resolve_wagon(text, text, text, text, text, text, text) TO railgate_app;

-- A second supervisor confirms (p_confirm) or any supervisor rejects an
-- override awaiting confirmation.  The proposer may withdraw (reject) a
-- proposal but never confirm it.
CREATE OR REPLACE FUNCTION decide_override(p_id text, p_wagon text, p_confirm boolean,
    p_reason text, p_principal text, p_role text, p_ruleset text,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	verb	text := CASE WHEN p_confirm THEN 'confirm' ELSE 'reject' END;
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	SELECT * INTO w FROM wagons WHERE train_id = cur.id AND number = p_wagon
	    FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Unknown wagon', 'detail',
		    'train ' || cur.train_no || ' (run ' || cur.run ||
		    ') has no wagon ' || p_wagon);
		RETURN;
	END IF;
	IF w.proposed_action IS NULL THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'No override to ' || verb,
		    'detail', 'no override of wagon ' || p_wagon || ' of train '
		    || cur.train_no || ' awaits confirmation');
		RETURN;
	END IF;
	IF p_role <> 'supervisor' THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Supervisor needed',
		    'detail', 'only a supervisor may ' || verb ||
		    ' an override');
		RETURN;
	END IF;
	IF p_confirm AND p_principal = w.proposed_by THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Four eyes', 'detail',
		    p_principal || ' proposed this override of wagon ' ||
		    p_wagon || '; another supervisor must confirm it');
		RETURN;
	END IF;
	IF p_confirm THEN
		PERFORM override_apply(cur, w, p_principal, p_reason, p_ruleset);
	ELSE
		UPDATE wagons SET proposed_action = NULL, proposed_by = NULL,
		    proposed_reason = NULL, proposed_at = NULL
		WHERE train_id = cur.id AND position = w.position;
		INSERT INTO officer_actions (train_id, wagon, action, reason,
		    principal, role) VALUES (cur.id, p_wagon,
		    'reject_' || w.proposed_action, p_reason, p_principal,
		    p_role);
		UPDATE trains SET updated_at = now() WHERE id = cur.id;
		PERFORM audit_append(p_principal, 'wagon.override_rejected',
		    cur.id, json_build_object('wagon', p_wagon, 'position',
		    w.position, 'proposed', upper(w.proposed_action),
		    'proposed_by', w.proposed_by, 'reason', p_reason)::text,
		    coalesce(cur.ruleset_sha256, p_ruleset));
	END IF;
	outcome := 'done';
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'wagon', p_wagon, 'position', w.position, 'action', CASE WHEN
	    p_confirm THEN upper(w.proposed_action) ELSE wagon_current(w) END,
	    'proposed', upper(w.proposed_action), 'proposed_by', w.proposed_by,
	    (CASE WHEN p_confirm THEN 'confirmed_by' ELSE 'rejected_by' END),
	    p_principal, 'final', cur.decision_final);
END
$$;
GRANT EXECUTE ON FUNCTION decide_override(text, text, boolean, text, text, text, text) TO railgate_app;

-- Makes w's proposed override the wagon's resolution, confirmed by
-- p_confirmer.  The caller holds the train's row lock.
CREATE OR REPLACE FUNCTION override_apply(cur trains, w wagons, p_confirmer text,
    p_reason text, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE wagons SET resolution = w.proposed_action,
	    resolved_by = w.proposed_by, confirmed_by = p_confirmer,
	    resolved_rules = w.rules_action, suspended_action = NULL,
	    suspended_by = NULL,
	    set_out_by = CASE WHEN action_rank(w.proposed_action) <
		action_rank('HOLD') THEN '{}' ELSE set_out_by END,
	    proposed_action = NULL, proposed_by = NULL,
	    proposed_reason = NULL, proposed_at = NULL
	WHERE train_id = cur.id AND position = w.position;
	INSERT INTO officer_actions (train_id, wagon, action, reason, principal,
	    role, confirmed_by) VALUES (cur.id, w.number, w.proposed_action,
	    w.proposed_reason, w.proposed_by, 'supervisor', p_confirmer);
	UPDATE trains SET updated_at = now() WHERE id = cur.id;
	PERFORM audit_append(p_confirmer, 'wagon.override_confirmed', cur.id,
	    json_build_object('wagon', w.number, 'position', w.position,
	    'from', wagon_current(w), 'rules', w.rules_action, 'to',
	    upper(w.proposed_action), 'proposed_by', w.proposed_by,
	    'proposal_reason', w.proposed_reason, 'reason', p_reason)::text,
	    coalesce(cur.ruleset_sha256, p_ruleset));
END
$$;

CREATE OR REPLACE FUNCTION final_inputs(p_id text, OUT train_id bigint,
    OUT version bigint, OUT document text, OUT resolutions json,
    OUT state text, OUT eval_needed boolean, OUT proposals json,
    OUT fingerprint text, OUT resolutions_proposed json)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT t.id, (SELECT max(d.id) FROM decisions d WHERE d.train_id = t.id),
	    t.decision::text, final_resolutions(t.id, false), t.state,
	    t.eval_needed, wagon_proposals(t.id), wagon_fingerprint(t.id),
	    final_resolutions(t.id, true)
	FROM train_find(p_id) t
$$;
GRANT EXECUTE ON FUNCTION final_inputs(text) TO railgate_app;

-- The containers of decision p_doc whose set-aside parcels are still to
-- unload (docs/parcels.md: parcels.unload entries not "unloaded"), as
-- "CSQU3054383 (wagon 318012345678, 17 parcels), ...", or NULL when none.
-- p_wagons (a final decision's [{position, action}], NULL: none yet): a
-- container on a wagon that stays (HOLD, REFUSE) is not counted, since
-- nothing of it leaves; a wagon missing from p_wagons counts.  p_train
-- (an amendment of a final decision, NULL otherwise): only the wagons of
-- that run set out until now (INSPECT, HOLD, REFUSE: they stayed) that
-- the amendment lets go count, the others having left already or
-- staying still.
CREATE OR REPLACE FUNCTION parcels_unload_pending(p_doc json, p_wagons json,
    p_train bigint DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg(coalesce(u->>'container', '?') || ' (wagon ' ||
	    coalesce(u->>'wagon', '?') || ', ' || coalesce(u->>'parcels', '?') ||
	    ' parcels)', ', ' ORDER BY n)
	FROM json_array_elements(CASE WHEN json_typeof(p_doc->'parcels'->
	    'unload') = 'array' THEN p_doc->'parcels'->'unload' END)
	    WITH ORDINALITY AS a(u, n)
	WHERE coalesce(u->>'unloaded', 'false') <> 'true'
	  AND NOT EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN
	    json_typeof(p_wagons) = 'array' THEN p_wagons END) AS w
	    WHERE w->>'position' = u->>'position'
	      AND (upper(w->>'action') IN ('HOLD', 'REFUSE') OR
	        (p_train IS NOT NULL AND upper(w->>'action') = 'INSPECT')))
	  AND (p_train IS NULL OR EXISTS (SELECT 1 FROM wagons x
	    WHERE x.train_id = p_train AND x.position::text = u->>'position'
	      AND upper(coalesce(x.action, '')) IN ('INSPECT', 'HOLD',
	        'REFUSE')))
$$;

CREATE OR REPLACE FUNCTION finalize_decision(p_train bigint, p_version bigint,
    p_doc json, p_outcome text, p_wagons json, p_principal text, p_role text,
    p_reason text, p_approve boolean, p_fingerprint text, p_confirm boolean,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	prev	decisions%ROWTYPE;
	evald	decisions%ROWTYPE;
	w	wagons%ROWTYPE;
	dec_id	bigint;
	queued	integer;
	pending	text;
BEGIN
	SELECT * INTO cur FROM trains WHERE id = p_train FOR UPDATE;
	SELECT * INTO prev FROM decisions WHERE train_id = p_train
	    ORDER BY id DESC LIMIT 1;
	IF prev.id IS DISTINCT FROM p_version OR cur.eval_needed OR
	    wagon_fingerprint(p_train) IS DISTINCT FROM p_fingerprint THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Decision changed',
		    'detail', 'train ' || cur.train_no || ' was re-evaluated or '
		    'a wagon resolved meanwhile; review the new decision and '
		    'approve again');
		RETURN;
	END IF;
	SELECT string_agg(x.number || ' (' || upper(x.proposed_action) ||
	    ', proposed by ' || x.proposed_by || ')', ', ' ORDER BY x.position)
	INTO pending FROM wagons x WHERE x.train_id = p_train
	    AND x.proposed_action IS NOT NULL AND p_approve AND (NOT p_confirm
	    OR p_role <> 'supervisor' OR x.proposed_by = p_principal);
	IF p_approve AND train_proposals_pending_text(p_train) IS NOT NULL THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Clearing awaiting '
		    'confirmation', 'detail', 'a train hit''s clearing needs a '
		    'second supervisor before the train is approved: ' ||
		    train_proposals_pending_text(p_train));
		RETURN;
	END IF;
	IF pending IS NOT NULL THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Override awaiting '
		    'confirmation', 'detail', 'overrides of the rules need a '
		    'second supervisor: wagon ' || pending);
		RETURN;
	END IF;
	-- Nothing leaves with a set-aside parcel on board: every path to a
	-- final decision (approval, four-eyes confirmation, automatic
	-- release, the amendment that releases a held wagon) comes here.
	-- The provisional document's list is read too, should the final
	-- one have dropped it.  After approval the final
	-- document (trains.decision, p_doc's base, and each amendment's)
	-- stands while new evidence is evaluated into the history only:
	-- the run's latest evaluation is what is set aside now -- a parcel
	-- on a set-out wagon set aside by a CT scan after the approval, a
	-- container unloaded since -- so its list is the one read, when it
	-- has one.
	SELECT * INTO evald FROM decisions d WHERE d.train_id = p_train
	    AND NOT d.final ORDER BY d.id DESC LIMIT 1;
	IF cur.decision_final AND json_typeof(evald.document->'parcels') =
	    'object' THEN
		pending := parcels_unload_pending(evald.document, p_wagons,
		    p_train);
	ELSE
		pending := coalesce(parcels_unload_pending(p_doc, p_wagons,
		    CASE WHEN cur.decision_final THEN p_train END),
		    parcels_unload_pending(cur.decision, p_wagons,
		    CASE WHEN cur.decision_final THEN p_train END));
	END IF;
	IF pending IS NOT NULL THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Parcels to unload',
		    'detail', 'train ' || cur.train_no || ' (run ' || cur.run ||
		    ') still carries set-aside parcels: post an unloaded event '
		    'for container ' || pending || ' (or resolve its parcels) '
		    'before the train is released; nothing was changed',
		    'train', cur.train_no, 'run', cur.run);
		RETURN;
	END IF;
	FOR w IN SELECT * FROM wagons WHERE wagons.train_id = p_train
	    AND proposed_action IS NOT NULL AND p_approve AND p_confirm
	    ORDER BY position LOOP
		PERFORM override_apply(cur, w, p_principal, p_reason, NULL);
	END LOOP;
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
	UPDATE wagons w2 SET action = x->>'action'
	FROM json_array_elements(p_wagons) AS x
	WHERE w2.train_id = p_train AND w2.position = (x->>'position')::int;
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
	outcome := 'done';
	reply := p_doc;
END
$$;
GRANT EXECUTE ON FUNCTION finalize_decision(bigint, bigint, json, text, json, text, text, text, boolean, text, boolean) TO railgate_app;

-- Drops w's override awaiting confirmation: the rules rose under it to
-- p_now.
CREATE OR REPLACE FUNCTION override_void(w wagons, p_now text, p_owner text,
    p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	INSERT INTO officer_actions (train_id, wagon, action, reason, principal,
	    role) VALUES (w.train_id, w.number, 'reject_' || w.proposed_action,
	    'the rules now say ' || p_now, p_owner, 'system');
	PERFORM audit_append(p_owner, 'wagon.override_void', w.train_id,
	    json_build_object('wagon', w.number, 'position', w.position,
	    'proposed', upper(w.proposed_action), 'proposed_by', w.proposed_by,
	    'rules_before', w.rules_action, 'rules_now', p_now)::text,
	    p_ruleset);
	UPDATE wagons SET proposed_action = NULL, proposed_by = NULL,
	    proposed_reason = NULL, proposed_at = NULL
	WHERE train_id = w.train_id AND position = w.position;
END
$$;

-- Takes w's resolution out of force: the rules rose above it, to p_now.
-- A set-out (p_suspend) waits in suspended_action for them to fall again.
CREATE OR REPLACE FUNCTION resolution_void(w wagons, p_now text, p_owner text,
    p_ruleset text, p_suspend boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	INSERT INTO officer_actions (train_id, wagon, action, reason, principal,
	    role) VALUES (w.train_id, w.number, 'void', 'the rules now say ' ||
	    p_now || ' (were ' || coalesce(w.resolved_rules, w.rules_action,
	    'none') || ' when ' || w.resolved_by || ' resolved ' ||
	    w.resolution || ')' || CASE WHEN p_suspend THEN '; the ' ||
	    w.resolution || ' comes back if they fall to it' ELSE '' END,
	    p_owner, 'system');
	PERFORM audit_append(p_owner, CASE WHEN p_suspend THEN
	    'wagon.resolution_suspended' ELSE 'wagon.resolution_void' END,
	    w.train_id, json_build_object('wagon', w.number, 'position',
	    w.position, 'resolution', upper(w.resolution), 'resolved_by',
	    w.resolved_by, 'rules_before', coalesce(w.resolved_rules,
	    w.rules_action), 'rules_now', p_now)::text, p_ruleset);
	UPDATE wagons SET resolution = NULL, resolved_by = NULL,
	    confirmed_by = NULL, resolved_rules = NULL,
	    suspended_action = CASE WHEN p_suspend THEN w.resolution END,
	    suspended_by = CASE WHEN p_suspend THEN w.resolved_by END
	WHERE train_id = w.train_id AND position = w.position;
END
$$;

-- Puts w's suspended set-out back in force: the rules fell to it or
-- below, to p_now.
CREATE OR REPLACE FUNCTION resolution_reinstate(w wagons, p_now text, p_owner text,
    p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	INSERT INTO officer_actions (train_id, wagon, action, reason, principal,
	    role) VALUES (w.train_id, w.number, w.suspended_action,
	    'reinstates ' || w.suspended_by || '''s ' || w.suspended_action ||
	    ': the rules now say ' || p_now, p_owner, 'system');
	PERFORM audit_append(p_owner, 'wagon.resolution_reinstated',
	    w.train_id, json_build_object('wagon', w.number, 'position',
	    w.position, 'resolution', upper(w.suspended_action),
	    'resolved_by', w.suspended_by, 'rules_now', p_now)::text,
	    p_ruleset);
	UPDATE wagons SET resolution = w.suspended_action,
	    resolved_by = w.suspended_by, confirmed_by = NULL,
	    resolved_rules = p_now, suspended_action = NULL,
	    suspended_by = NULL
	WHERE train_id = w.train_id AND position = w.position;
END
$$;

-- Goods on no wagon (021_goods_resolutions.sql): an officer says where
-- they are (located) or that the manifest was wrong to list them
-- (corrected).

-- Whether the train hit h (decision document JSON) is about the goods
-- (p_consignment, p_item; NULL item: the whole consignment): the same
-- consignment, and the same item or a hit on no item (decide_final()).
CREATE OR REPLACE FUNCTION goods_hit_is_about(h json, p_consignment text,
    p_item integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(h->'subject'->>'consignment' = p_consignment AND
	    (p_item IS NULL OR h->'subject'->>'item' IS NULL OR
	     (h->'subject'->>'item')::int = p_item), false)
$$;

-- The train hits of p_doc about the goods that no resolution in force of
-- p_train before p_before (an id; NULL: all) already takes: a located one
-- takes every hit about its goods, a corrected one those at DOC_CHECK or
-- below.  Each as {rule, action, item}.
CREATE OR REPLACE FUNCTION goods_open_hits(p_train bigint, p_doc json,
    p_consignment text, p_item integer, p_before bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('rule', h->>'rule',
	    'action', h->>'action', 'item', h->'subject'->'item')
	    ORDER BY n), '[]')
	FROM json_array_elements(p_doc->'train_hits') WITH ORDINALITY AS x(h, n)
	WHERE goods_hit_is_about(h, p_consignment, p_item)
	  AND NOT EXISTS (SELECT 1 FROM goods_resolutions g
	      WHERE g.train_id = p_train AND g.void_at IS NULL
		AND (p_before IS NULL OR g.id < p_before)
		AND goods_hit_is_about(h, g.consignment, g.item)
		AND (g.resolution = 'located' OR action_rank(h->>'action') <=
		    action_rank('DOC_CHECK')))
$$;

-- The most severe action of hits ({action} JSON array); NULL for none.
CREATE OR REPLACE FUNCTION hits_top_action(p_hits json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT h->>'action' FROM json_array_elements(p_hits) AS h
	ORDER BY action_rank(h->>'action') DESC LIMIT 1
$$;

-- The goods resolutions for the train's view, in force or not.
CREATE OR REPLACE FUNCTION goods_resolutions_view(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('consignment', g.consignment,
	    'item', g.item, 'resolution', g.resolution, 'wagon', g.wagon,
	    'position', g.position, 'hits_at', g.made_on, 'reason', g.reason,
	    'by', g.principal, 'role', g.role, 'confirmed_by', g.confirmed_by,
	    'at', to_char(g.at AT TIME ZONE
	    'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'in_force', g.void_at IS NULL,
	    'void_reason', g.void_reason) ORDER BY g.id), '[]')
	FROM goods_resolutions g WHERE g.train_id = p_train
$$;
GRANT EXECUTE ON FUNCTION goods_resolutions_view(bigint) TO railgate_app;

-- A goods resolution leaves force (p_why), with its story.
CREATE OR REPLACE FUNCTION goods_resolution_void(g goods_resolutions,
    p_why text, p_owner text, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE goods_resolutions SET void_at = now(), void_reason = p_why
	WHERE id = g.id;
	PERFORM audit_append(p_owner, 'goods.resolution_void', g.train_id,
	    json_build_object('consignment', g.consignment, 'item', g.item,
	    'resolution', g.resolution, 'wagon', g.wagon, 'resolved_by',
	    g.principal, 'why', p_why)::text, p_ruleset);
END
$$;

-- After a new evaluation (p_doc, of manifest p_manifest; p_wagons its
-- [{position, action}]): a goods resolution made on another manifest is
-- void (a replacement judges the goods again), so is a correction whose
-- goods now have a hit above what it was made on; a location still in
-- force raises its wagon to the goods' hits.  p_wagons so raised.  The
-- caller holds the train's row lock.
CREATE OR REPLACE FUNCTION goods_follow_rules(p_train bigint, p_owner text,
    p_doc json, p_wagons json, p_manifest bigint, p_ruleset text)
RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	g	goods_resolutions%ROWTYPE;
	top	text;
	raised	json := p_wagons;
BEGIN
	PERFORM train_proposals_follow_rules(p_train, p_owner, p_doc,
	    p_manifest, p_ruleset);
	FOR g IN SELECT * FROM goods_resolutions WHERE train_id = p_train
	    AND void_at IS NULL ORDER BY id LOOP
		top := hits_top_action(goods_open_hits(p_train, p_doc,
		    g.consignment, g.item, g.id));
		IF g.manifest_id <> p_manifest THEN
			PERFORM goods_resolution_void(g, 'replacement manifest',
			    p_owner, p_ruleset);
		ELSIF g.resolution = 'corrected' AND top IS NOT NULL AND
		    action_rank(top) > action_rank(g.made_on) THEN
			PERFORM goods_resolution_void(g, 'the rules now say ' ||
			    top || ' (were ' || g.made_on || ')', p_owner,
			    p_ruleset);
		ELSIF g.resolution = 'located' AND top IS NOT NULL THEN
			SELECT coalesce(json_agg(CASE WHEN (x->>'position')::int =
			    g.position AND action_rank(top) >
			    action_rank(x->>'action') THEN json_build_object(
			    'position', g.position, 'action', top) ELSE x END
			    ORDER BY n), '[]')
			INTO raised FROM json_array_elements(raised) WITH ORDINALITY AS y(x, n);
		END IF;
	END LOOP;
	RETURN raised;
END
$$;

-- A resolution of goods on no wagon; see the top of this part.  p_item
-- NULL: the whole consignment; p_wagon for located.  Lifting a train hit
-- lets a held train go, so it takes two supervisors (026): p_confirmer
-- NULL, it is only proposed (train_proposals), by a supervisor; else it
-- is the proposal of p_principal that p_confirmer confirms, and takes
-- effect.  The outcome (docs/storage.md): proposed, done, not_found (no
-- train, or no train hit about those goods), conflict (nothing to
-- resolve, already resolved or proposed, a correction of goods above
-- DOC_CHECK), invalid (no such wagon), forbidden (not a supervisor).
CREATE OR REPLACE FUNCTION goods_resolve_as(p_id text, p_consignment text,
    p_item integer, p_resolution text, p_wagon text, p_reason text,
    p_principal text, p_role text, p_ruleset text, p_confirmer text,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	goods	text := 'consignment ' || p_consignment || coalesce(' item ' ||
		    p_item, '');
	hits	json;
	top	text;
	made	text;
	now_at	text;
	pid	bigint;
	other	train_proposals%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	IF cur.decision IS NULL OR cur.state = 'cancelled' OR cur.eval_needed
	THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Nothing to resolve', 'detail',
		    'train ' || cur.train_no || CASE WHEN cur.state = 'cancelled'
		    THEN ' has been cancelled' WHEN cur.decision IS NULL THEN
		    ' has no decision yet' ELSE ' is being evaluated again; '
		    'resolve the goods on the new decision' END);
		RETURN;
	END IF;
	-- An item named is goods on no wagon with a hit of its own: a hit on
	-- the whole consignment is not one (item 7 of a consignment of two
	-- took the consignment's hits).
	IF NOT EXISTS (SELECT 1 FROM json_array_elements(cur.decision->'train_hits')
	    AS h WHERE goods_hit_is_about(h, p_consignment, p_item) AND
	    (p_item IS NULL OR (h->'subject'->>'item')::int = p_item)) THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'No such goods hit', 'detail',
		    'train ' || cur.train_no || ' has no train hit about ' ||
		    goods || ': only goods on no wagon with a hit are resolved '
		    'this way');
		RETURN;
	END IF;
	hits := goods_open_hits(cur.id, cur.decision, p_consignment, p_item,
	    NULL);
	top := hits_top_action(hits);
	IF top IS NULL THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Already resolved', 'detail',
		    'every train hit about ' || goods || ' of train ' ||
		    cur.train_no || ' is resolved already');
		RETURN;
	END IF;
	IF p_resolution = 'corrected' AND action_rank(top) >
	    action_rank('DOC_CHECK') THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Goods must be located',
		    'detail', goods || ' has a hit at ' || top || ' (' ||
		    (SELECT string_agg(h->>'rule' || ' ' || (h->>'action'), ', ')
		     FROM json_array_elements(hits) AS h WHERE
		     action_rank(h->>'action') > action_rank('DOC_CHECK')) ||
		    '): goods at INSPECT, HOLD or REFUSE are located on a '
		    'wagon, not corrected away');
		RETURN;
	END IF;
	IF p_resolution = 'located' THEN
		SELECT * INTO w FROM wagons WHERE train_id = cur.id AND
		    number = p_wagon ORDER BY position LIMIT 1 FOR UPDATE;
		IF NOT FOUND THEN
			outcome := 'invalid';
			reply := json_build_object('title', 'Unknown wagon',
			    'detail', 'train ' || cur.train_no || ' (run ' ||
			    cur.run || ') has no wagon ' || coalesce(p_wagon,
			    '(none given)'));
			RETURN;
		END IF;
	END IF;
	IF p_confirmer IS NULL THEN
		IF p_role <> 'supervisor' THEN
			outcome := 'forbidden';
			reply := json_build_object('title', 'Supervisor needed',
			    'detail', 'the train hits about ' || goods || ' hold '
			    'train ' || cur.train_no || ': clearing them is a '
			    'supervisor''s proposal, confirmed by a second '
			    'supervisor');
			RETURN;
		END IF;
		SELECT * INTO other FROM train_proposals x WHERE x.train_id =
		    cur.id AND x.state = 'pending' AND x.kind = 'goods' AND
		    x.consignment = p_consignment AND (x.item IS NULL OR p_item
		    IS NULL OR x.item = p_item) ORDER BY x.id LIMIT 1;
		IF FOUND THEN
			outcome := 'conflict';
			reply := json_build_object('title', 'Proposal awaiting '
			    'confirmation', 'detail', other.proposed_by ||
			    ' proposed ' || other.resolution || ' for ' || goods ||
			    ' (proposal ' || other.id || '); another supervisor '
			    'confirms or rejects it first');
			RETURN;
		END IF;
		INSERT INTO train_proposals (train_id, manifest_id, kind,
		    consignment, item, resolution, wagon, made_on, reason,
		    proposed_by)
		VALUES (cur.id, cur.manifest_id, 'goods', p_consignment, p_item,
		    p_resolution, w.number, top, p_reason, p_principal)
		RETURNING id INTO pid;
		UPDATE trains SET updated_at = now() WHERE id = cur.id;
		PERFORM audit_append(p_principal, 'clearing.proposed', cur.id,
		    json_build_object('proposal', pid, 'kind', 'goods',
		    'consignment', p_consignment, 'item', p_item, 'resolution',
		    p_resolution, 'wagon', w.number, 'hits', hits, 'reason',
		    p_reason, 'role', p_role)::text,
		    coalesce(cur.ruleset_sha256, p_ruleset));
		outcome := 'proposed';
		reply := json_build_object('train', cur.train_no, 'run', cur.run,
		    'proposal', pid, 'kind', 'goods', 'consignment',
		    p_consignment, 'item', p_item, 'resolution', p_resolution,
		    'wagon', w.number, 'position', w.position, 'hits', hits,
		    'action', top, 'proposed_by', p_principal, 'final',
		    cur.decision_final, 'detail', 'the train hits about ' ||
		    goods || ' hold the train: the ' || p_resolution ||
		    ' waits for a second supervisor to confirm it');
		RETURN;
	END IF;
	IF p_resolution = 'located' THEN
		-- The wagon now carries the goods: what officers did on it
		-- before follows the raised action, as after new evidence.
		made := coalesce(w.rules_action, w.action, 'RELEASE');
		now_at := CASE WHEN action_rank(top) > action_rank(made) THEN top
		    ELSE made END;
		IF now_at IS DISTINCT FROM made THEN
			PERFORM resolutions_follow_rules(cur.id, p_principal,
			    json_build_array(json_build_object('position',
			    w.position, 'action', now_at)),
			    coalesce(cur.ruleset_sha256, p_ruleset));
		END IF;
		UPDATE wagons SET rules_action = now_at, action = CASE WHEN
		    action_rank(top) > action_rank(coalesce(action, 'RELEASE'))
		    THEN top ELSE action END
		WHERE train_id = cur.id AND position = w.position;
	END IF;
	INSERT INTO goods_resolutions (train_id, manifest_id, consignment, item,
	    resolution, wagon, position, made_on, reason, principal, role,
	    confirmed_by)
	VALUES (cur.id, cur.manifest_id, p_consignment, p_item, p_resolution,
	    w.number, w.position, top, p_reason, p_principal, p_role,
	    p_confirmer);
	UPDATE trains SET updated_at = now() WHERE id = cur.id;
	PERFORM audit_append(p_principal, 'goods.' || p_resolution, cur.id,
	    json_build_object('consignment', p_consignment, 'item', p_item,
	    'wagon', w.number, 'position', w.position, 'hits', hits, 'reason',
	    p_reason, 'role', p_role, 'confirmed_by', p_confirmer)::text,
	    coalesce(cur.ruleset_sha256, p_ruleset));
	outcome := 'done';
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'consignment', p_consignment, 'item', p_item, 'resolution',
	    p_resolution, 'wagon', w.number, 'position', w.position, 'hits',
	    hits, 'action', top, 'final', cur.decision_final);
END
$$;

-- An officer's resolution of goods on no wagon, as the API asks it: a
-- supervisor's proposal (goods_resolve_as()).
CREATE OR REPLACE FUNCTION resolve_goods(p_id text, p_consignment text,
    p_item integer, p_resolution text, p_wagon text, p_reason text,
    p_principal text, p_role text, p_ruleset text,
    OUT outcome text, OUT reply json)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	SELECT * FROM goods_resolve_as(p_id, p_consignment, p_item,
	    p_resolution, p_wagon, p_reason, p_principal, p_role, p_ruleset,
	    NULL)
$$;
GRANT EXECUTE ON FUNCTION resolve_goods(text, text, integer, text, text, text, text, text, text) TO railgate_app;
