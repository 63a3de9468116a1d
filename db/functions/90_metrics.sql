-- 90_metrics.sql -- the gauges /metrics takes from the database.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

CREATE OR REPLACE FUNCTION metrics_snapshot(p_target_min integer, p_amber_s integer,
    p_red_s integer)
RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object(
	    'trains', (SELECT coalesce(json_object_agg(state, n), '{}')
		FROM (SELECT state, count(*) AS n FROM trains GROUP BY state) s),
	    'notices', (SELECT coalesce(json_object_agg(state, n), '{}')
		FROM (SELECT state, count(*) AS n FROM notices GROUP BY state) s),
	    'notices_oldest_pending_s', (SELECT coalesce(extract(epoch FROM
		now() - min(created_at)), 0)::bigint
		FROM notices WHERE state = 'pending'),
	    'peer_outbox', (SELECT coalesce(json_object_agg(state, n), '{}')
		FROM (SELECT state, count(*) AS n FROM peer_outbox
		GROUP BY state) s),
	    'peer_oldest_pending_s', (SELECT coalesce(extract(epoch FROM
		now() - min(created_at)), 0)::bigint
		FROM peer_outbox WHERE state = 'pending'),
	    'target_s', p_target_min * 60,
	    'running', (SELECT json_build_object('flags', json_build_object(
		'ok', count(*) FILTER (WHERE f = 'ok'),
		'amber', count(*) FILTER (WHERE f = 'amber'),
		'red', count(*) FILTER (WHERE f = 'red'),
		'overdue', count(*) FILTER (WHERE f = 'overdue')),
		'max_elapsed_s', coalesce(max(e), 0))
		FROM (SELECT e, clock_flag(p_target_min * 60 - floor(e)::bigint,
		    p_amber_s, p_red_s) AS f
		    FROM (SELECT extract(epoch FROM now() - clock_start) AS e
		    FROM trains WHERE clock_start IS NOT NULL
		    AND NOT decision_final AND state <> 'cancelled') r0) r),
	    'finished', (SELECT json_build_object(
		'within', count(*) FILTER (WHERE e <= p_target_min * 60),
		'over', count(*) FILTER (WHERE e > p_target_min * 60))
		FROM (SELECT extract(epoch FROM updated_at - clock_start) AS e
		    FROM trains WHERE clock_start IS NOT NULL
		    AND decision_final) f))
$$;
GRANT EXECUTE ON FUNCTION metrics_snapshot(integer, integer, integer) TO railgate_app;
