-- 005_evaluation.sql -- evaluation leases and decisions.
--
-- Work is claimed with FOR UPDATE SKIP LOCKED and held by a lease, so that
-- several daemons can share one database: a daemon killed mid-train has
-- its work taken over by another once the lease expires.  A decision is
-- stored only by the lease holder, for the manifest and the events it
-- read, so no train is decided twice for the same inputs.

-- Claims up to p_n runs that need evaluation, green lane first.
CREATE FUNCTION claim_evaluations(p_owner text, p_n integer, p_lease_s integer)
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
			ORDER BY x.green_lane DESC, x.id
			LIMIT p_n FOR UPDATE SKIP LOCKED)
		RETURNING t.*)
	SELECT c.id, c.train_no, c.run, c.manifest_id, m.raw_z,
	    coalesce((SELECT json_agg(json_build_object('id', e.id, 'type', e.type,
		'body', e.body, 'at', to_char(e.received_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"')) ORDER BY e.id)
		FROM events e WHERE e.train_id = c.id), '[]'),
	    (SELECT max(e.id) FROM events e WHERE e.train_id = c.id),
	    c.green_lane
	FROM claimed c JOIN manifests m ON m.id = c.manifest_id;
END
$$;

-- Stores a decision made under a lease.  Returns 'stored', or 'stale' when
-- the lease was lost or the inputs changed meanwhile (newer manifest):
-- the work will be claimed again.
CREATE FUNCTION store_decision(p_train bigint, p_owner text, p_doc json,
    p_outcome text, p_final boolean, p_wagons json, p_ruleset text,
    p_ruleset_name text, p_manifest bigint, p_last_event bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	newer	boolean;
BEGIN
	SELECT * INTO cur FROM trains WHERE id = p_train FOR UPDATE;
	IF NOT FOUND OR cur.lease_owner IS DISTINCT FROM p_owner
	    OR cur.manifest_id <> p_manifest THEN
		RETURN 'stale';
	END IF;
	SELECT EXISTS (SELECT 1 FROM events WHERE train_id = p_train
	    AND id > coalesce(p_last_event, 0)
	    AND type IN ('weighbridge', 'scan', 'seal_check', 'neighbour'))
	    INTO newer;
	INSERT INTO decisions (train_id, document, outcome, final,
	    ruleset_sha256, manifest_id, last_event_id, made_by)
	VALUES (p_train, p_doc, p_outcome, p_final, p_ruleset, p_manifest,
	    p_last_event, p_owner);
	UPDATE trains SET decision = p_doc, decision_final = p_final,
	    ruleset_sha256 = p_ruleset,
	    state = CASE
		WHEN state = 'cancelled' THEN state
		WHEN p_final THEN CASE p_outcome WHEN 'RELEASE' THEN 'released'
		    WHEN 'PARTIAL_RELEASE' THEN 'partially_released' ELSE 'held' END
		WHEN state IN ('received', 'evaluated') THEN 'evaluated'
		ELSE state END,
	    eval_needed = newer, lease_owner = NULL, lease_until = NULL,
	    updated_at = now()
	WHERE id = p_train;
	UPDATE wagons w SET action = x->>'action'
	FROM json_array_elements(p_wagons) AS x
	WHERE w.train_id = p_train AND w.position = (x->>'position')::int;
	PERFORM audit_append(p_owner, CASE WHEN p_final THEN 'decision.final'
	    ELSE 'decision.provisional' END, p_train,
	    json_build_object('outcome', p_outcome, 'ruleset', p_ruleset_name,
	    'manifest', p_manifest, 'last_event', p_last_event)::text, p_ruleset);
	RETURN 'stored';
END
$$;

-- Records a rule set by the hash of its exact text (for replays).
CREATE FUNCTION store_ruleset(p_sha256 text, p_name text, p_files_z bytea)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	INSERT INTO rulesets (sha256, name, files_z) VALUES (p_sha256, p_name,
	    p_files_z) ON CONFLICT (sha256) DO NOTHING
$$;

GRANT EXECUTE ON FUNCTION claim_evaluations(text, integer, integer),
    store_decision(bigint, text, json, text, boolean, json, text, text, bigint,
    bigint), store_ruleset(text, text, bytea) TO railgate_app;
