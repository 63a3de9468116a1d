-- 50_evaluation.sql -- the evaluator's claims under a lease, its decisions and the rule sets
-- they were made with.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- Records a rule set by the hash of its exact text (for replays).
CREATE OR REPLACE FUNCTION store_ruleset(p_sha256 text, p_name text, p_files_z bytea)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	INSERT INTO rulesets (sha256, name, files_z) VALUES (p_sha256, p_name,
	    p_files_z) ON CONFLICT (sha256) DO NOTHING
$$;
GRANT EXECUTE ON FUNCTION store_ruleset(text, text, bytea) TO railgate_app;

-- Claims runs needing evaluation.  Each comes with the key of the
-- screening clearances in force (67_clearances.sql) and, when that key is
-- not p_clearances (the one the daemon holds), the clearances themselves:
-- a daemon fetches a station's thousands of clearances only when one
-- moved or expired.
CREATE OR REPLACE FUNCTION claim_evaluations(p_owner text, p_n integer, p_lease_s integer,
    p_busy bigint[], p_have bigint[], p_clearances text)
RETURNS TABLE (train_id bigint, train_no text, run integer,
    manifest_id bigint, raw_z bytea, events json, last_event_id bigint,
    green_lane boolean, clearances_key text, clearances json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	ckey	text := screening_clearances_key();
BEGIN
	RETURN QUERY
	WITH claimed AS (
		UPDATE trains t SET lease_owner = p_owner,
		    lease_until = now() + make_interval(secs => p_lease_s)
		WHERE t.id IN (
			SELECT x.id FROM trains x
			WHERE x.eval_needed AND x.manifest_id IS NOT NULL
			  AND (x.lease_until IS NULL OR x.lease_until < now()
			       OR x.lease_owner = p_owner)
			  AND x.id <> ALL (coalesce(p_busy, '{}'))
			ORDER BY x.green_lane DESC, x.id
			LIMIT p_n FOR UPDATE SKIP LOCKED)
		RETURNING t.*)
	SELECT c.id, c.train_no, c.run, c.manifest_id,
	    CASE WHEN c.manifest_id = ANY (coalesce(p_have, '{}')) THEN NULL
	    ELSE m.raw_z END,
	    coalesce((SELECT json_agg(json_build_object('id', e.id, 'type', e.type,
		'body', e.body, 'at', to_char(e.received_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'legacy', e.role IS NULL)
		ORDER BY e.id)
		FROM events e WHERE e.train_id = c.id), '[]'),
	    (SELECT max(e.id) FROM events e WHERE e.train_id = c.id),
	    c.green_lane, ckey,
	    -- Once, on the first row, and only when a run was claimed: the
	    -- daemon reads the first row's (5,000 clearances: ~30 ms).
	    CASE WHEN ckey IS DISTINCT FROM p_clearances AND row_number()
		OVER (ORDER BY c.id) = 1 THEN screening_clearances_in_force()
		END
	FROM claimed c JOIN manifests m ON m.id = c.manifest_id
	ORDER BY c.id;
END
$$;
GRANT EXECUTE ON FUNCTION claim_evaluations(text, integer, integer, bigint[], bigint[], text) TO railgate_app;

-- What officers did on older evidence, after a new evaluation (p_wagons,
-- the new [{position, action}]): see the top of this file.  A resolution
-- is judged against the rules' action it was made on (resolved_rules); a
-- proposal against the rules' action before this evaluation.  Each step
-- leaves an officer_actions row the auditor's replay reads ('void', or
-- the action reinstated).  The caller holds the train's row lock.
CREATE OR REPLACE FUNCTION resolutions_follow_rules(p_train bigint, p_owner text,
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
		-- A proposal is made on what the rules said: any change (up,
		-- or down under it) sends the supervisors back to look.
		IF w.proposed_action IS NOT NULL AND upper(r.now_action) IS
		    DISTINCT FROM upper(coalesce(w.rules_action, 'RELEASE')) THEN
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

-- A wagon the rules set out at HOLD or REFUSE and a replacement declared
-- again (the same number, new goods or papers) is not released by the
-- replacement alone: if the rules now say less than INSPECT, the wagon is
-- resolved INSPECT by the daemon, so that an officer looks at what the
-- railway now declares before releasing it (re-declaring refused goods
-- as harmless ones is the oldest trick there is).  A corrected document
-- still clears a hold, through one officer's inspection and release.
-- Called with the train's row lock, after the wagons take the rules'
-- new actions.
CREATE OR REPLACE FUNCTION redeclared_inspect(p_train bigint, p_owner text,
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

-- A decision made under the evaluator's lease: 'stored', or 'stale' when
-- the lease was lost or the run's manifest changed.  It keeps the rules'
-- action of each wagon, what officers did following the rules
-- (resolutions_follow_rules()), the goods officers located on a wagon
-- raising it (goods_follow_rules()), and a re-declared wagon inspected
-- (redeclared_inspect()).  p_clearances: the screening clearances the
-- evaluation applied (docs/screening.md), kept for replay.
CREATE OR REPLACE FUNCTION store_decision(p_train bigint, p_owner text,
    p_doc json, p_outcome text, p_final boolean, p_wagons json, p_ruleset text,
    p_ruleset_name text, p_manifest bigint, p_last_event bigint,
    p_clearances json)
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
	-- A document accepted meanwhile (73_documents.sql) is read too.
	SELECT EXISTS (SELECT 1 FROM events WHERE train_id = p_train
	    AND id > coalesce(p_last_event, 0)
	    AND type IN ('weighbridge', 'scan', 'seal_check', 'neighbour',
	    'document', 'parcel_scan', 'unloaded', 'parcel_resolution'))
	    INTO newer;
	INSERT INTO decisions (train_id, document, outcome, final,
	    ruleset_sha256, manifest_id, last_event_id, made_by, clearances)
	VALUES (p_train, p_doc, p_outcome, p_final, p_ruleset, p_manifest,
	    p_last_event, p_owner, p_clearances);
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
	p_wagons := goods_follow_rules(p_train, p_owner, p_doc, p_wagons,
	    p_manifest, p_ruleset);
	PERFORM resolutions_follow_rules(p_train, p_owner, p_wagons, p_ruleset);
	UPDATE wagons w SET action = x.action, rules_action = x.action
	FROM json_to_recordset(p_wagons) AS x(position int, action text)
	WHERE w.train_id = p_train AND w.position = x.position;
	PERFORM redeclared_inspect(p_train, p_owner, p_ruleset);
	-- The carrier's set-out list, when it has a subscription (031).
	IF NOT p_final AND cur.carrier_id IS NOT NULL THEN
		PERFORM notices_provisional(p_train, cur.carrier_id, p_outcome);
	END IF;
	-- The parcels' counts when the decision set parcels aside
	-- (docs/parcels.md): the chained record says how it was made, which
	-- a document rewritten with or without "parcels" would contradict.
	PERFORM audit_append(p_owner, 'decision.provisional', p_train,
	    CASE WHEN json_typeof(p_doc->'parcels') = 'object' THEN
	    json_build_object('outcome', p_outcome, 'ruleset', p_ruleset_name,
	    'manifest', p_manifest, 'last_event', p_last_event,
	    'parcels', p_doc->'parcels'->'counts')
	    ELSE json_build_object('outcome', p_outcome, 'ruleset',
	    p_ruleset_name, 'manifest', p_manifest, 'last_event',
	    p_last_event) END::text, p_ruleset);
	RETURN 'stored';
END
$$;
GRANT EXECUTE ON FUNCTION store_decision(bigint, text, json, text, boolean, json, text, text, bigint, bigint, json) TO railgate_app;
