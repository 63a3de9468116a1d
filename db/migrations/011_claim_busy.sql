-- 011_claim_busy.sql -- a daemon does not claim again what it is evaluating.
--
-- claim_evaluations() gave a daemon back the runs it already held, so that
-- a claim whose answer was lost (the connection dropped, the statement was
-- retried) loses nothing.  It also gave back the runs that daemon was still
-- evaluating: under load every train was evaluated two or three times, all
-- but one decision refused as stale.  The daemon now names the runs it has
-- in hand; it gets back only its other leases.  It also names the
-- manifests whose model it holds already (the handoff from its own
-- ingestion): their bytes, which it would not read, are not sent (NULL).

DROP FUNCTION claim_evaluations(text, integer, integer);

CREATE FUNCTION claim_evaluations(p_owner text, p_n integer, p_lease_s integer,
    p_busy bigint[], p_have bigint[])
RETURNS TABLE (train_id bigint, train_no text, run integer,
    manifest_id bigint, raw_z bytea, events json, last_event_id bigint,
    green_lane boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	RETURN QUERY
	WITH claimed AS (
		UPDATE trains t SET lease_owner = p_owner,
		    lease_until = now() + make_interval(secs => p_lease_s)
		WHERE t.id IN (
			SELECT x.id FROM trains x
			WHERE x.eval_needed AND x.manifest_id IS NOT NULL
			  AND (x.lease_until IS NULL OR x.lease_until < now()
			       OR x.lease_owner = p_owner)
			  AND x.id <> ALL (coalesce(p_busy, '{}'))
			ORDER BY x.green_lane DESC, x.id
			LIMIT p_n FOR UPDATE SKIP LOCKED)
		RETURNING t.*)
	SELECT c.id, c.train_no, c.run, c.manifest_id,
	    CASE WHEN c.manifest_id = ANY (coalesce(p_have, '{}')) THEN NULL
	    ELSE m.raw_z END,
	    coalesce((SELECT json_agg(json_build_object('id', e.id, 'type', e.type,
		'body', e.body, 'at', to_char(e.received_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ORDER BY e.id)
		FROM events e WHERE e.train_id = c.id), '[]'),
	    (SELECT max(e.id) FROM events e WHERE e.train_id = c.id),
	    c.green_lane
	FROM claimed c JOIN manifests m ON m.id = c.manifest_id;
END
$$;

GRANT EXECUTE ON FUNCTION claim_evaluations(text, integer, integer, bigint[],
    bigint[])
    TO railgate_app;
