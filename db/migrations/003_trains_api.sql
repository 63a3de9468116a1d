-- 003_trains_api.sql -- the train documents the API serves, built where
-- the data is.

-- The clearance clock of a run, against a target in minutes and a warning
-- share in percent.
CREATE FUNCTION train_clock(t trains, target_min integer, warn_pct integer)
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

-- A run as the train list shows it.
CREATE FUNCTION train_summary(t trains, target_min integer, warn_pct integer)
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

-- The latest run of a train number, or a given run with "X8024@2".
CREATE FUNCTION train_find(p_id text) RETURNS SETOF trains
LANGUAGE sql STABLE AS $$
	SELECT * FROM trains
	WHERE train_no = split_part(p_id, '@', 1)
	  AND (position('@' IN p_id) = 0 OR
	       run::text = split_part(p_id, '@', 2))
	ORDER BY run DESC LIMIT 1
$$;

GRANT EXECUTE ON FUNCTION train_clock(trains, integer, integer),
    train_summary(trains, integer, integer), train_find(text) TO railgate_app;
