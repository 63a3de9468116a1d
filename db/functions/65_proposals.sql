-- 65_proposals.sql -- four eyes on train hits (026_train_four_eyes.sql):
-- a supervisor's proposal to clear one is confirmed or rejected by
-- another; the list of what waits for a second supervisor, across trains.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- A time as the API writes it.
CREATE OR REPLACE FUNCTION proposal_time(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- What proposal p would clear, in words ("located consignment C8 item 2
-- on wagon 3152...").
CREATE OR REPLACE FUNCTION proposal_what(p train_proposals) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE p.kind WHEN 'goods' THEN p.resolution || ' consignment ' ||
	    p.consignment || coalesce(' item ' || p.item, '') ||
	    coalesce(' on wagon ' || p.wagon, '')
	    ELSE 'cleared ' || coalesce(p.rule, '?') END
$$;

-- The pending clearings of p_train in words, NULL for none.
CREATE OR REPLACE FUNCTION train_proposals_pending_text(p_train bigint)
RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT string_agg('proposal ' || p.id || ' (' || proposal_what(p) ||
	    ', proposed by ' || p.proposed_by || ')', ', ' ORDER BY p.id)
	FROM train_proposals p WHERE p.train_id = p_train AND
	    p.state = 'pending'
$$;

-- One train proposal for the API.
CREATE OR REPLACE FUNCTION proposal_json(p train_proposals, t trains)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object('id', p.id,
	    'kind', p.kind, 'train', t.train_no, 'run', t.run,
	    'what', proposal_what(p), 'consignment', p.consignment,
	    'item', p.item, 'resolution', p.resolution, 'wagon', p.wagon,
	    'rule', p.rule, 'action', p.made_on, 'proposed_by', p.proposed_by,
	    'reason', p.reason, 'at', proposal_time(p.proposed_at),
	    'state', p.state, 'decided_by', p.decided_by,
	    'decided_reason', p.decided_reason,
	    'decided_at', proposal_time(p.decided_at),
	    'confirmed_by', CASE WHEN p.state = 'confirmed' THEN p.decided_by
		END,
	    'path', '/v1/trains/' || t.train_no || '@' || t.run ||
		'/proposals/' || p.id))
$$;

-- Every proposal of p_train, in any state, oldest first.
CREATE OR REPLACE FUNCTION train_proposals_view(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(proposal_json(p, t) ORDER BY p.id), '[]')
	FROM train_proposals p JOIN trains t ON t.id = p.train_id
	WHERE p.train_id = p_train
$$;
GRANT EXECUTE ON FUNCTION train_proposals_view(bigint) TO railgate_app;

-- What waits for a second supervisor, across trains, oldest first:
-- wagon overrides (016) and train hits' clearings (026).  Each names its
-- train and run, what, proposed_by, reason, at, and the path to confirm
-- or reject it (path + "/confirm", "/reject"); "mine" when p_principal
-- (who asks) proposed it: theirs to withdraw, never to confirm.
CREATE OR REPLACE FUNCTION proposals_pending(p_principal text) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(x.j || jsonb_build_object('mine',
	    x.j->>'proposed_by' = p_principal) ORDER BY x.at, x.k), '[]')
	FROM (
	    SELECT w.proposed_at AS at, 'w' || w.train_id || '/' ||
		w.position AS k, jsonb_strip_nulls(jsonb_build_object(
		'kind', 'wagon', 'train', t.train_no, 'run', t.run,
		'wagon', w.number, 'position', w.position,
		'what', lower(w.proposed_action) || ' wagon ' || w.number ||
		    ' (the rules: ' || coalesce(w.rules_action, '?') || ')',
		'action', upper(w.proposed_action), 'rules_action',
		w.rules_action, 'proposed_by', w.proposed_by,
		'reason', w.proposed_reason, 'at', proposal_time(w.proposed_at),
		'state', 'pending', 'path', '/v1/trains/' || t.train_no || '@' ||
		    t.run || '/wagons/' || w.number || '/override')) AS j
	    FROM wagons w JOIN trains t ON t.id = w.train_id
	    WHERE w.proposed_action IS NOT NULL
	    UNION ALL
	    SELECT p.proposed_at, 'p' || lpad(p.id::text, 20, '0'),
		proposal_json(p, t)
	    FROM train_proposals p JOIN trains t ON t.id = p.train_id
	    WHERE p.state = 'pending') x
$$;
GRANT EXECUTE ON FUNCTION proposals_pending(text) TO railgate_app;

-- Ends proposal p (the caller holds its train's row lock) as p_state by
-- p_by, with the audit record p_action.
CREATE OR REPLACE FUNCTION train_proposal_end(p train_proposals, p_state text,
    p_by text, p_reason text, p_action text, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE train_proposals SET state = p_state, decided_by = p_by,
	    decided_reason = p_reason, decided_at = now()
	WHERE id = p.id;
	UPDATE trains SET updated_at = now() WHERE id = p.train_id;
	PERFORM audit_append(p_by, p_action, p.train_id, json_build_object(
	    'proposal', p.id, 'kind', p.kind, 'what', proposal_what(p),
	    'consignment', p.consignment, 'item', p.item, 'resolution',
	    p.resolution, 'wagon', p.wagon, 'rule', p.rule, 'proposed_by',
	    p.proposed_by, 'proposal_reason', p.reason, 'reason',
	    p_reason)::text, p_ruleset);
END
$$;

-- After a new evaluation of p_train (p_doc, of manifest p_manifest): a
-- pending clearing made on another manifest, or whose goods' hits are no
-- longer what it was made on, is void -- the supervisors look again.
-- The caller holds the train's row lock.
CREATE OR REPLACE FUNCTION train_proposals_follow_rules(p_train bigint,
    p_owner text, p_doc json, p_manifest bigint, p_ruleset text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	p	train_proposals%ROWTYPE;
	top	text;
BEGIN
	FOR p IN SELECT * FROM train_proposals WHERE train_id = p_train AND
	    state = 'pending' ORDER BY id LOOP
		top := CASE WHEN p.kind = 'goods' THEN hits_top_action(
		    goods_open_hits(p_train, p_doc, p.consignment, p.item,
		    NULL)) ELSE hits_top_action(rule_train_hits(p_doc,
		    p.rule)) END;
		IF p.manifest_id <> p_manifest THEN
			PERFORM train_proposal_end(p, 'void', p_owner,
			    'replacement manifest', 'clearing.void', p_ruleset);
		ELSIF p.kind = 'hit' AND rule_hits_md5(rule_train_hits(p_doc,
		    p.rule)) IS DISTINCT FROM p.made_hits THEN
			PERFORM train_proposal_end(p, 'void', p_owner,
			    'the hits of ' || p.rule || ' changed', 'clearing.void',
			    p_ruleset);
		ELSIF top IS DISTINCT FROM p.made_on THEN
			PERFORM train_proposal_end(p, 'void', p_owner,
			    'the rules now say ' || coalesce(top, 'nothing') ||
			    ' (were ' || p.made_on || ')', 'clearing.void',
			    p_ruleset);
		END IF;
	END LOOP;
	PERFORM hit_clearances_follow_rules(p_train, p_owner, p_doc,
	    p_manifest, p_ruleset);
END
$$;

-- A second supervisor confirms (p_confirm) or a supervisor rejects the
-- clearing p_proposal of train p_id awaiting confirmation; its proposer
-- may withdraw it (reject) but never confirm it.  A confirmation applies
-- it as its proposer's, with the checks of the moment (the goods may have
-- been resolved meanwhile).  The outcome: done, not_found (no train, no
-- such proposal of that train), conflict (decided already, the decision
-- changed), forbidden (not a supervisor, the proposer).  Nothing changes
-- unless done.
CREATE OR REPLACE FUNCTION decide_proposal(p_id text, p_proposal bigint,
    p_confirm boolean, p_reason text, p_principal text, p_role text,
    p_ruleset text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	p	train_proposals%ROWTYPE;
	verb	text := CASE WHEN p_confirm THEN 'confirm' ELSE 'reject' END;
	applied	record;
	top	text;
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	SELECT * INTO p FROM train_proposals WHERE id = p_proposal AND
	    train_id = cur.id FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Unknown proposal',
		    'detail', 'train ' || cur.train_no || ' (run ' || cur.run ||
		    ') has no proposal ' || p_proposal);
		RETURN;
	END IF;
	IF p_role <> 'supervisor' THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Supervisor needed',
		    'detail', 'only a supervisor may ' || verb ||
		    ' a proposal');
		RETURN;
	END IF;
	IF p.state <> 'pending' THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'No proposal to ' || verb,
		    'detail', 'proposal ' || p.id || ' (' || proposal_what(p) ||
		    ') was ' || p.state || CASE WHEN p.decided_by IS NULL
		    THEN '' ELSE ' by ' || p.decided_by END || ' already');
		RETURN;
	END IF;
	IF p_confirm AND p_principal = p.proposed_by THEN
		outcome := 'forbidden';
		reply := json_build_object('title', 'Four eyes', 'detail',
		    p_principal || ' proposed ' || proposal_what(p) ||
		    '; another supervisor must confirm it');
		RETURN;
	END IF;
	IF NOT p_confirm THEN
		PERFORM train_proposal_end(p, CASE WHEN p_principal =
		    p.proposed_by THEN 'withdrawn' ELSE 'rejected' END,
		    p_principal, p_reason, CASE WHEN p_principal = p.proposed_by
		    THEN 'clearing.withdrawn' ELSE 'clearing.rejected' END,
		    coalesce(cur.ruleset_sha256, p_ruleset));
		outcome := 'done';
		reply := (proposal_json(p, cur) || jsonb_build_object('state',
		    CASE WHEN p_principal = p.proposed_by THEN 'withdrawn'
		    ELSE 'rejected' END, 'decided_by', p_principal,
		    'rejected_by', p_principal, 'final',
		    cur.decision_final))::json;
		RETURN;
	END IF;
	-- The decision it was made on must still stand: a new evaluation
	-- voids a proposal (train_proposals_follow_rules()), this is the
	-- check of the moment for what slipped between.
	IF cur.decision IS NOT NULL AND NOT cur.eval_needed AND
	    p.kind = 'goods' THEN
		top := hits_top_action(goods_open_hits(cur.id, cur.decision,
		    p.consignment, p.item, NULL));
	END IF;
	IF p.manifest_id <> cur.manifest_id OR cur.eval_needed OR
	    (top IS NOT NULL AND top <> p.made_on) OR (p.kind = 'hit' AND
	    rule_hits_md5(rule_train_hits(cur.decision, p.rule)) IS DISTINCT
	    FROM p.made_hits) THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Decision changed',
		    'detail', 'train ' || cur.train_no || ' was decided again '
		    'since proposal ' || p.id || ' was made (' ||
		    proposal_what(p) || '); review the new decision');
		RETURN;
	END IF;
	IF p.kind = 'hit' THEN
		SELECT * INTO applied FROM hit_clear_as(cur.train_no || '@' ||
		    cur.run, p.rule, p.reason, p.proposed_by, 'supervisor',
		    p_ruleset, p_principal);
	ELSE
		SELECT * INTO applied FROM goods_resolve_as(cur.train_no ||
		    '@' || cur.run, p.consignment, p.item, p.resolution,
		    p.wagon, p.reason, p.proposed_by, 'supervisor', p_ruleset,
		    p_principal);
	END IF;
	IF applied.outcome <> 'done' THEN
		outcome := applied.outcome;
		reply := applied.reply;
		RETURN;
	END IF;
	PERFORM train_proposal_end(p, 'confirmed', p_principal, p_reason,
	    'clearing.confirmed', coalesce(cur.ruleset_sha256, p_ruleset));
	outcome := 'done';
	-- The resolution's reply as written (not reordered by jsonb).
	reply := (left(applied.reply::text, -1) || ', ' || substr(
	    json_build_object('proposal', p.id, 'proposed_by', p.proposed_by,
	    'confirmed_by', p_principal, 'state', 'confirmed')::text, 2))::json;
END
$$;
GRANT EXECUTE ON FUNCTION decide_proposal(text, bigint, boolean, text, text, text, text) TO railgate_app;

-- Train hits naming no goods (hit_clearances, 026): a blocking
-- diagnostic, a rule on the whole train.

-- The train hits of p_doc by rule p_rule that name no goods, as JSON.
CREATE OR REPLACE FUNCTION rule_train_hits(p_doc json, p_rule text)
RETURNS json
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(json_agg(h ORDER BY n), '[]')
	FROM json_array_elements(p_doc->'train_hits') WITH ORDINALITY AS x(h, n)
	WHERE h->>'rule' = p_rule AND h->'subject'->>'consignment' IS NULL
$$;

-- What a clearance of those hits is made on, as one text (NULL: none).
CREATE OR REPLACE FUNCTION rule_hits_md5(p_hits json) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN json_array_length(p_hits) = 0 THEN NULL ELSE
	    md5(p_hits::text) END
$$;

-- The clearances for the train's view, in force or not.
CREATE OR REPLACE FUNCTION hit_clearances_view(p_train bigint) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object('rule', c.rule,
	    'hits_at', c.made_on, 'reason', c.reason, 'by', c.principal,
	    'confirmed_by', c.confirmed_by, 'at', proposal_time(c.at),
	    'in_force', c.void_at IS NULL, 'void_reason', c.void_reason)
	    ORDER BY c.id), '[]')
	FROM hit_clearances c WHERE c.train_id = p_train
$$;
GRANT EXECUTE ON FUNCTION hit_clearances_view(bigint) TO railgate_app;

-- After a new evaluation (p_doc, of manifest p_manifest): a clearance
-- whose hits are no longer those it was made on is void, audited.  The
-- caller holds the train's row lock.
CREATE OR REPLACE FUNCTION hit_clearances_follow_rules(p_train bigint,
    p_owner text, p_doc json, p_manifest bigint, p_ruleset text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	c	hit_clearances%ROWTYPE;
	why	text;
BEGIN
	FOR c IN SELECT * FROM hit_clearances WHERE train_id = p_train AND
	    void_at IS NULL ORDER BY id LOOP
		why := CASE WHEN c.manifest_id <> p_manifest THEN
		    'replacement manifest' WHEN rule_hits_md5(rule_train_hits(
		    p_doc, c.rule)) IS DISTINCT FROM c.made_hits THEN
		    'the hits of ' || c.rule || ' changed' END;
		CONTINUE WHEN why IS NULL;
		UPDATE hit_clearances SET void_at = now(), void_reason = why
		WHERE id = c.id;
		PERFORM audit_append(p_owner, 'train_hit.clearance_void',
		    p_train, json_build_object('rule', c.rule, 'cleared_by',
		    c.principal, 'confirmed_by', c.confirmed_by, 'why',
		    why)::text, p_ruleset);
	END LOOP;
END
$$;

-- A train hit naming no goods cleared, as goods_resolve_as() resolves
-- goods: p_confirmer NULL, only proposed (by a supervisor); else the
-- proposal of p_principal confirmed by p_confirmer takes effect.  The
-- outcome: proposed, done, not_found (no train, no such hit), conflict
-- (nothing to clear, cleared or proposed already), forbidden (not a
-- supervisor).
CREATE OR REPLACE FUNCTION hit_clear_as(p_id text, p_rule text,
    p_reason text, p_principal text, p_role text, p_ruleset text,
    p_confirmer text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	hits	json;
	top	text;
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
		reply := json_build_object('title', 'Nothing to clear', 'detail',
		    'train ' || cur.train_no || CASE WHEN cur.state = 'cancelled'
		    THEN ' has been cancelled' WHEN cur.decision IS NULL THEN
		    ' has no decision yet' ELSE ' is being evaluated again; '
		    'clear the hit on the new decision' END);
		RETURN;
	END IF;
	hits := rule_train_hits(cur.decision, p_rule);
	IF json_array_length(hits) = 0 THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'No such train hit',
		    'detail', 'train ' || cur.train_no || ' has no train hit of '
		    'rule ' || p_rule || ' naming no goods (goods on no wagon '
		    'are resolved through goods/resolution)');
		RETURN;
	END IF;
	top := hits_top_action(hits);
	IF EXISTS (SELECT 1 FROM hit_clearances c WHERE c.train_id = cur.id
	    AND c.void_at IS NULL AND c.rule = p_rule) THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Already cleared', 'detail',
		    'the train hits of ' || p_rule || ' of train ' ||
		    cur.train_no || ' are cleared already');
		RETURN;
	END IF;
	IF p_confirmer IS NULL THEN
		IF p_role <> 'supervisor' THEN
			outcome := 'forbidden';
			reply := json_build_object('title', 'Supervisor needed',
			    'detail', 'the train hits of ' || p_rule || ' hold '
			    'train ' || cur.train_no || ': clearing them is a '
			    'supervisor''s proposal, confirmed by a second '
			    'supervisor');
			RETURN;
		END IF;
		SELECT * INTO other FROM train_proposals x WHERE x.train_id =
		    cur.id AND x.state = 'pending' AND x.kind = 'hit' AND
		    x.rule = p_rule ORDER BY x.id LIMIT 1;
		IF FOUND THEN
			outcome := 'conflict';
			reply := json_build_object('title', 'Proposal awaiting '
			    'confirmation', 'detail', other.proposed_by ||
			    ' proposed to clear ' || p_rule || ' (proposal ' ||
			    other.id || '); another supervisor confirms or '
			    'rejects it first');
			RETURN;
		END IF;
		INSERT INTO train_proposals (train_id, manifest_id, kind,
		    resolution, rule, made_on, made_hits, reason, proposed_by)
		VALUES (cur.id, cur.manifest_id, 'hit', 'cleared', p_rule, top,
		    rule_hits_md5(hits), p_reason, p_principal)
		RETURNING id INTO pid;
		UPDATE trains SET updated_at = now() WHERE id = cur.id;
		PERFORM audit_append(p_principal, 'clearing.proposed', cur.id,
		    json_build_object('proposal', pid, 'kind', 'hit', 'rule',
		    p_rule, 'hits', hits, 'reason', p_reason, 'role',
		    p_role)::text, coalesce(cur.ruleset_sha256, p_ruleset));
		outcome := 'proposed';
		reply := json_build_object('train', cur.train_no, 'run', cur.run,
		    'proposal', pid, 'kind', 'hit', 'rule', p_rule, 'hits', hits,
		    'action', top, 'proposed_by', p_principal, 'final',
		    cur.decision_final, 'detail', 'the train hits of ' || p_rule ||
		    ' hold the train: clearing them waits for a second '
		    'supervisor to confirm it');
		RETURN;
	END IF;
	INSERT INTO hit_clearances (train_id, manifest_id, rule, made_on,
	    made_hits, reason, principal, role, confirmed_by)
	VALUES (cur.id, cur.manifest_id, p_rule, top, rule_hits_md5(hits),
	    p_reason, p_principal, p_role, p_confirmer);
	UPDATE trains SET updated_at = now() WHERE id = cur.id;
	PERFORM audit_append(p_principal, 'train_hit.cleared', cur.id,
	    json_build_object('rule', p_rule, 'hits', hits, 'reason', p_reason,
	    'role', p_role, 'confirmed_by', p_confirmer)::text,
	    coalesce(cur.ruleset_sha256, p_ruleset));
	outcome := 'done';
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'rule', p_rule, 'resolution', 'cleared', 'hits', hits, 'action',
	    top, 'final', cur.decision_final);
END
$$;

-- A supervisor's proposal to clear the train hits of p_rule naming no
-- goods (hit_clear_as()).
CREATE OR REPLACE FUNCTION clear_train_hit(p_id text, p_rule text,
    p_reason text, p_principal text, p_role text, OUT outcome text,
    OUT reply json)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	SELECT * FROM hit_clear_as(p_id, p_rule, p_reason, p_principal, p_role,
	    NULL, NULL)
$$;
GRANT EXECUTE ON FUNCTION clear_train_hit(text, text, text, text, text) TO railgate_app;
