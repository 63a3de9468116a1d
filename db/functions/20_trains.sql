-- 20_trains.sql -- reading train runs: state, lookup by id, the summary the API lists,
-- and the clearance clock (its alerts and a server clock jump).
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

CREATE OR REPLACE FUNCTION train_state_is_closed(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT s IN ('released', 'partially_released', 'held', 'cancelled')
$$;

-- The clearance clock of a run, against a target in minutes and a warning
-- share in percent.
CREATE OR REPLACE FUNCTION train_clock(t trains, target_min integer, warn_pct integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN t.clock_start IS NULL THEN
		json_build_object('started', NULL, 'target_s', target_min * 60)
	ELSE (
		SELECT json_build_object(
		    'started', to_char(t.clock_start AT TIME ZONE 'UTC',
			'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		    'target_s', target_min * 60,
		    'elapsed_s', e,
		    'remaining_s', target_min * 60 - e,
		    'flag', CASE
			WHEN t.decision_final THEN 'done'
			WHEN e >= target_min * 60 THEN 'red'
			WHEN e * 100 >= target_min * 60 * warn_pct THEN 'amber'
			ELSE 'ok' END)
		FROM (SELECT floor(extract(epoch FROM
		    coalesce(CASE WHEN t.decision_final THEN t.updated_at END, now())
		    - t.clock_start))::bigint AS e) x)
	END
$$;
GRANT EXECUTE ON FUNCTION train_clock(trains, integer, integer) TO railgate_app;

-- A run as the train list shows it.
CREATE OR REPLACE FUNCTION train_summary(t trains, target_min integer, warn_pct integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'train', t.train_no,
	    'run', t.run,
	    'state', t.state,
	    'direction', t.direction,
	    'border_station', t.border_station,
	    'departure_station', t.departure_station,
	    'destination_station', t.destination_station,
	    'eta', to_char(t.eta AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'ata', to_char(t.ata AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'green_lane', t.green_lane,
	    'counts', t.counts,
	    'decision', t.decision->>'decision',
	    'final', t.decision_final,
	    'clock', train_clock(t, target_min, warn_pct))
$$;
GRANT EXECUTE ON FUNCTION train_summary(trains, integer, integer) TO railgate_app;

-- The latest run of a train number, or a given run with "X8024@2".
CREATE OR REPLACE FUNCTION train_find(p_id text) RETURNS SETOF trains
LANGUAGE sql STABLE AS $$
	SELECT * FROM trains
	WHERE train_no = split_part(p_id, '@', 1)
	  AND (position('@' IN p_id) = 0 OR
	       run::text = split_part(p_id, '@', 2))
	ORDER BY run DESC LIMIT 1
$$;
GRANT EXECUTE ON FUNCTION train_find(text) TO railgate_app;

-- The train p_id names (train_find()), its row locked until the
-- transaction ends.  "SELECT ... FROM train_find(p_id) FOR UPDATE" locks
-- nothing: a locking clause skips a function in FROM, so two supervisors
-- confirming one proposal at once both went through.
CREATE OR REPLACE FUNCTION train_lock(p_id text) RETURNS SETOF trains
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	RETURN QUERY SELECT t.* FROM trains t
	    WHERE t.id = (SELECT f.id FROM train_find(p_id) f) FOR UPDATE;
END
$$;

-- Trains whose clock crossed into amber or red since last logged, marked.
CREATE OR REPLACE FUNCTION clock_alerts(p_target_min integer, p_warn_pct integer)
RETURNS TABLE (train_no text, run integer, flag text, elapsed_s bigint,
    target_s integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	RETURN QUERY
	WITH due AS (
		SELECT t.id, train_clock(t, p_target_min, p_warn_pct) AS c
		FROM trains t
		WHERE t.clock_start IS NOT NULL AND NOT t.decision_final
		  AND t.state <> 'cancelled'
		  AND coalesce(t.clock_logged, '') <> 'red'
		FOR UPDATE SKIP LOCKED),
	crossed AS (
		UPDATE trains t SET clock_logged = due.c->>'flag'
		FROM due
		WHERE t.id = due.id AND due.c->>'flag' IN ('amber', 'red')
		  AND coalesce(t.clock_logged, '') <> due.c->>'flag'
		RETURNING t.train_no, t.run, due.c)
	SELECT crossed.train_no, crossed.run, crossed.c->>'flag',
	    (crossed.c->>'elapsed_s')::bigint, (crossed.c->>'target_s')::integer
	FROM crossed;
END
$$;
GRANT EXECUTE ON FUNCTION clock_alerts(integer, integer) TO railgate_app;

-- Shifts the running clearance clocks by p_jump_ms; returns how many, or
-- -1 when another daemon already reported the same jump (within 2 s of
-- it, in the last minute).
CREATE OR REPLACE FUNCTION clock_jump(p_jump_ms bigint, p_by text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	n	integer;
BEGIN
	LOCK TABLE clock_jumps IN SHARE ROW EXCLUSIVE MODE;
	IF EXISTS (SELECT FROM clock_jumps
	    WHERE observed_at > clock_timestamp() - interval '60 seconds'
	      AND abs(jump_ms - p_jump_ms) < 2000) THEN
		RETURN -1;
	END IF;
	UPDATE trains SET clock_start = clock_start +
	    make_interval(secs => p_jump_ms / 1000.0)
	WHERE clock_start IS NOT NULL AND NOT decision_final
	  AND state <> 'cancelled';
	GET DIAGNOSTICS n = ROW_COUNT;
	INSERT INTO clock_jumps (jump_ms, observed_by, trains)
	VALUES (p_jump_ms, p_by, n);
	PERFORM audit_append(p_by, 'clock.jump', NULL,
	    json_build_object('jump_ms', p_jump_ms, 'clocks_shifted', n)::text,
	    NULL);
	RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION clock_jump(bigint, text) TO railgate_app;

CREATE OR REPLACE FUNCTION train_is_finished(t trains) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.state = 'cancelled' OR
	    (train_state_is_closed(t.state) AND t.decision_final)
$$;

-- s as one segment of a URI path: what is not unreserved or a sub-delim
-- %-encoded.  A train number may hold '?', '#' or '%' (1 to 64 printable
-- characters): the Location of X?1 was /v1/trains/X?1, which names X.
CREATE OR REPLACE FUNCTION uri_segment(s text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(string_agg(CASE WHEN c ~ '^[A-Za-z0-9._~!$&''()*+,;=:-]$'
	    THEN c ELSE upper(regexp_replace(encode(convert_to(c, 'UTF8'),
	    'hex'), '(..)', '%\1', 'g')) END, '' ORDER BY i), '')
	FROM regexp_split_to_table(s, '') WITH ORDINALITY AS x(c, i)
$$;
