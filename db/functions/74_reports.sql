-- 74_reports.sql -- the auditor's work over the API (issue 20 item 6,
-- docs/auditor.md): replays requested, claimed under a lease, their
-- progress and end (table in 033_replays.sql); and the reports across
-- trains, each one query answering {"columns": [...], "rows": [[...]]}
-- which the daemon writes as CSV or HTML (daemon/api/api_reports.c).

-- A replay requested: 'done' with {"id", "state"}; the selection was
-- checked by the daemon ({"trains": [...]} | {"since", "until"} | {"all"}).
CREATE OR REPLACE FUNCTION replay_request(p_principal text, p_selection json)
RETURNS TABLE (outcome text, reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	rid	bigint;
BEGIN
	-- A period PostgreSQL cannot read is refused here (class 22), not
	-- when the replay runs.
	PERFORM (p_selection->>'since')::timestamptz,
	    (p_selection->>'until')::timestamptz;
	INSERT INTO replays (requested_by, selection)
	VALUES (p_principal, p_selection) RETURNING id INTO rid;
	PERFORM audit_append(p_principal, 'replay.requested', NULL,
	    json_build_object('replay', rid, 'selection', p_selection)::text,
	    NULL);
	PERFORM pg_notify('railgate_replays', rid::text);
	RETURN QUERY SELECT 'done'::text, json_build_object('id', rid,
	    'state', 'queued');
END
$$;

-- The oldest replay waiting, or running under a lease that ran out (its
-- daemon died): claimed for p_owner for p_lease_s seconds and started
-- over.  One claimed too often (REPLAY_ATTEMPTS_MAX: 3) is failed
-- instead, so that a replay that kills its daemon does not kill them all.
CREATE OR REPLACE FUNCTION replay_claim(p_owner text, p_lease_s integer)
RETURNS TABLE (id bigint, selection text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	r	replays%ROWTYPE;
BEGIN
	LOOP
		SELECT * INTO r FROM replays x
		WHERE x.state = 'queued' OR (x.state = 'running' AND
		    x.lease_until < now())
		ORDER BY x.id LIMIT 1 FOR UPDATE SKIP LOCKED;
		IF NOT FOUND THEN
			RETURN;
		END IF;
		IF r.attempts >= 3 THEN
			UPDATE replays x SET state = 'failed', finished_at = now(),
			    lease_owner = NULL, lease_until = NULL,
			    error = 'claimed 3 times and never finished: the '
			    'daemons running it stopped'
			WHERE x.id = r.id;
			PERFORM audit_append(p_owner, 'replay.failed', NULL,
			    json_build_object('replay', r.id, 'error',
			    'abandoned')::text, NULL);
			CONTINUE;
		END IF;
		UPDATE replays x SET state = 'running', lease_owner = p_owner,
		    lease_until = now() + make_interval(secs => p_lease_s),
		    attempts = x.attempts + 1, started_at = now(), total = NULL,
		    checked = 0, same = 0, different = 0, errors = 0
		WHERE x.id = r.id;
		RETURN QUERY SELECT r.id, r.selection::text;
		RETURN;
	END LOOP;
END
$$;

-- Progress of a replay p_owner holds, its lease extended; false when the
-- lease was lost (another daemon took it over): the caller stops.
CREATE OR REPLACE FUNCTION replay_progress(p_id bigint, p_owner text,
    p_total bigint, p_checked bigint, p_same bigint, p_different bigint,
    p_errors bigint, p_lease_s integer)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	WITH u AS (
		UPDATE replays SET total = coalesce(p_total, total),
		    checked = p_checked, same = p_same, different = p_different,
		    errors = p_errors,
		    lease_until = now() + make_interval(secs => p_lease_s)
		WHERE id = p_id AND state = 'running' AND lease_owner = p_owner
		RETURNING 1)
	SELECT EXISTS (SELECT 1 FROM u);
$$;

-- The end of a replay p_owner holds: 'done' with its report (p_result)
-- or 'failed' with p_error; audited.  false when the lease was lost.
CREATE OR REPLACE FUNCTION replay_finish(p_id bigint, p_owner text,
    p_result json, p_error text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	UPDATE replays SET state = CASE WHEN p_result IS NULL THEN 'failed'
	    ELSE 'done' END, result = p_result, error = p_error,
	    finished_at = now(), lease_owner = NULL, lease_until = NULL,
	    total = CASE WHEN p_result IS NULL THEN total
	    ELSE (p_result->>'decisions')::bigint END,
	    checked = coalesce((p_result->>'decisions')::bigint, checked),
	    same = coalesce((p_result->>'identical')::bigint, same),
	    different = coalesce((p_result->>'different')::bigint, different),
	    errors = coalesce((p_result->>'failed')::bigint, errors)
	WHERE id = p_id AND state = 'running' AND lease_owner = p_owner;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM audit_append(p_owner, CASE WHEN p_result IS NULL THEN
	    'replay.failed' ELSE 'replay.done' END, NULL, json_build_object(
	    'replay', p_id, 'decisions', p_result->'decisions', 'identical',
	    p_result->'identical', 'different', p_result->'different',
	    'failed', p_result->'failed', 'audit_intact',
	    p_result->'audit'->'intact', 'error', p_error)::text, NULL);
	RETURN true;
END
$$;

-- One replay as GET /v1/replays/{id} shows it (NULL: none).
CREATE OR REPLACE FUNCTION replay_json(r replays, p_result boolean)
RETURNS json LANGUAGE sql STABLE SET search_path = public AS $$
	SELECT json_build_object('id', r.id, 'requested_by', r.requested_by,
	    'requested_at', to_char(r.requested_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'selection', r.selection,
	    'state', r.state, 'progress', json_build_object('total', r.total,
	    'checked', r.checked, 'same', r.same, 'different', r.different,
	    'errors', r.errors), 'started_at', to_char(r.started_at AT TIME
	    ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'finished_at',
	    to_char(r.finished_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'attempts', r.attempts,
	    'error', r.error, 'result', CASE WHEN p_result THEN r.result END);
$$;

CREATE OR REPLACE FUNCTION replay_get(p_id bigint)
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT replay_json(r, true) FROM replays r WHERE r.id = p_id;
$$;

-- The latest 100 replays, newest first, without their reports.
CREATE OR REPLACE FUNCTION replays_list()
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('replays', coalesce(json_agg(replay_json(r,
	    false) ORDER BY r.id DESC), '[]'))
	FROM (SELECT * FROM replays ORDER BY id DESC LIMIT 100) r;
$$;

-- Overrides by principal in [p_from, p_to): resolutions that took a
-- wagon to another action than the rules' (wagons.rules_action: what the
-- rules say of it now), and four-eyes confirmations (a wagon override
-- confirmed, officer_actions.confirmed_by; a train proposal confirmed,
-- train_proposals.decided_by).  The daemon's own rows are left out.
--
-- plpgsql planned for the period's own values (force_custom_plan): a
-- generic plan guessed a handful of actions and looked each wagon up by
-- its number's trigram index, 48 s for a month of a big station.
CREATE OR REPLACE FUNCTION report_overrides(p_from timestamptz,
    p_to timestamptz)
RETURNS json LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public SET plan_cache_mode = force_custom_plan AS $$
BEGIN
	RETURN (WITH r AS (
		SELECT a.principal, 'resolution' AS kind, a.train_id
		FROM officer_actions a JOIN wagons w ON w.train_id = a.train_id
		    AND w.number = a.wagon
		WHERE a.at >= p_from AND a.at < p_to AND a.role <> 'system'
		  AND a.action IN ('release', 'inspect', 'hold', 'refuse')
		  AND upper(a.action) IS DISTINCT FROM w.rules_action
		UNION ALL
		SELECT a.confirmed_by, 'confirmation', a.train_id
		FROM officer_actions a
		WHERE a.at >= p_from AND a.at < p_to AND a.confirmed_by IS NOT NULL
		UNION ALL
		SELECT p.decided_by, 'confirmation', p.train_id
		FROM train_proposals p
		WHERE p.state = 'confirmed' AND p.decided_at >= p_from
		  AND p.decided_at < p_to),
	g AS (
		SELECT principal,
		    count(*) FILTER (WHERE kind = 'resolution') AS resolutions,
		    count(*) FILTER (WHERE kind = 'confirmation') AS confirmations,
		    count(DISTINCT train_id) AS trains
		FROM r GROUP BY principal)
	SELECT json_build_object('columns', json_build_array('principal',
	    'overrides', 'confirmations', 'trains'), 'rows',
	    coalesce(json_agg(json_build_array(principal, resolutions,
	    confirmations, trains) ORDER BY principal), '[]'))
	FROM g);
END
$$;

-- Each train run created in [p_from, p_to): minutes from the manifest
-- its first decision was made on to that decision, and from the start of
-- its clearance clock (trains.clock_start: arrival, or receipt when the
-- manifest came after the train) to its release (the first final
-- decision), against the target.  A run not yet released has no release.
CREATE OR REPLACE FUNCTION report_clearance(p_from timestamptz,
    p_to timestamptz, p_target_min integer)
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	WITH x AS (
		SELECT t.id, t.train_no, t.run, t.clock_start, m.received_at,
		    f.made_at AS first_at, r.made_at AS release_at
		FROM trains t
		LEFT JOIN LATERAL (SELECT d.made_at, d.manifest_id FROM decisions d
		    WHERE d.train_id = t.id ORDER BY d.id LIMIT 1) f ON true
		LEFT JOIN manifests m ON m.id = f.manifest_id
		LEFT JOIN LATERAL (SELECT d.made_at FROM decisions d
		    WHERE d.train_id = t.id AND d.final ORDER BY d.id LIMIT 1) r
		    ON true
		WHERE t.created_at >= p_from AND t.created_at < p_to)
	SELECT json_build_object('target_minutes', p_target_min, 'columns',
	    json_build_array('train', 'run', 'manifest_received',
	    'first_decision', 'minutes_to_first_decision', 'clock_start',
	    'released', 'minutes_to_release', 'within_target'), 'rows',
	    coalesce(json_agg(json_build_array(x.train_no, x.run,
	    to_char(x.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    to_char(x.first_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    round((extract(epoch FROM x.first_at - x.received_at) / 60)::numeric, 2),
	    to_char(x.clock_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    to_char(x.release_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    round((extract(epoch FROM x.release_at - x.clock_start) / 60)::numeric, 2),
	    CASE WHEN x.release_at IS NULL OR x.clock_start IS NULL THEN NULL
	    ELSE x.release_at - x.clock_start <= make_interval(mins =>
	    p_target_min) END) ORDER BY x.id), '[]'))
	FROM x;
$$;

-- The hits of each rule in a decision document (train hits and every
-- wagon's), recorded for the hits report.  Never refuses the decision: a
-- document it cannot read is logged and leaves no rows.
CREATE OR REPLACE FUNCTION decision_hits_record(p_id bigint, p_doc json)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	-- Parsed once (json_array_elements parses every level again: twice
	-- the time, 8 ms for a train of 55 wagons and 159 hits).
	d	jsonb := p_doc::jsonb;
BEGIN
	INSERT INTO decision_hits (decision_id, rule, hits)
	SELECT p_id, x.r, count(*)
	FROM (SELECT jsonb_path_query(d, 'lax $.train_hits[*].rule') #>> '{}'
		    AS r
	      UNION ALL
	      SELECT jsonb_path_query(d, 'lax $.wagons[*].hits[*].rule')
		    #>> '{}') x
	WHERE x.r IS NOT NULL
	GROUP BY 1, 2
	ON CONFLICT DO NOTHING;
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'decision %: hits not counted for the reports: %',
	    p_id, SQLERRM;
END
$$;

CREATE OR REPLACE FUNCTION decision_hits_count()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	PERFORM decision_hits_record(NEW.id, NEW.document);
	RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS decisions_hits_count ON decisions;
CREATE TRIGGER decisions_hits_count AFTER INSERT ON decisions
	FOR EACH ROW EXECUTE FUNCTION decision_hits_count();

-- Hits of each rule per day (UTC) in the latest decision of each train
-- run created in [p_from, p_to): train hits and every wagon's, as
-- decision_hits counted them.
CREATE OR REPLACE FUNCTION report_hits(p_from timestamptz, p_to timestamptz)
RETURNS json LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	WITH h AS (
		SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
		    h.rule, sum(h.hits) AS hits, count(DISTINCT t.id) AS trains
		FROM trains t
		JOIN LATERAL (SELECT d.id FROM decisions d WHERE d.train_id = t.id
		    ORDER BY d.id DESC LIMIT 1) d ON true
		JOIN decision_hits h ON h.decision_id = d.id
		WHERE t.created_at >= p_from AND t.created_at < p_to
		GROUP BY 1, 2)
	SELECT json_build_object('columns', json_build_array('day', 'rule',
	    'hits', 'trains'), 'rows', coalesce(json_agg(json_build_array(day,
	    rule, hits, trains) ORDER BY day, rule), '[]'))
	FROM h;
$$;

GRANT EXECUTE ON FUNCTION replay_request(text, json), replay_claim(text, integer),
    replay_progress(bigint, text, bigint, bigint, bigint, bigint, bigint, integer),
    replay_finish(bigint, text, json, text), replay_get(bigint), replays_list(),
    report_overrides(timestamptz, timestamptz),
    report_clearance(timestamptz, timestamptz, integer),
    report_hits(timestamptz, timestamptz) TO railgate_app;
REVOKE EXECUTE ON FUNCTION decision_hits_record(bigint, json),
    decision_hits_count() FROM PUBLIC;
