-- 40_events.sql -- events posted against a train run.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- Records an event for train run p_id (an unknown train number announced
-- by its first position or arrival).  The outcome (docs/storage.md):
-- accepted, conflict (a position or arrival for a finished run),
-- not_found, invalid (equipment the run does not have: the reply names
-- it and the member that named it).  Who posted it (020_evidence_authors):
-- p_principal, p_role (a token's role, or 'neighbour'), p_device (the
-- instrument, if any); kept on the event and in its audit record.
-- p_manifest (037): the manifest id the daemon checked the event against
-- (a parcel_scan's tracking number, a parcel_resolution's parcels,
-- docs/parcels.md): the run's manifest was replaced meanwhile -> conflict,
-- nothing stored.  Those two types are refused without it.
DROP FUNCTION IF EXISTS add_event(text, text, json, text, text, text, text);
CREATE OR REPLACE FUNCTION add_event(p_id text, p_type text, p_body json,
    p_principal text, p_ruleset text, p_role text DEFAULT NULL,
    p_device text DEFAULT NULL, p_manifest bigint DEFAULT NULL,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	ev_id	bigint;
	field	text := CASE WHEN p_body->>'wagon' IS NOT NULL THEN 'wagon'
		    WHEN p_body->>'container' IS NOT NULL THEN 'container'
		    WHEN p_body->>'equipment' IS NOT NULL THEN 'equipment' END;
	equip	text := p_body->>field;
	known	boolean;
	nb	record;
	dec	decisions%ROWTYPE;
	goods	text;
	list	json;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext(split_part(p_id, '@', 1)));
	SELECT * INTO cur FROM train_lock(p_id);
	IF FOUND AND p_type IN ('position', 'arrived') AND
	    train_is_finished(cur) THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Conflict',
		    'detail', 'train ' || cur.train_no || ' run ' || cur.run ||
		    ' is ' || cur.state || ' (finished): a ' || p_type ||
		    ' event does not reopen it; the next run of this train '
		    'number starts with its manifest',
		    'train', cur.train_no, 'run', cur.run, 'state', cur.state);
		RETURN;
	END IF;
	IF FOUND AND (p_manifest IS NOT NULL OR p_type IN ('parcel_scan',
	    'parcel_resolution')) AND
	    cur.manifest_id IS DISTINCT FROM p_manifest THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Manifest replaced',
		    'detail', 'the manifest of train ' || cur.train_no ||
		    ' (run ' || cur.run || ') changed while the ' || p_type ||
		    ' event was checked against it; nothing was recorded: '
		    'post it again', 'train', cur.train_no, 'run', cur.run);
		RETURN;
	END IF;
	-- A position or arrival for a train number never seen announces it.
	IF NOT FOUND THEN
		IF position('@' IN p_id) > 0 OR p_type NOT IN ('position', 'arrived') THEN
			outcome := 'not_found';
			reply := json_build_object('title', 'Not Found', 'detail',
			    'no train ' || p_id || '; only position and arrived '
			    'events announce a train');
			RETURN;
		END IF;
		INSERT INTO trains (train_no, run, state)
		VALUES (p_id, 1, 'announced')
		RETURNING * INTO cur;
	END IF;
	IF equip IS NOT NULL THEN
		-- A wagon member names a wagon, a container member a
		-- container; equipment either.  (Before, any of the three
		-- matched either: a container number passed for a wagon.)
		SELECT EXISTS (SELECT 1 FROM wagons w WHERE w.train_id = cur.id AND
		    ((field <> 'container' AND w.number = equip) OR
		     (field <> 'wagon' AND equip = ANY (w.container_numbers))))
		    INTO known;
		IF NOT known THEN
			outcome := 'invalid';
			reply := json_build_object('title', 'Unknown equipment',
			    'detail', 'train ' || cur.train_no || ' (run ' || cur.run ||
			    ') has no ' || CASE field WHEN 'wagon' THEN 'wagon'
			    WHEN 'container' THEN 'container'
			    ELSE 'wagon or container' END || ' ' || equip ||
			    ' (event member "' || field || '"); nothing was recorded',
			    'field', field, 'equipment', equip,
			    'train', cur.train_no, 'run', cur.run);
			RETURN;
		END IF;
	END IF;
	-- A neighbour's control result or set-out acts on the equipment it
	-- names: one naming equipment the run does not carry was stored and
	-- read by no rule (a wagon the neighbour held, named otherwise, was
	-- a hold lost without a word).  Checked once the run has its
	-- manifest; the sender hears 422 naming it, and the link goes on.
	IF p_type = 'neighbour' AND cur.manifest_id IS NOT NULL THEN
		SELECT x.member, x.equip INTO nb FROM (
			SELECT 'controls[' || (n - 1) || '].equipment' AS member,
			    c->>'equipment' AS equip, n AS ord, false AS wagon_only
			FROM json_array_elements(CASE WHEN json_typeof(
			    p_body->'controls') = 'array' THEN p_body->'controls'
			    END) WITH ORDINALITY AS a(c, n)
			UNION ALL
			SELECT 'set_out[' || (n - 1) || '].wagon', c->>'wagon',
			    1000000 + n, true
			FROM json_array_elements(CASE WHEN json_typeof(
			    p_body->'set_out') = 'array' THEN p_body->'set_out'
			    END) WITH ORDINALITY AS b(c, n)
		) x WHERE NOT EXISTS (SELECT 1 FROM wagons w WHERE
		    w.train_id = cur.id AND (w.number = x.equip OR
		    (NOT x.wagon_only AND x.equip = ANY (w.container_numbers))))
		ORDER BY x.ord LIMIT 1;
		IF FOUND THEN
			outcome := 'invalid';
			reply := json_build_object('title', 'Unknown equipment',
			    'detail', 'train ' || cur.train_no || ' (run ' ||
			    cur.run || ') has no ' || CASE WHEN nb.member LIKE
			    'set_out%' THEN 'wagon ' ELSE 'wagon or container ' END ||
			    coalesce(nb.equip, '(none)') || ' (neighbour report '
			    'member "' || nb.member || '"); nothing was recorded',
			    'field', nb.member, 'equipment', nb.equip,
			    'train', cur.train_no, 'run', cur.run);
			RETURN;
		END IF;
	END IF;

	-- An unloading names the parcels set aside in the container by the
	-- run's latest evaluation (docs/parcels.md; not an amended final
	-- document, made from the approval's): a parcel set aside there
	-- later keeps the container on the list.  None: 409, nothing stored.
	IF p_type = 'unloaded' THEN
		SELECT * INTO dec FROM decisions d WHERE d.train_id = cur.id
		    AND NOT d.final ORDER BY d.id DESC LIMIT 1;
		SELECT json_agg(e->>'tracking' ORDER BY e->>'tracking')
		INTO list FROM json_array_elements(CASE WHEN json_typeof(
		    dec.document->'parcels'->'set_aside') = 'array' THEN
		    dec.document->'parcels'->'set_aside' END) AS a(e)
		WHERE e->>'container' = equip AND e->>'tracking' IS NOT NULL;
		IF list IS NULL OR dec.manifest_id IS DISTINCT FROM
		    cur.manifest_id THEN
			outcome := 'conflict';
			reply := json_build_object('title', 'Nothing to unload',
			    'detail', 'container ' || equip || ' of train ' ||
			    cur.train_no || ' (run ' || cur.run || ') holds no '
			    'parcel set aside by ' || CASE WHEN dec.id IS NULL
			    THEN 'a decision (none yet)' WHEN
			    dec.manifest_id IS DISTINCT FROM cur.manifest_id
			    THEN 'the decision of the manifest in force (not '
			    'yet made)' ELSE 'the current decision' END ||
			    '; nothing was recorded', 'field', 'container',
			    'equipment', equip, 'train', cur.train_no,
			    'run', cur.run);
			RETURN;
		END IF;
		p_body := (p_body::jsonb || jsonb_build_object('parcels',
		    list))::json;
	END IF;
	-- Parcels released or taken off are an officer's judgement of the
	-- goods declared now, as an accepted document (73_documents.sql):
	-- a replacement declaring other goods voids them (engine/decide.c).
	IF p_type IN ('unloaded', 'parcel_resolution') THEN
		goods := document_goods_sha256(cur);
		IF goods IS NOT NULL THEN
			p_body := (p_body::jsonb || jsonb_build_object(
			    'goods_sha256', goods))::json;
		END IF;
	END IF;

	INSERT INTO events (train_id, type, body, principal, role, device)
	VALUES (cur.id, p_type, p_body, p_principal, p_role, p_device)
	RETURNING id INTO ev_id;

	UPDATE trains SET
		eta = CASE WHEN p_type = 'position'
		    THEN coalesce((p_body->>'eta')::timestamptz, eta) ELSE eta END,
		-- The first arrival reported stands (022): the clock runs
		-- from it; a second one is an event, and moves nothing.
		ata = CASE WHEN p_type = 'arrived' AND arrival_received_at IS NULL
		    THEN coalesce((p_body->>'at')::timestamptz, now()) ELSE ata END,
		arrival_at = CASE WHEN p_type = 'arrived' AND
		    arrival_received_at IS NULL
		    THEN coalesce((p_body->>'at')::timestamptz, now())
		    ELSE arrival_at END,
		arrival_received_at = CASE WHEN p_type = 'arrived'
		    THEN coalesce(arrival_received_at, now())
		    ELSE arrival_received_at END,
		clock_start = CASE WHEN p_type = 'arrived' AND clock_start IS NULL
		    AND manifest_id IS NOT NULL AND arrival_received_at IS NULL
		    THEN coalesce((p_body->>'at')::timestamptz, now())
		    ELSE clock_start END,
		state = CASE
		    WHEN train_state_is_closed(state) AND decision_final THEN state
		    WHEN state = 'cancelled' THEN state
		    WHEN p_type = 'arrived' THEN 'arrived'
		    WHEN p_type = 'position' AND state = 'evaluated' THEN 'approaching'
		    ELSE state END,
		-- Events the rules read change the decision; the evaluation
		-- re-reads only the wagons they name.
		eval_needed = eval_needed OR (manifest_id IS NOT NULL AND
		    p_type IN ('weighbridge', 'scan', 'seal_check', 'neighbour',
		    'parcel_scan', 'unloaded', 'parcel_resolution')),
		updated_at = now()
	WHERE id = cur.id RETURNING * INTO cur;

	PERFORM audit_append(p_principal, 'event.' || p_type, cur.id,
	    json_build_object('event', ev_id, 'body', p_body, 'author',
	    json_build_object('name', p_principal, 'role', p_role,
	    'device', p_device))::text, p_ruleset);
	outcome := 'accepted';
	reply := json_build_object('event', ev_id,
	    'train', cur.train_no, 'run', cur.run, 'state', cur.state,
	    'reevaluate', cur.eval_needed);
END
$$;
GRANT EXECUTE ON FUNCTION add_event(text, text, json, text, text, text, text, bigint) TO railgate_app;

-- The events of a run, oldest first, each with its author: name, role
-- and device ("unknown" for the role of an event stored before they were
-- recorded).
CREATE OR REPLACE FUNCTION train_events(p_train bigint) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object('id', e.id,
	    'type', e.type, 'at', to_char(e.received_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'body', e.body,
	    'author', json_build_object('name', e.principal,
	    'role', coalesce(e.role, 'unknown'), 'device', e.device))
	    ORDER BY e.id), '[]')
	FROM events e WHERE e.train_id = p_train
$$;
GRANT EXECUTE ON FUNCTION train_events(bigint) TO railgate_app;

-- What the daemon checks a parcel event or a parcel resolution against
-- (docs/parcels.md): the run, its manifest, whether p_container (NULL:
-- none asked) is one of the run's containers, and the run's latest
-- decision with the manifest it was made from (last: it may be large).
-- The latest evaluation, not trains.decision: after approval the final
-- decision stands there while later evaluations (a resolution's) are
-- kept in the history, and a second resolution of the same parcels must
-- find them resolved; nor an amended final decision, made from the
-- approval's document, which lists no parcel set aside since.
CREATE OR REPLACE FUNCTION parcel_context(p_train bigint,
    p_container text DEFAULT NULL) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('train', t.train_no, 'run', t.run,
	    'manifest_id', t.manifest_id, 'decision_manifest_id',
	    d.manifest_id, 'eval_needed', t.eval_needed,
	    'final', t.decision_final, 'container_known', p_container IS NOT
	    NULL AND EXISTS (SELECT 1 FROM wagons w WHERE w.train_id = t.id
	    AND p_container = ANY (w.container_numbers)),
	    'decision', d.document)
	FROM trains t LEFT JOIN LATERAL (SELECT x.manifest_id, x.document
	    FROM decisions x WHERE x.train_id = t.id AND NOT x.final
	    ORDER BY x.id DESC LIMIT 1) d ON true
	WHERE t.id = p_train
$$;
GRANT EXECUTE ON FUNCTION parcel_context(bigint, text) TO railgate_app;
