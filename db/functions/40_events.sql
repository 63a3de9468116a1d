-- 40_events.sql -- events posted against a train run.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- Records an event for train run p_id (an unknown train number announced
-- by its first position or arrival).  The outcome (docs/storage.md):
-- accepted, conflict (a position or arrival for a finished run),
-- not_found, invalid (equipment the run does not have).
CREATE OR REPLACE FUNCTION add_event(p_id text, p_type text, p_body json,
    p_principal text, p_ruleset text,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	ev_id	bigint;
	equip	text := coalesce(p_body->>'wagon', p_body->>'container',
		    p_body->>'equipment');
	known	boolean;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext(split_part(p_id, '@', 1)));
	SELECT * INTO cur FROM train_find(p_id) FOR UPDATE;
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
		SELECT EXISTS (SELECT 1 FROM wagons w WHERE w.train_id = cur.id AND
		    (w.number = equip OR equip = ANY (w.container_numbers)))
		    INTO known;
		IF NOT known THEN
			outcome := 'invalid';
			reply := json_build_object('title', 'Unknown equipment',
			    'detail', 'train ' || cur.train_no || ' (run ' || cur.run ||
			    ') has no wagon or container ' || equip);
			RETURN;
		END IF;
	END IF;

	INSERT INTO events (train_id, type, body, principal)
	VALUES (cur.id, p_type, p_body, p_principal) RETURNING id INTO ev_id;

	UPDATE trains SET
		eta = CASE WHEN p_type = 'position'
		    THEN coalesce((p_body->>'eta')::timestamptz, eta) ELSE eta END,
		ata = CASE WHEN p_type = 'arrived'
		    THEN coalesce((p_body->>'at')::timestamptz, now()) ELSE ata END,
		clock_start = CASE WHEN p_type = 'arrived' AND clock_start IS NULL
		    AND manifest_id IS NOT NULL THEN now() ELSE clock_start END,
		state = CASE
		    WHEN train_state_is_closed(state) AND decision_final THEN state
		    WHEN state = 'cancelled' THEN state
		    WHEN p_type = 'arrived' THEN 'arrived'
		    WHEN p_type = 'position' AND state = 'evaluated' THEN 'approaching'
		    ELSE state END,
		-- Events the rules read change the decision; the evaluation
		-- re-reads only the wagons they name.
		eval_needed = eval_needed OR (manifest_id IS NOT NULL AND
		    p_type IN ('weighbridge', 'scan', 'seal_check', 'neighbour')),
		updated_at = now()
	WHERE id = cur.id RETURNING * INTO cur;

	PERFORM audit_append(p_principal, 'event.' || p_type, cur.id,
	    json_build_object('event', ev_id, 'body', p_body)::text, p_ruleset);
	outcome := 'accepted';
	reply := json_build_object('event', ev_id,
	    'train', cur.train_no, 'run', cur.run, 'state', cur.state,
	    'reevaluate', cur.eval_needed);
END
$$;
GRANT EXECUTE ON FUNCTION add_event(text, text, json, text, text) TO railgate_app;
