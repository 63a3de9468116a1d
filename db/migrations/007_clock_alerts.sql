-- 007_clock_alerts.sql -- the clearance clock's warnings, logged once.
--
-- The API computes each train's clock when asked (train_clock()); the
-- daemon also logs a train the first time it passes the warning share of
-- its target and again when it passes the target.  The flag last logged
-- is kept on the train, so that several daemons sharing the database log
-- each crossing once.

ALTER TABLE trains ADD COLUMN clock_logged text;	-- NULL, 'amber' or 'red'

-- Trains whose clock crossed into amber or red since last logged, marked.
CREATE FUNCTION clock_alerts(p_target_min integer, p_warn_pct integer)
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
