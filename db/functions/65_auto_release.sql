-- 65_auto_release.sql -- green trains released by themselves (issue 18,
-- item 4; docs/daemon.md "Automatic release").
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.
--
-- With [decision] auto_release = green, each daemon's timer asks
-- auto_release_due() for provisional RELEASE decisions that nobody has
-- touched for auto_release_delay_s, builds each final decision as
-- approval does (decide_final(), shared with the replay) and stores it
-- through auto_release(), which checks everything again under the
-- train's row lock: with several daemons on one database, the first
-- stores it and the others find it final.

-- Who took the train, {by, at, how}, or NULL: an explicit take
-- (POST /v1/trains/{id}/take), else the first thing an officer or a
-- supervisor did on it -- a resolution, a proposal, an approval
-- (officer_actions) or an event they posted.  PL/pgSQL for its kept
-- plan: every train read asks it (train_amendments(), 30_ingest.sql).
CREATE OR REPLACE FUNCTION train_taken(p_train bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN coalesce(
	    (SELECT jsonb_build_object('by', t.taken_by, 'at', to_char(
		t.taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'how', 'take') FROM trains t WHERE t.id = p_train AND
		t.taken_by IS NOT NULL),
	    (SELECT jsonb_build_object('by', a.principal, 'at', to_char(a.at AT
		TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'how', a.action)
		FROM officer_actions a WHERE a.train_id = p_train AND a.role IN
		('officer', 'supervisor') ORDER BY a.id LIMIT 1),
	    (SELECT jsonb_build_object('by', e.principal, 'at', to_char(
		e.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'how', 'event ' || e.type) FROM events e WHERE e.train_id =
		p_train AND e.role IN ('officer', 'supervisor') ORDER BY e.id
		LIMIT 1));
END
$$;
GRANT EXECUTE ON FUNCTION train_taken(bigint) TO railgate_app;

-- Whether train t goes by itself now: a provisional RELEASE with no hit
-- (on a wagon or on the train), nothing pending (an event received and
-- not yet evaluated -- eval_needed -- or an evaluation in flight under a
-- lease), no set-aside parcel still to unload (docs/parcels.md), no
-- wagon resolved or proposed, taken by nobody, its decision made at
-- least p_delay_s ago (a new decision starts the delay again).
CREATE OR REPLACE FUNCTION auto_release_ready(t trains, p_delay_s integer)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT NOT t.decision_final AND t.decision IS NOT NULL
	    AND NOT train_state_is_closed(t.state)
	    AND t.decision_outcome = 'RELEASE'
	    AND coalesce(json_array_length(t.decision->'train_hits'), 0) = 0
	    AND NOT EXISTS (SELECT 1 FROM json_array_elements(
		t.decision->'wagons') AS w WHERE coalesce(json_array_length(
		w->'hits'), 0) > 0)
	    AND NOT t.eval_needed
	    AND parcels_unload_pending(t.decision, NULL) IS NULL
	    AND (t.lease_until IS NULL OR t.lease_until < now())
	    AND NOT EXISTS (SELECT 1 FROM wagons w WHERE w.train_id = t.id
		AND (w.resolution IS NOT NULL OR w.proposed_action IS NOT NULL))
	    AND train_taken(t.id) IS NULL
	    AND (SELECT d.made_at FROM decisions d WHERE d.train_id = t.id
		ORDER BY d.id DESC LIMIT 1) <= now() -
		make_interval(secs => p_delay_s)
$$;

-- The trains due: id, the version approval would read and the decision.
CREATE OR REPLACE FUNCTION auto_release_due(p_delay_s integer, p_limit integer)
RETURNS TABLE (train_id bigint, version bigint, document text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT t.id, (SELECT max(d.id) FROM decisions d WHERE d.train_id =
	    t.id), t.decision::text
	FROM trains t
	WHERE NOT t.decision_final AND t.decision_outcome = 'RELEASE'
	  AND auto_release_ready(t, p_delay_s)
	ORDER BY t.id LIMIT p_limit
$$;
GRANT EXECUTE ON FUNCTION auto_release_due(integer, integer) TO railgate_app;

-- Stores the final decision p_doc (built by decide_final() from version
-- p_version) as system:auto-release, if the train is still ready under
-- its row lock: done (notices queued as for an approval), or conflict.
CREATE OR REPLACE FUNCTION auto_release(p_train bigint, p_version bigint,
    p_doc json, p_outcome text, p_wagons json, p_delay_s integer,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM trains WHERE id = p_train FOR UPDATE;
	IF NOT FOUND OR p_outcome IS DISTINCT FROM 'RELEASE' OR
	    NOT auto_release_ready(cur, p_delay_s) THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Not released', 'detail',
		    'the train is no longer a green train nobody took');
		RETURN;
	END IF;
	SELECT f.outcome, f.reply INTO outcome, reply
	FROM finalize_decision(p_train, p_version, p_doc, p_outcome, p_wagons,
	    'system:auto-release', 'system', 'green train: no hit, nothing '
	    'pending, taken by no officer within ' || p_delay_s || ' s', true,
	    wagon_fingerprint(p_train), false) f;
END
$$;
GRANT EXECUTE ON FUNCTION auto_release(bigint, bigint, json, text, json, integer) TO railgate_app;

-- An officer takes a train (POST /v1/trains/{id}/take): it waits for
-- them, not for the timer.  The first to take it is recorded; taking it
-- again changes nothing.  done, not_found, conflict (final, cancelled).
CREATE OR REPLACE FUNCTION take_train(p_id text, p_principal text,
    p_role text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM train_find(p_id) FOR UPDATE;
	IF NOT FOUND THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id);
		RETURN;
	END IF;
	IF cur.decision_final OR cur.state = 'cancelled' THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Nothing to take', 'detail',
		    'train ' || cur.train_no || ' (run ' || cur.run || ') is ' ||
		    cur.state || CASE WHEN cur.decision_final THEN ' (final)'
		    ELSE '' END);
		RETURN;
	END IF;
	IF cur.taken_by IS NULL THEN
		UPDATE trains SET taken_by = p_principal, taken_at = now(),
		    updated_at = now() WHERE id = cur.id;
		PERFORM audit_append(p_principal, 'train.taken', cur.id,
		    json_build_object('role', p_role)::text, cur.ruleset_sha256);
	END IF;
	outcome := 'done';
	reply := json_build_object('train', cur.train_no, 'run', cur.run,
	    'taken', train_taken(cur.id));
END
$$;
GRANT EXECUTE ON FUNCTION take_train(text, text, text) TO railgate_app;
