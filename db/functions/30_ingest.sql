-- 30_ingest.sql -- receiving a manifest: one statement, one transaction.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- The train's wagons made again from p_wagons (the manifest's), keeping
-- the officers' set-outs of the wagons of the same number.  The caller
-- holds the train's row lock.
CREATE OR REPLACE FUNCTION wagons_rebuild(p_train bigint, p_wagons json,
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

-- NULL, or why a manifest of function p_function (replace, cancel) with
-- p_wagons may not take the place of train cur's.
CREATE OR REPLACE FUNCTION manifest_change_problem(cur trains, p_function text,
    p_wagons json) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(
	    (SELECT 'train ' || cur.train_no || ' run ' || cur.run || ' is ' ||
		cur.state || ' (final) with wagon' || CASE WHEN count(*) > 1
		THEN 's ' ELSE ' ' END || string_agg(w.number || ' (' ||
		wagon_current(w) || ')', ', ' ORDER BY w.position) || ' set '
		'out: a ' || CASE p_function WHEN 'cancel' THEN 'cancellation'
		ELSE 'replacement' END || ' cannot change what customs '
		'decided for good; an officer resolves the wagon' || CASE WHEN
		count(*) > 1 THEN 's' ELSE '' END
	    FROM wagons w WHERE cur.decision_final AND w.train_id = cur.id
	      AND action_rank(wagon_current(w)) >= action_rank('HOLD')
	    HAVING count(*) > 0),
	    (SELECT 'the ' || CASE p_function WHEN 'cancel' THEN
		'cancellation' ELSE 'replacement' END || ' leaves out wagon' ||
		CASE WHEN count(*) > 1 THEN 's ' ELSE ' ' END ||
		string_agg(w.number || ' (' || wagon_current(w) || ')', ', '
		ORDER BY w.position) || ', set out by customs; a set-out '
		'wagon stays on the manifest until an officer resolves it'
	    FROM wagons w WHERE w.train_id = cur.id
	      AND action_rank(wagon_current(w)) >= action_rank('HOLD')
	      AND w.number NOT IN (SELECT x->>'number'
		  FROM json_array_elements(p_wagons) AS x
		  WHERE x->>'number' IS NOT NULL)
	    HAVING count(*) > 0))
$$;
GRANT EXECUTE ON FUNCTION manifest_change_problem(trains, text, json) TO railgate_app;

-- Stores the raw bytes, creates or updates the train run, records the
-- wagons, marks the run for evaluation and appends the audit record, all
-- or nothing; the daemon answers the sender only after it returned.
-- Replacements and cancellations are checked by manifest_change_problem(),
-- the wagons rebuilt by wagons_rebuild(); the location is a URI whatever
-- the train number.  The outcome (docs/storage.md): accepted, conflict
-- (the train's state does not allow it), invalid (unreadable, or an
-- Idempotency-Key reused for other bytes).  The answer is kept with the
-- manifest: a repeated Idempotency-Key gets the first outcome and reply.
CREATE OR REPLACE FUNCTION ingest_manifest(
	p_sha256 text, p_raw_z bytea, p_raw_size bigint, p_format text,
	p_source text, p_principal text, p_key text, p_accepted boolean,
	p_train_no text, p_function text, p_diagnostics json, p_train json,
	p_wagons json, p_ruleset text,
	OUT manifest_id bigint, OUT train_id bigint, OUT outcome text,
	OUT reply json, OUT repeated boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	prior	manifests%ROWTYPE;
	cur	trains%ROWTYPE;
	next_run integer;
	problem	text;
BEGIN
	repeated := false;
	IF p_key IS NOT NULL THEN
		SELECT * INTO prior FROM manifests
		    WHERE principal = p_principal AND idempotency_key = p_key;
		IF FOUND THEN
			IF prior.sha256 <> p_sha256 THEN
				manifest_id := prior.id; outcome := 'invalid'; repeated := true;
				reply := json_build_object('title', 'Idempotency-Key reused',
				    'detail', 'this Idempotency-Key was first used for a '
				    'different manifest (sha256 ' || prior.sha256 || ')');
				RETURN;
			END IF;
			manifest_id := prior.id;
			reply := prior.reply;
			outcome := prior.outcome;
			train_id := nullif(prior.reply->>'train_run_id', '')::bigint;
			repeated := true;
			RETURN;
		END IF;
	END IF;

	BEGIN
		INSERT INTO manifests (sha256, raw_z, raw_size, format, source,
		    principal, idempotency_key, accepted, train_no, function,
		    diagnostics)
		VALUES (p_sha256, p_raw_z, p_raw_size, p_format, p_source,
		    p_principal, p_key, p_accepted, p_train_no, p_function,
		    p_diagnostics)
		RETURNING id INTO manifest_id;
	EXCEPTION WHEN unique_violation THEN
		-- The same key arrived twice at once: the other request has
		-- committed by now (the insert waited for it); answer as it did.
		SELECT * INTO prior FROM manifests
		    WHERE principal = p_principal AND idempotency_key = p_key;
		manifest_id := prior.id;
		reply := prior.reply;
		outcome := prior.outcome;
		train_id := nullif(prior.reply->>'train_run_id', '')::bigint;
		repeated := true;
		RETURN;
	END;

	IF NOT p_accepted THEN
		outcome := 'invalid';
		reply := json_build_object('manifest', manifest_id,
		    'title', 'Unreadable manifest',
		    'detail', 'the manifest could not be read; see diagnostics',
		    'diagnostics', p_diagnostics);
		UPDATE manifests SET reply = ingest_manifest.reply,
	    outcome = ingest_manifest.outcome WHERE id = manifest_id;
		PERFORM audit_append(p_principal, 'manifest.rejected', NULL,
		    json_build_object('manifest', manifest_id, 'sha256', p_sha256,
		    'source', p_source)::text, p_ruleset);
		RETURN;
	END IF;

	-- The latest run of this train number, locked against a concurrent
	-- manifest for the same train.
	PERFORM pg_advisory_xact_lock(hashtext(p_train_no));
	SELECT * INTO cur FROM trains WHERE train_no = p_train_no
	    ORDER BY run DESC LIMIT 1 FOR UPDATE;

	IF p_function = 'original' THEN
		IF FOUND AND NOT (train_state_is_closed(cur.state) AND cur.decision_final)
		    AND cur.manifest_id IS NOT NULL THEN
			problem := 'train ' || p_train_no || ' already has a manifest '
			    '(run ' || cur.run || ', ' || cur.state || '); send a '
			    'replacement (message function 5) to change it';
		ELSIF FOUND AND cur.manifest_id IS NULL THEN
			NULL;	-- announced: this manifest completes the run
		ELSE
			SELECT coalesce(max(run), 0) + 1 INTO next_run FROM trains
			    WHERE train_no = p_train_no;
			INSERT INTO trains (train_no, run, state) VALUES
			    (p_train_no, next_run, 'received') RETURNING * INTO cur;
		END IF;
	ELSIF NOT FOUND OR cur.manifest_id IS NULL THEN
		problem := 'train ' || p_train_no || ' has no manifest to ' ||
		    CASE p_function WHEN 'cancel' THEN 'cancel' ELSE 'replace' END;
	ELSIF cur.decision_final AND cur.state <> 'partially_released' THEN
		problem := 'train ' || p_train_no || ' run ' || cur.run ||
		    ' is already ' || cur.state || ' (final)';
	ELSE
		problem := manifest_change_problem(cur, p_function, p_wagons);
	END IF;

	IF problem IS NOT NULL THEN
		outcome := 'conflict';
		reply := json_build_object('manifest', manifest_id,
		    'title', 'Conflict', 'detail', problem,
		    'diagnostics', p_diagnostics);
		UPDATE manifests SET reply = ingest_manifest.reply,
	    outcome = ingest_manifest.outcome WHERE id = manifest_id;
		PERFORM audit_append(p_principal, 'manifest.conflict', cur.id,
		    json_build_object('manifest', manifest_id, 'detail', problem)::text,
		    p_ruleset);
		RETURN;
	END IF;

	UPDATE trains SET
		state = CASE WHEN p_function = 'cancel' THEN 'cancelled'
		    WHEN state IN ('announced') THEN 'received'
		    WHEN p_function = 'replace' AND state NOT IN ('arrived') THEN 'received'
		    ELSE state END,
		manifest_id = ingest_manifest.manifest_id,
		direction = p_train->>'direction',
		border_station = p_train->>'border_station',
		departure_station = p_train->>'departure_station',
		destination_station = p_train->>'destination_station',
		eta = coalesce((p_train->>'eta')::timestamptz, eta),
		ata = coalesce((p_train->>'ata')::timestamptz, ata),
		issued = (p_train->>'issued')::timestamptz,
		-- The clock starts at the arrival an arrived event reported
		-- (022), however long before the manifest that was; a train
		-- whose arrival only a manifest states starts it now.
		clock_start = coalesce(clock_start, arrival_at,
		    CASE WHEN coalesce((p_train->>'ata')::timestamptz, ata)
		    IS NOT NULL THEN now() END),
		green_lane = coalesce((p_train->>'green_lane')::boolean, false),
		counts = p_train->'counts',
		decision_final = false,
		eval_needed = true,
		updated_at = now()
	WHERE id = cur.id RETURNING * INTO cur;
	train_id := cur.id;

	PERFORM wagons_rebuild(cur.id, p_wagons, p_principal, p_ruleset);

	outcome := 'accepted';
	reply := json_build_object('manifest', manifest_id,
	    'train', p_train_no, 'run', cur.run, 'train_run_id', cur.id::text,
	    'state', cur.state, 'function', p_function,
	    'location', '/v1/trains/' || uri_segment(p_train_no),
	    'diagnostics', p_diagnostics);
	UPDATE manifests SET reply = ingest_manifest.reply,
	    outcome = ingest_manifest.outcome WHERE id = manifest_id;
	PERFORM audit_append(p_principal, 'manifest.' || p_function, cur.id,
	    json_build_object('manifest', manifest_id, 'sha256', p_sha256,
	    'train', p_train_no, 'run', cur.run, 'state', cur.state,
	    'source', p_source)::text, p_ruleset);
END
$$;
GRANT EXECUTE ON FUNCTION ingest_manifest(text, bytea, bigint, text, text, text, text, boolean, text, text, json, json, json, text) TO railgate_app;
