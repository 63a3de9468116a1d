-- 016_four_eyes.sql -- overrides take two people (issue 15).
--
-- The order of severity is REFUSE > HOLD > INSPECT > DOC_CHECK > AUDIT >
-- RELEASE.  Any move down that order from a wagon at HOLD or REFUSE is an
-- override:
--   * only a supervisor may make it, and never anyone who set the wagon
--     out (wagons.set_out_by: everyone who put or kept it at HOLD or
--     REFUSE since it last left that level);
--   * an override that takes a wagon below what the rules themselves said
--     (the rules put it at HOLD or REFUSE) is only proposed: it changes
--     nothing until a second, different supervisor confirms it -- by
--     confirming the proposal, or by approving the train.  Approval is
--     refused while a proposal waits.
-- A resolution made on older evidence does not outlive it: when a new
-- evaluation raises a wagon's rules action above what the rules said when
-- the resolution was made, a release or inspection below the new action
-- is void, and a pending proposal with it.  An officer's HOLD or REFUSE
-- overtaken that way is only suspended: the rules' more severe action
-- stands while they say it, and the officer's set-out comes back when
-- they fall to it or below -- new evidence never lifts a person's hold.
-- Nor can a later manifest lift a set-out (wagons_rebuild() here, used by
-- ingest_manifest() in 018).
--
-- officer_actions keeps the story: 'release' | 'inspect' | 'hold' |
-- 'refuse' are resolutions that took effect (a confirmed override is one,
-- by its proposer, with confirmed_by naming the second supervisor);
-- 'propose_<action>' and 'reject_<action>' are proposals and their
-- rejection; 'void' is a resolution that new evidence (or a replacement
-- manifest) took out of force.  Rows of role 'system' are the daemon's:
-- a void, a set-out reinstated, a re-declared wagon resolved 'inspect'.
-- The auditor's replay reads the resolutions that took effect and the
-- voids, whoever made them.

ALTER TABLE wagons
	ADD COLUMN rules_action text,		-- the evaluation's action
	ADD COLUMN set_out_by text[] NOT NULL DEFAULT '{}',
	ADD COLUMN confirmed_by text,		-- the resolution's second supervisor
	ADD COLUMN resolved_rules text,		-- the rules' action it was made on
	ADD COLUMN suspended_action text,	-- a set-out the rules overtook
	ADD COLUMN suspended_by text,
	ADD COLUMN redeclared_from text,	-- rules' set-out before a replacement
	ADD COLUMN proposed_action text,	-- an override awaiting confirmation
	ADD COLUMN proposed_by text,
	ADD COLUMN proposed_reason text,
	ADD COLUMN proposed_at timestamptz;

ALTER TABLE officer_actions ADD COLUMN confirmed_by text;

-- What the rules said, for the wagons decided before this migration: the
-- latest provisional decision's action (wagons.action was overwritten by
-- approval).
UPDATE wagons w SET rules_action = coalesce((SELECT x->>'action'
	FROM decisions d, json_array_elements(d.document->'wagons') x
	WHERE d.train_id = w.train_id AND NOT d.final
	  AND (x->>'position')::int = w.position
	ORDER BY d.id DESC LIMIT 1), w.action);
-- Whoever set a wagon out by a resolution still in force.
UPDATE wagons SET set_out_by = ARRAY[resolved_by]
WHERE resolution IN ('hold', 'refuse') AND resolved_by IS NOT NULL;

DROP FUNCTION wagon_set_out_by(wagons);

-- An action's place in the order of severity; anything unknown counts as
-- the most severe, so that it is never taken for a release.
CREATE FUNCTION action_rank(p_action text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE upper(p_action) WHEN 'RELEASE' THEN 0 WHEN 'AUDIT' THEN 1
	    WHEN 'DOC_CHECK' THEN 2 WHEN 'INSPECT' THEN 3 WHEN 'HOLD' THEN 4
	    ELSE 5 END
$$;

-- A wagon's action now: its resolution in force, else the decision's.
CREATE FUNCTION wagon_current(w wagons) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(upper(w.resolution), w.action)
$$;

-- The resolutions in force, as approval applies them: [{position, action}];
-- p_proposed: with the overrides awaiting confirmation as if confirmed.
CREATE FUNCTION wagon_resolutions(p_train bigint, p_proposed boolean)
RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('position', w.position,
	    'action', upper(CASE WHEN p_proposed AND w.proposed_action IS NOT
		NULL THEN w.proposed_action ELSE w.resolution END))
	    ORDER BY w.position), '[]')
	FROM wagons w WHERE w.train_id = p_train AND (w.resolution IS NOT NULL
	    OR (p_proposed AND w.proposed_action IS NOT NULL))
$$;

-- The overrides awaiting confirmation: [{position, wagon, action, by,
-- reason}].
CREATE FUNCTION wagon_proposals(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('position', w.position,
	    'wagon', w.number, 'action', upper(w.proposed_action),
	    'by', w.proposed_by, 'reason', w.proposed_reason)
	    ORDER BY w.position), '[]')
	FROM wagons w WHERE w.train_id = p_train AND w.proposed_action IS NOT NULL
$$;

-- What a final decision is built on besides the document, as one text: an
-- approval stores its decision only if this did not change meanwhile.
CREATE FUNCTION wagon_fingerprint(p_train bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT md5(wagon_resolutions(p_train, false)::text || '|' ||
	    wagon_proposals(p_train)::text)
$$;

-- An officer's resolution of one wagon: release (after a document check or
-- an inspection), inspect, hold or refuse.  See the top of this file for
-- overrides.  200: recorded; 202: an override proposed, awaiting a second
-- supervisor.
CREATE OR REPLACE FUNCTION resolve_wagon(p_id text, p_wagon text,
    p_action text, p_reason text, p_principal text, p_role text,
    p_ruleset text, OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	was	text;
	down	boolean;
	propose	boolean;
	setters	text[];
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
	IF w.proposed_action IS NOT NULL THEN
		http_status := 409;
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
		http_status := 403;
		reply := json_build_object('title', 'Supervisor needed',
		    'detail', 'wagon ' || p_wagon || ' is at ' || was ||
		    ': moving it to ' || upper(p_action) || ' is a '
		    'supervisor''s override');
		RETURN;
	END IF;
	IF down AND p_principal = ANY (w.set_out_by) THEN
		http_status := 403;
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
		http_status := 202;
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
	PERFORM audit_append(p_principal, 'wagon.' || p_action, cur.id,
	    json_build_object('wagon', p_wagon, 'position', w.position,
	    'from', was, 'reason', p_reason, 'role', p_role, 'override',
	    down)::text, coalesce(cur.ruleset_sha256, p_ruleset));
	http_status := 200;
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'wagon', p_wagon, 'position', w.position, 'action', upper(p_action),
	    'previous', was, 'final', cur.decision_final);
END
$$;

-- A second supervisor confirms (p_confirm) or any supervisor rejects an
-- override awaiting confirmation.  The proposer may withdraw (reject) a
-- proposal but never confirm it.
CREATE FUNCTION decide_override(p_id text, p_wagon text, p_confirm boolean,
    p_reason text, p_principal text, p_role text, p_ruleset text,
    OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	verb	text := CASE WHEN p_confirm THEN 'confirm' ELSE 'reject' END;
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
	IF w.proposed_action IS NULL THEN
		http_status := 409;
		reply := json_build_object('title', 'No override to ' || verb,
		    'detail', 'no override of wagon ' || p_wagon || ' of train '
		    || cur.train_no || ' awaits confirmation');
		RETURN;
	END IF;
	IF p_role <> 'supervisor' THEN
		http_status := 403;
		reply := json_build_object('title', 'Supervisor needed',
		    'detail', 'only a supervisor may ' || verb ||
		    ' an override');
		RETURN;
	END IF;
	IF p_confirm AND p_principal = w.proposed_by THEN
		http_status := 403;
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
	http_status := 200;
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'wagon', p_wagon, 'position', w.position, 'action', CASE WHEN
	    p_confirm THEN upper(w.proposed_action) ELSE wagon_current(w) END,
	    'proposed', upper(w.proposed_action), 'proposed_by', w.proposed_by,
	    (CASE WHEN p_confirm THEN 'confirmed_by' ELSE 'rejected_by' END),
	    p_principal, 'final', cur.decision_final);
END
$$;

-- Makes w's proposed override the wagon's resolution, confirmed by
-- p_confirmer.  The caller holds the train's row lock.
CREATE FUNCTION override_apply(cur trains, w wagons, p_confirmer text,
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

-- What approval builds the final decision from: the current document, its
-- version (the latest decision's id), the resolutions in force (and with
-- the overrides awaiting confirmation, for an approval that confirms
-- them), those overrides, and the fingerprint of resolutions and
-- overrides.
DROP FUNCTION final_inputs(text);
CREATE FUNCTION final_inputs(p_id text, OUT train_id bigint,
    OUT version bigint, OUT document text, OUT resolutions json,
    OUT state text, OUT eval_needed boolean, OUT proposals json,
    OUT fingerprint text, OUT resolutions_proposed json)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT t.id, (SELECT max(d.id) FROM decisions d WHERE d.train_id = t.id),
	    t.decision::text, wagon_resolutions(t.id, false), t.state,
	    t.eval_needed, wagon_proposals(t.id), wagon_fingerprint(t.id),
	    wagon_resolutions(t.id, true)
	FROM train_find(p_id) t
$$;

-- Stores the final decision built from version and the wagons as
-- fingerprinted; 409 when either changed meanwhile (an event re-evaluated
-- the train, a resolution was made).  An approval (p_approve) is refused
-- while an override awaits confirmation, unless p_confirm: the approver
-- confirms them (the daemon built the document with them), which only a
-- supervisor who proposed none of them may.  An amendment (a resolution
-- after approval) applies the resolutions in force and leaves proposals
-- waiting.
DROP FUNCTION finalize_decision(bigint, bigint, json, text, json, text, text,
    text, boolean);
CREATE FUNCTION finalize_decision(p_train bigint, p_version bigint,
    p_doc json, p_outcome text, p_wagons json, p_principal text, p_role text,
    p_reason text, p_approve boolean, p_fingerprint text, p_confirm boolean,
    OUT http_status integer, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	prev	decisions%ROWTYPE;
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
		http_status := 409;
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
	IF pending IS NOT NULL THEN
		http_status := 403;
		reply := json_build_object('title', 'Override awaiting '
		    'confirmation', 'detail', 'overrides of the rules need a '
		    'second supervisor: wagon ' || pending);
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
	http_status := 200;
	reply := p_doc;
END
$$;

-- What officers did on older evidence, after a new evaluation (p_wagons,
-- the new [{position, action}]): see the top of this file.  A resolution
-- is judged against the rules' action it was made on (resolved_rules); a
-- proposal against the rules' action before this evaluation.  Each step
-- leaves an officer_actions row the auditor's replay reads ('void', or
-- the action reinstated).  The caller holds the train's row lock.
CREATE FUNCTION resolutions_follow_rules(p_train bigint, p_owner text,
    p_wagons json, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	r	record;
	w	wagons%ROWTYPE;
	made_on	text;
BEGIN
	FOR r IN SELECT wg AS wagon, x->>'action' AS now_action
	    FROM wagons wg JOIN json_array_elements(p_wagons) AS x
		ON wg.position = (x->>'position')::int
	    WHERE wg.train_id = p_train AND (wg.resolution IS NOT NULL OR
		wg.proposed_action IS NOT NULL OR
		wg.suspended_action IS NOT NULL)
	    ORDER BY wg.position LOOP
		w := r.wagon;
		made_on := coalesce(w.resolved_rules, w.rules_action, 'RELEASE');
		IF w.proposed_action IS NOT NULL AND action_rank(r.now_action) >
		    action_rank(coalesce(w.rules_action, 'RELEASE')) THEN
			PERFORM override_void(w, r.now_action, p_owner,
			    p_ruleset);
		END IF;
		IF w.resolution IS NOT NULL AND action_rank(r.now_action) >
		    action_rank(made_on) AND action_rank(w.resolution) <
		    action_rank(r.now_action) THEN
			PERFORM resolution_void(w, r.now_action, p_owner,
			    p_ruleset, w.resolution IN ('hold', 'refuse'));
		ELSIF w.suspended_action IS NOT NULL AND
		    action_rank(r.now_action) <=
		    action_rank(w.suspended_action) THEN
			PERFORM resolution_reinstate(w, r.now_action, p_owner,
			    p_ruleset);
		END IF;
	END LOOP;
END
$$;

-- Drops w's override awaiting confirmation: the rules rose under it to
-- p_now.
CREATE FUNCTION override_void(w wagons, p_now text, p_owner text,
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
CREATE FUNCTION resolution_void(w wagons, p_now text, p_owner text,
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
CREATE FUNCTION resolution_reinstate(w wagons, p_now text, p_owner text,
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

-- A wagon the rules set out at HOLD or REFUSE and a replacement declared
-- again (the same number, new goods or papers) is not released by the
-- replacement alone: if the rules now say less than INSPECT, the wagon is
-- resolved INSPECT by the daemon, so that an officer looks at what the
-- railway now declares before releasing it (re-declaring refused goods
-- as harmless ones is the oldest trick there is).  A corrected document
-- still clears a hold, through one officer's inspection and release.
-- Called with the train's row lock, after the wagons take the rules'
-- new actions.
CREATE FUNCTION redeclared_inspect(p_train bigint, p_owner text,
    p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	w	wagons%ROWTYPE;
BEGIN
	FOR w IN SELECT * FROM wagons WHERE train_id = p_train
	    AND redeclared_from IS NOT NULL AND resolution IS NULL
	    AND action_rank(rules_action) < action_rank('INSPECT')
	    ORDER BY position LOOP
		INSERT INTO officer_actions (train_id, wagon, action, reason,
		    principal, role) VALUES (p_train, w.number, 'inspect',
		    'declared again by a replacement manifest after the rules '
		    'set the wagon out at ' || w.redeclared_from || '; the rules '
		    'now say ' || w.rules_action, p_owner, 'system');
		PERFORM audit_append(p_owner, 'wagon.redeclared', p_train,
		    json_build_object('wagon', w.number, 'position', w.position,
		    'rules_before', w.redeclared_from, 'rules_now',
		    w.rules_action, 'resolution', 'INSPECT')::text, p_ruleset);
		UPDATE wagons SET resolution = 'inspect', resolved_by = p_owner,
		    resolved_rules = w.rules_action
		WHERE train_id = p_train AND position = w.position;
	END LOOP;
	UPDATE wagons SET redeclared_from = NULL
	WHERE train_id = p_train AND redeclared_from IS NOT NULL;
END
$$;

-- store_decision() of 006, now keeping the rules' action of each wagon,
-- what officers did following the rules (resolutions_follow_rules()),
-- and a re-declared wagon inspected (redeclared_inspect()).
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
	PERFORM resolutions_follow_rules(p_train, p_owner, p_wagons, p_ruleset);
	UPDATE wagons w SET action = x->>'action', rules_action = x->>'action'
	FROM json_array_elements(p_wagons) AS x
	WHERE w.train_id = p_train AND w.position = (x->>'position')::int;
	PERFORM redeclared_inspect(p_train, p_owner, p_ruleset);
	PERFORM audit_append(p_owner, 'decision.provisional', p_train,
	    json_build_object('outcome', p_outcome, 'ruleset', p_ruleset_name,
	    'manifest', p_manifest, 'last_event', p_last_event)::text, p_ruleset);
	RETURN 'stored';
END
$$;

-- A later manifest must not lift what customs set out.  Before 016 a
-- replacement deleted the wagons and their resolutions, so an operator
-- could undo an officer's hold by sending the manifest again, or make a
-- set-out wagon vanish by leaving it out.  Now (ingest_manifest() of 018,
-- which also refuses a manifest that leaves out a set-out wagon) an
-- officer's HOLD or REFUSE, with who set the wagon out, stays on the
-- wagon of the same number; any other resolution, and any override
-- awaiting confirmation, is dropped (the new contents need a new look),
-- recorded as 'void' so that the auditor's replay drops it too.  A wagon
-- the rules set out is remembered (redeclared_from) for
-- redeclared_inspect().

-- The train's wagons made again from p_wagons (the manifest's), keeping
-- the officers' set-outs of the wagons of the same number.  The caller
-- holds the train's row lock.
CREATE FUNCTION wagons_rebuild(p_train bigint, p_wagons json,
    p_principal text, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	kept	json;
	r	wagons%ROWTYPE;
BEGIN
	SELECT json_agg(json_build_object('number', w.number, 'resolution',
	    CASE WHEN w.resolution IN ('hold', 'refuse') THEN w.resolution END,
	    'resolved_by', CASE WHEN w.resolution IN ('hold', 'refuse') THEN
	    w.resolved_by END, 'confirmed_by', CASE WHEN w.resolution IN
	    ('hold', 'refuse') THEN w.confirmed_by END, 'resolved_rules', CASE
	    WHEN w.resolution IN ('hold', 'refuse') THEN w.resolved_rules END,
	    'suspended_action', w.suspended_action, 'suspended_by',
	    w.suspended_by, 'set_out_by', to_json(w.set_out_by),
	    'redeclared_from', coalesce(w.redeclared_from, CASE WHEN
	    action_rank(w.rules_action) >= action_rank('HOLD') THEN
	    w.rules_action END)))
	INTO kept FROM wagons w WHERE w.train_id = p_train
	  AND (w.resolution IN ('hold', 'refuse') OR
	       w.suspended_action IS NOT NULL OR
	       cardinality(w.set_out_by) > 0 OR
	       w.redeclared_from IS NOT NULL OR
	       action_rank(w.rules_action) >= action_rank('HOLD'));
	FOR r IN SELECT * FROM wagons w WHERE w.train_id = p_train
	    AND ((w.resolution IS NOT NULL AND w.resolution NOT IN ('hold',
		'refuse')) OR w.proposed_action IS NOT NULL)
	    ORDER BY w.position LOOP
		IF r.resolution IS NOT NULL AND r.resolution NOT IN ('hold',
		    'refuse') THEN
			INSERT INTO officer_actions (train_id, wagon, action,
			    reason, principal, role) VALUES (p_train, r.number,
			    'void', 'replacement manifest', p_principal,
			    'system');
		END IF;
		PERFORM audit_append(p_principal, 'wagon.resolution_dropped',
		    p_train, json_build_object('wagon', r.number, 'position',
		    r.position, 'resolution', upper(r.resolution),
		    'resolved_by', r.resolved_by, 'proposed',
		    upper(r.proposed_action), 'proposed_by', r.proposed_by,
		    'why', 'replacement manifest')::text, p_ruleset);
	END LOOP;
	DELETE FROM wagons WHERE wagons.train_id = p_train;
	INSERT INTO wagons (train_id, position, number, containers,
	    container_numbers, items)
	SELECT p_train, (w->>'position')::int, w->>'number',
	    json_array_length(w->'containers'),
	    ARRAY(SELECT json_array_elements_text(w->'containers')),
	    (w->>'items')::int
	FROM json_array_elements(p_wagons) AS w;
	UPDATE wagons w SET resolution = k->>'resolution',
	    resolved_by = k->>'resolved_by', confirmed_by = k->>'confirmed_by',
	    resolved_rules = k->>'resolved_rules',
	    suspended_action = k->>'suspended_action',
	    suspended_by = k->>'suspended_by',
	    redeclared_from = k->>'redeclared_from',
	    set_out_by = ARRAY(SELECT json_array_elements_text(k->'set_out_by'))
	FROM json_array_elements(kept) AS k
	WHERE w.train_id = p_train AND w.number = k->>'number';
END
$$;

GRANT EXECUTE ON FUNCTION action_rank(text), wagon_current(wagons),
    wagon_resolutions(bigint, boolean), wagon_proposals(bigint),
    wagon_fingerprint(bigint), decide_override(text, text, boolean, text,
    text, text, text), final_inputs(text), finalize_decision(bigint, bigint,
    json, text, json, text, text, text, boolean, text, boolean)
    TO railgate_app;
