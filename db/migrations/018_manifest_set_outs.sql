-- 018_manifest_set_outs.sql -- no later manifest lifts what customs set
-- out (issue 15, found by attacking the fix of items 1-3).
--
-- A replacement that leaves out a wagon at HOLD or REFUSE is refused, and
-- an officer's HOLD or REFUSE is kept on the wagon of the same number
-- (wagons_rebuild() of 016).  Two ways around that were open to the
-- operator alone:
--   * a cancellation (message function 1) was not checked: one listing
--     no wagons deleted them all, with the officers' set-outs, and a
--     replacement after it brought the train back with none;
--   * a train partially released for good could be replaced (or
--     cancelled and then replaced): the replacement made its decision
--     provisional again, so a wagon the final decision refused
--     (prohibited goods) came back re-declared, was evaluated RELEASE,
--     and a plain officer's approval released the whole train.
-- Now a cancellation is checked like a replacement (it may not leave out
-- a set-out wagon, whose officers' set-outs it keeps by number), and a
-- run whose final decision sets out a wagon at HOLD or REFUSE takes no
-- further manifest at all: what customs decided finally is changed by
-- officers (an override, with four eyes), never by the railway.

-- NULL, or why a manifest of function p_function (replace, cancel) with
-- p_wagons may not take the place of train cur's.
CREATE FUNCTION manifest_change_problem(cur trains, p_function text,
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

-- s as one segment of a URI path: what is not unreserved or a sub-delim
-- %-encoded.  A train number may hold '?', '#' or '%' (1 to 64 printable
-- characters): the Location of X?1 was /v1/trains/X?1, which names X.
CREATE FUNCTION uri_segment(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(string_agg(CASE WHEN c ~ '^[A-Za-z0-9._~!$&''()*+,;=:-]$'
	    THEN c ELSE upper(regexp_replace(encode(convert_to(c, 'UTF8'),
	    'hex'), '(..)', '%\1', 'g')) END, '' ORDER BY i), '')
	FROM regexp_split_to_table(s, '') WITH ORDINALITY AS x(c, i)
$$;

-- ingest_manifest() of 010, checking replacements and cancellations with
-- manifest_change_problem(), rebuilding the wagons with wagons_rebuild()
-- (016), its location a URI whatever the train number.
CREATE OR REPLACE FUNCTION ingest_manifest(
	p_sha256 text, p_raw_z bytea, p_raw_size bigint, p_format text,
	p_source text, p_principal text, p_key text, p_accepted boolean,
	p_train_no text, p_function text, p_diagnostics json, p_train json,
	p_wagons json, p_ruleset text,
	OUT manifest_id bigint, OUT train_id bigint, OUT http_status integer,
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
				manifest_id := prior.id; http_status := 422; repeated := true;
				reply := json_build_object('title', 'Idempotency-Key reused',
				    'detail', 'this Idempotency-Key was first used for a '
				    'different manifest (sha256 ' || prior.sha256 || ')');
				RETURN;
			END IF;
			manifest_id := prior.id;
			reply := prior.reply;
			http_status := (prior.reply->>'status')::int;
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
		http_status := (prior.reply->>'status')::int;
		train_id := nullif(prior.reply->>'train_run_id', '')::bigint;
		repeated := true;
		RETURN;
	END;

	IF NOT p_accepted THEN
		http_status := 422;
		reply := json_build_object('status', 422, 'manifest', manifest_id,
		    'title', 'Unreadable manifest',
		    'detail', 'the manifest could not be read; see diagnostics',
		    'diagnostics', p_diagnostics);
		UPDATE manifests SET reply = ingest_manifest.reply WHERE id = manifest_id;
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
		http_status := 409;
		reply := json_build_object('status', 409, 'manifest', manifest_id,
		    'title', 'Conflict', 'detail', problem,
		    'diagnostics', p_diagnostics);
		UPDATE manifests SET reply = ingest_manifest.reply WHERE id = manifest_id;
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
		-- The clock starts at arrival, or now if the train is already in.
		clock_start = coalesce(clock_start,
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

	http_status := 202;
	reply := json_build_object('status', 202, 'manifest', manifest_id,
	    'train', p_train_no, 'run', cur.run, 'train_run_id', cur.id::text,
	    'state', cur.state, 'function', p_function,
	    'location', '/v1/trains/' || uri_segment(p_train_no),
	    'diagnostics', p_diagnostics);
	UPDATE manifests SET reply = ingest_manifest.reply WHERE id = manifest_id;
	PERFORM audit_append(p_principal, 'manifest.' || p_function, cur.id,
	    json_build_object('manifest', manifest_id, 'sha256', p_sha256,
	    'train', p_train_no, 'run', cur.run, 'state', cur.state,
	    'source', p_source)::text, p_ruleset);
END
$$;


GRANT EXECUTE ON FUNCTION manifest_change_problem(trains, text, json)
    TO railgate_app;

