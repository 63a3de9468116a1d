-- 30_ingest.sql -- receiving a manifest: one statement, one transaction.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- Whether p_wagons (a replacement's, each with its contents_sha256) and
-- p_sha256 (the train's other contents) change nothing of train cur: the
-- same wagons, at the same positions, with the same contents, and the
-- same train around them.  An unknown hash (NULL: stored before 025)
-- counts as a change.
CREATE OR REPLACE FUNCTION manifest_changes_nothing(cur trains, p_wagons json,
    p_sha256 text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT cur.contents_sha256 IS NOT NULL AND cur.contents_sha256 = p_sha256
	    AND (SELECT count(*) FROM wagons w WHERE w.train_id = cur.id) =
		json_array_length(p_wagons)
	    AND NOT EXISTS (SELECT 1 FROM json_array_elements(p_wagons) AS x
		WHERE NOT EXISTS (SELECT 1 FROM wagons w WHERE w.train_id =
		    cur.id AND w.position = (x->>'position')::int AND
		    w.number = x->>'number' AND w.contents_sha256 =
		    x->>'contents_sha256'))
$$;

-- What officers did on wagon w, as one entry of an amendment's kept or
-- dropped list (NULL: nothing).
CREATE OR REPLACE FUNCTION wagon_work_json(w wagons, p_position integer,
    p_why text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN w.resolution IS NOT NULL OR w.proposed_action IS NOT
	    NULL OR w.suspended_action IS NOT NULL THEN jsonb_strip_nulls(
	    jsonb_build_object('wagon', w.number, 'position', p_position,
	    'resolution', upper(coalesce(w.resolution, w.suspended_action)),
	    'resolved_by', coalesce(w.resolved_by, w.suspended_by),
	    'confirmed_by', w.confirmed_by, 'proposed',
	    upper(w.proposed_action), 'proposed_by', w.proposed_by,
	    'why', p_why)) END
$$;

-- One wagon's work dropped by a replacement: the resolution void (the
-- auditor's replay reads the 'void'), the audit record saying why.
CREATE OR REPLACE FUNCTION wagon_work_drop(p_train bigint, w wagons,
    p_why text, p_principal text, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	IF w.resolution IS NOT NULL THEN
		INSERT INTO officer_actions (train_id, wagon, action, reason,
		    principal, role) VALUES (p_train, w.number, 'void',
		    'replacement manifest: ' || p_why, p_principal, 'system');
	END IF;
	PERFORM audit_append(p_principal, 'wagon.resolution_dropped', p_train,
	    json_build_object('wagon', w.number, 'position', w.position,
	    'resolution', upper(w.resolution), 'resolved_by', w.resolved_by,
	    'proposed', upper(w.proposed_action), 'proposed_by',
	    w.proposed_by, 'why', 'replacement manifest: ' || p_why)::text,
	    p_ruleset);
END
$$;

-- A run's wagons as the manifest lists them (p_wagons: the summary's
-- wagons), with nothing carried over: the caller has none, or deleted
-- them.  Not SECURITY DEFINER: only wagons_amend() (which is) may write
-- wagons through it; the application role alone may not.
CREATE OR REPLACE FUNCTION wagons_insert(p_train bigint, p_wagons json)
RETURNS void
LANGUAGE sql SET search_path = public AS $$
	-- Each wagon parsed once into a record, not once per member read
	-- with ->> (0.3 ms of 1.4 for 55 wagons; issue 23).
	INSERT INTO wagons (train_id, position, number, containers,
	    container_numbers, items, contents_sha256)
	SELECT p_train, x.position, x.number, cardinality(x.containers),
	    coalesce(x.containers, '{}'), x.items, x.contents_sha256
	FROM json_to_recordset(p_wagons) AS x(position int, number text,
	    containers text[], items int, contents_sha256 text)
$$;

-- The train's wagons made again from p_wagons (the manifest's), each
-- old wagon paired with the new one of the same number (the k-th of a
-- number with the k-th).  A wagon whose contents did not change keeps
-- everything: its resolution, a proposal, the set-outs, the actions
-- approval gave it, wherever it now stands.  A changed one keeps only an
-- officer's HOLD or REFUSE (a replacement never lifts a set-out) and the
-- rules' set-out it was declared again from (redeclared_inspect());
-- the rest of what officers did on it, and on a wagon removed, is dropped
-- (wagon.resolution_dropped, a 'void' in officer_actions).  A
-- replacement (p_function) records the diff in amendments and the audit
-- trail (train.amended).  The caller holds the train's row lock.
CREATE OR REPLACE FUNCTION wagons_amend(p_train bigint, p_manifest bigint,
    p_function text, p_wagons json, p_train_same boolean,
    p_final_kept boolean, p_principal text, p_ruleset text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	r	record;
	w	wagons%ROWTYPE;
	added	jsonb := '[]';
	removed	jsonb := '[]';
	changed	jsonb := '[]';
	moved	jsonb := '[]';
	kept	jsonb := '[]';
	dropped	jsonb := '[]';
	carry	jsonb := '[]';
	setout	boolean;
	had	boolean;
	g	goods_resolutions%ROWTYPE;
	still	boolean;
BEGIN
	-- Through the key, whatever the statistics say: as EXISTS, a plan
	-- made generic under statistics taken when the table held two
	-- trains read every wagon of every train for a run that had none
	-- (10-25 ms a train among 34,000 wagons; issue 23).  EXISTS drops
	-- an ORDER BY and LIMIT; a plain query keeps them, and no scan
	-- but the key's gives its first row without sorting them all.
	PERFORM 1 FROM wagons x WHERE x.train_id = p_train
	    ORDER BY x.train_id, x.position LIMIT 1;
	had := FOUND;
	IF NOT had THEN
		-- A run's first wagons: nothing to pair, carry or record (the
		-- loop below would only list them all as added, and nothing
		-- reads that list then): the insert alone (issue 23).
		PERFORM wagons_insert(p_train, p_wagons);
		RETURN;
	END IF;
	FOR r IN
	    WITH o AS (SELECT w0 AS old, w0.number, w0.position,
		w0.contents_sha256 AS sha, row_number() OVER (PARTITION BY
		w0.number ORDER BY w0.position) AS k
		FROM wagons w0 WHERE w0.train_id = p_train),
	    n AS (SELECT (x->>'position')::int AS position, x->>'number' AS
		number, x->>'contents_sha256' AS sha, row_number() OVER
		(PARTITION BY x->>'number' ORDER BY (x->>'position')::int) AS k
		FROM json_array_elements(p_wagons) AS x)
	    SELECT o.old, n.position AS npos, coalesce(n.number, o.number) AS
		number, o.position AS opos, coalesce(o.sha = n.sha, false) AS
		same
	    FROM o FULL JOIN n ON o.number = n.number AND o.k = n.k
	    ORDER BY coalesce(n.position, o.position), o.position
	LOOP
		w := r.old;
		IF r.opos IS NULL THEN
			added := added || jsonb_build_object('wagon', r.number,
			    'position', r.npos);
		ELSIF r.npos IS NULL THEN
			removed := removed || jsonb_build_object('wagon',
			    r.number, 'position', r.opos);
			IF wagon_work_json(w, r.opos, 'removed') IS NOT NULL
			THEN
				dropped := dropped || wagon_work_json(w, r.opos,
				    'wagon removed from the train');
				PERFORM wagon_work_drop(p_train, w,
				    'wagon removed from the train', p_principal,
				    p_ruleset);
			END IF;
		ELSIF r.same THEN
			IF r.opos <> r.npos THEN
				moved := moved || jsonb_build_object('wagon',
				    r.number, 'position', r.npos, 'from', r.opos);
			END IF;
			carry := carry || jsonb_build_object('position', r.npos,
			    'whole', true, 'old', to_jsonb(w));
			IF wagon_work_json(w, r.npos, '') IS NOT NULL THEN
				kept := kept || wagon_work_json(w, r.npos,
				    'contents unchanged');
				PERFORM audit_append(p_principal,
				    'wagon.resolution_kept', p_train,
				    (wagon_work_json(w, r.npos, 'replacement '
				    'manifest: contents unchanged') ||
				    jsonb_build_object('from', r.opos))::text,
				    p_ruleset);
			END IF;
		ELSE
			changed := changed || jsonb_build_object('wagon',
			    r.number, 'position', r.npos, 'from', r.opos);
			setout := w.resolution IN ('hold', 'refuse');
			IF setout OR w.suspended_action IS NOT NULL OR
			    cardinality(w.set_out_by) > 0 OR
			    w.redeclared_from IS NOT NULL OR
			    action_rank(w.rules_action) >= action_rank('HOLD')
			THEN
				carry := carry || jsonb_build_object('position',
				    r.npos, 'whole', false, 'old', to_jsonb(w));
			END IF;
			IF setout OR w.suspended_action IS NOT NULL THEN
				kept := kept || jsonb_strip_nulls(
				    jsonb_build_object('wagon', w.number,
				    'position', r.npos, 'resolution', upper(CASE
				    WHEN setout THEN w.resolution ELSE
				    w.suspended_action END), 'resolved_by', CASE
				    WHEN setout THEN w.resolved_by ELSE
				    w.suspended_by END, 'why', 'contents changed: '
				    'a set-out stays until an officer resolves '
				    'it'));
				PERFORM audit_append(p_principal,
				    'wagon.resolution_kept', p_train,
				    (kept->-1 || jsonb_build_object('from',
				    r.opos))::text, p_ruleset);
			END IF;
			IF (NOT setout AND w.resolution IS NOT NULL) OR
			    w.proposed_action IS NOT NULL THEN
				dropped := dropped || jsonb_strip_nulls(
				    jsonb_build_object('wagon', w.number,
				    'position', r.npos, 'resolution', CASE WHEN
				    NOT setout THEN upper(w.resolution) END,
				    'resolved_by', CASE WHEN NOT setout THEN
				    w.resolved_by END, 'proposed',
				    upper(w.proposed_action), 'proposed_by',
				    w.proposed_by, 'why', 'contents changed'));
				IF setout THEN
					w.resolution := NULL;
				END IF;
				PERFORM wagon_work_drop(p_train, w,
				    'contents changed', p_principal, p_ruleset);
			END IF;
		END IF;
	END LOOP;
	DELETE FROM wagons WHERE wagons.train_id = p_train;
	PERFORM wagons_insert(p_train, p_wagons);
	-- Unchanged: everything follows the wagon.
	UPDATE wagons w2 SET action = o.action, rules_action = o.rules_action,
	    resolution = o.resolution, resolved_by = o.resolved_by,
	    confirmed_by = o.confirmed_by, resolved_rules = o.resolved_rules,
	    set_out_by = o.set_out_by, suspended_action = o.suspended_action,
	    suspended_by = o.suspended_by, redeclared_from = o.redeclared_from,
	    proposed_action = o.proposed_action, proposed_by = o.proposed_by,
	    proposed_reason = o.proposed_reason, proposed_at = o.proposed_at
	FROM jsonb_array_elements(carry) AS c,
	    jsonb_populate_record(NULL::wagons, c->'old') AS o
	WHERE (c->>'whole')::boolean AND w2.train_id = p_train
	  AND w2.position = (c->>'position')::int;
	-- Changed: the set-outs stay, the rules' set-out is remembered.
	UPDATE wagons w2 SET
	    resolution = CASE WHEN o.resolution IN ('hold', 'refuse') THEN
		o.resolution END,
	    resolved_by = CASE WHEN o.resolution IN ('hold', 'refuse') THEN
		o.resolved_by END,
	    confirmed_by = CASE WHEN o.resolution IN ('hold', 'refuse') THEN
		o.confirmed_by END,
	    resolved_rules = CASE WHEN o.resolution IN ('hold', 'refuse') THEN
		o.resolved_rules END,
	    suspended_action = o.suspended_action,
	    suspended_by = o.suspended_by, set_out_by = o.set_out_by,
	    redeclared_from = coalesce(o.redeclared_from, CASE WHEN
		action_rank(o.rules_action) >= action_rank('HOLD') THEN
		o.rules_action END)
	FROM jsonb_array_elements(carry) AS c,
	    jsonb_populate_record(NULL::wagons, c->'old') AS o
	WHERE NOT (c->>'whole')::boolean AND w2.train_id = p_train
	  AND w2.position = (c->>'position')::int;
	IF p_function = 'replace' AND had THEN
		-- Goods on no wagon resolved: the resolution stays when the
		-- rest of the train is the same and, located, its wagon is
		-- unchanged where it stood; else it is void now.
		FOR g IN SELECT * FROM goods_resolutions x WHERE x.train_id =
		    p_train AND x.void_at IS NULL ORDER BY x.id LOOP
			still := p_train_same AND (g.resolution = 'corrected' OR
			    EXISTS (SELECT 1 FROM jsonb_array_elements(carry) AS c
			    WHERE (c->>'whole')::boolean AND (c->>'position')::int
			    = g.position AND (c->'old'->>'position')::int =
			    g.position AND c->'old'->>'number' = g.wagon));
			IF still THEN
				UPDATE goods_resolutions SET manifest_id =
				    p_manifest WHERE id = g.id;
				kept := kept || jsonb_strip_nulls(
				    jsonb_build_object('goods', jsonb_build_object(
				    'consignment', g.consignment, 'item', g.item),
				    'resolution', upper(g.resolution), 'wagon',
				    g.wagon, 'position', g.position, 'resolved_by',
				    g.principal, 'why', 'goods and wagon '
				    'unchanged'));
				PERFORM audit_append(p_principal,
				    'goods.resolution_kept', p_train,
				    json_build_object('consignment', g.consignment,
				    'item', g.item, 'resolution', g.resolution,
				    'wagon', g.wagon, 'resolved_by', g.principal,
				    'why', 'replacement manifest: goods and wagon '
				    'unchanged')::text, p_ruleset);
			ELSE
				dropped := dropped || jsonb_strip_nulls(
				    jsonb_build_object('goods', jsonb_build_object(
				    'consignment', g.consignment, 'item', g.item),
				    'resolution', upper(g.resolution), 'wagon',
				    g.wagon, 'position', g.position, 'resolved_by',
				    g.principal, 'why', CASE WHEN NOT p_train_same
				    THEN 'the train''s other contents changed' ELSE
				    'its wagon changed or moved' END));
				PERFORM goods_resolution_void(g, 'replacement '
				    'manifest: ' || CASE WHEN NOT p_train_same THEN
				    'the train''s other contents changed' ELSE
				    'its wagon changed or moved' END, p_principal,
				    p_ruleset);
			END IF;
		END LOOP;
		INSERT INTO amendments (train_id, manifest_id, added, removed,
		    changed, moved, kept, dropped, final_kept)
		VALUES (p_train, p_manifest, added, removed, changed, moved,
		    kept, dropped, p_final_kept);
		PERFORM audit_append(p_principal, 'train.amended', p_train,
		    json_build_object('manifest', p_manifest, 'added', added,
		    'removed', removed, 'changed', changed, 'moved', moved,
		    'resolutions_kept', kept, 'resolutions_dropped', dropped,
		    'final_kept', p_final_kept)::text, p_ruleset);
	END IF;
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
-- the wagons made again by wagons_amend(); the location is a URI whatever
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
	same_train boolean := false;
	keep_final boolean := false;
	tr	record;		-- p_train's members
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

	-- p_train's members read at once: each ->> parsed the whole of it
	-- again, the parties included (0.2 ms for a 5,000-item train's
	-- 32 kB, sixteen times; issue 23).
	SELECT * INTO tr FROM json_to_record(p_train) AS x(contents_sha256
	    text, direction text, carrier_id text, border_station text,
	    departure_station text, destination_station text,
	    eta timestamptz, ata timestamptz, issued timestamptz,
	    green_lane boolean, counts json, parties json);

	-- A replacement that changes nothing a final decision was built on
	-- leaves it final (docs/daemon.md "Amendments").
	IF p_function = 'replace' THEN
		same_train := cur.contents_sha256 IS NOT NULL AND
		    cur.contents_sha256 = tr.contents_sha256;
		keep_final := cur.decision_final AND same_train AND
		    manifest_changes_nothing(cur, p_wagons,
			tr.contents_sha256);
	END IF;
	UPDATE trains SET
		state = CASE WHEN p_function = 'cancel' THEN 'cancelled'
		    WHEN keep_final THEN state
		    WHEN state IN ('announced') THEN 'received'
		    WHEN p_function = 'replace' AND state NOT IN ('arrived') THEN 'received'
		    ELSE state END,
		manifest_id = ingest_manifest.manifest_id,
		direction = tr.direction,
		-- A replacement naming no carrier keeps the run's (operator.md).
		carrier_id = coalesce(tr.carrier_id, carrier_id),
		border_station = tr.border_station,
		departure_station = tr.departure_station,
		destination_station = tr.destination_station,
		eta = coalesce(tr.eta, eta),
		ata = coalesce(tr.ata, ata),
		issued = tr.issued,
		-- The clock starts at the arrival an arrived event reported
		-- (022), however long before the manifest that was; a train
		-- whose arrival only a manifest states starts it now.
		clock_start = coalesce(clock_start, arrival_at,
		    CASE WHEN coalesce(tr.ata, ata)
		    IS NOT NULL THEN now() END),
		green_lane = coalesce(tr.green_lane, false),
		counts = tr.counts,
		decision_final = keep_final,
		contents_sha256 = tr.contents_sha256,
		eval_needed = true,
		updated_at = now()
	WHERE id = cur.id RETURNING * INTO cur;
	train_id := cur.id;

	PERFORM wagons_amend(cur.id, manifest_id, p_function, p_wagons,
	    same_train, keep_final, p_principal, p_ruleset);
	INSERT INTO manifest_wagons (manifest_id, position, number,
	    contents_sha256)
	SELECT manifest_id, x.position, x.number, x.contents_sha256
	FROM json_to_recordset(p_wagons) AS x(position int, number text,
	    contents_sha256 text) ON CONFLICT DO NOTHING;
	-- The parties, for the console's search (95_console.sql).
	PERFORM search_parties_rebuild(cur.id, tr.parties);

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

-- The replacements of a train run, newest last, as GET /v1/trains/{id}
-- shows them (docs/daemon.md "Amendments"): one indexed read of a few
-- rows, cheap enough for the read every console makes.  PL/pgSQL, not
-- SQL: its plan is kept for the session, where an SQL function's is made
-- again at every call (a third more time on the whole train read).
CREATE OR REPLACE FUNCTION train_amendments(p_train bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('at', to_char(
	    a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'manifest',
	    m.sha256, 'manifest_id', a.manifest_id, 'added', a.added,
	    'removed', a.removed, 'changed', a.changed, 'moved', a.moved,
	    'resolutions_kept', a.kept, 'resolutions_dropped', a.dropped,
	    'final_kept', a.final_kept) ORDER BY a.id), '[]')
	    FROM amendments a JOIN manifests m ON m.id = a.manifest_id
	    WHERE a.train_id = p_train);
END
$$;
GRANT EXECUTE ON FUNCTION train_amendments(bigint) TO railgate_app;
