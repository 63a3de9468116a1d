-- 20_trains.sql -- reading train runs: state, lookup by id, the summary the API lists,
-- and the clearance clock (its alerts and a server clock jump).
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

CREATE OR REPLACE FUNCTION train_state_is_closed(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT s IN ('released', 'partially_released', 'held', 'cancelled')
$$;

-- Cancelled, or closed with a final decision: out of the queue.
CREATE OR REPLACE FUNCTION train_is_finished(t trains) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.state = 'cancelled' OR
	    (train_state_is_closed(t.state) AND t.decision_final)
$$;

-- A time as the API writes it (UTC, to the second), NULL kept.  STABLE,
-- as to_char() is: declared IMMUTABLE it was never inlined (a function
-- is inlined only when its body is no more volatile than it says) and
-- ran as a function of its own at every call, six times a run in the
-- train list -- half the list's time (issue 23).
CREATE OR REPLACE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
GRANT EXECUTE ON FUNCTION api_time(timestamptz) TO railgate_app;

-- The flag of a running clock with remaining_s left (022): overdue once
-- the target is passed, red at red_s or less left, amber at amber_s or
-- less.
CREATE OR REPLACE FUNCTION clock_flag(remaining_s bigint, amber_s integer,
    red_s integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN remaining_s <= 0 THEN 'overdue'
	    WHEN remaining_s <= red_s THEN 'red'
	    WHEN remaining_s <= amber_s THEN 'amber'
	    ELSE 'ok' END
$$;
GRANT EXECUTE ON FUNCTION clock_flag(bigint, integer, integer) TO railgate_app;

-- A flag's rank: a crossing only ever goes up.
CREATE OR REPLACE FUNCTION clock_flag_rank(flag text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE flag WHEN 'amber' THEN 1 WHEN 'red' THEN 2
	    WHEN 'overdue' THEN 3 ELSE 0 END
$$;
GRANT EXECUTE ON FUNCTION clock_flag_rank(text) TO railgate_app;

-- A running clock of run t, e seconds gone (train_clock()).
CREATE OR REPLACE FUNCTION train_clock_running(t trains, target_min integer,
    amber_s integer, red_s integer, e bigint)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'started', api_time(t.clock_start),
	    'arrived_at', api_time(t.arrival_at),
	    'arrival_received_at', api_time(t.arrival_received_at),
	    'target_s', target_min * 60,
	    'amber_left_s', amber_s, 'red_left_s', red_s,
	    'elapsed_s', e,
	    'remaining_s', target_min * 60 - e,
	    'flag', CASE WHEN t.decision_final THEN 'done'
		ELSE clock_flag(target_min * 60 - e, amber_s, red_s) END)
$$;
GRANT EXECUTE ON FUNCTION train_clock_running(trains, integer, integer,
    integer, bigint) TO railgate_app;

-- The clearance clock of a run, against a target in minutes and the
-- thresholds of time left in seconds.  It runs from the arrival reported
-- (clock_start); both that time and when it was received are shown.  One
-- expression, which the train list's query takes in (a sub-select for
-- the seconds gone kept it a function called at every run: with
-- api_time() inlined, 12 -> 5.4 ms for 470 runs; issue 23).
CREATE OR REPLACE FUNCTION train_clock(t trains, target_min integer,
    amber_s integer, red_s integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN t.clock_start IS NULL THEN
		json_build_object('started', NULL, 'target_s', target_min * 60,
		    'amber_left_s', amber_s, 'red_left_s', red_s,
		    'arrived_at', api_time(t.arrival_at),
		    'arrival_received_at', api_time(t.arrival_received_at))
	ELSE train_clock_running(t, target_min, amber_s, red_s,
	    floor(extract(epoch FROM coalesce(CASE WHEN t.decision_final
	    THEN t.updated_at END, now()) - t.clock_start))::bigint)
	END
$$;
GRANT EXECUTE ON FUNCTION train_clock(trains, integer, integer, integer) TO railgate_app;

-- trains.decision_outcome follows trains.decision (037_decision_outcome,
-- which made the trigger): the list reads the outcome, not the document.
CREATE OR REPLACE FUNCTION trains_decision_outcome() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.decision_outcome := NEW.decision->>'decision';
	RETURN NEW;
END
$$;

-- A run as the train list shows it.
CREATE OR REPLACE FUNCTION train_summary(t trains, target_min integer,
    amber_s integer, red_s integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'train', t.train_no,
	    'run', t.run,
	    'state', t.state,
	    'direction', t.direction,
	    'border_station', t.border_station,
	    'departure_station', t.departure_station,
	    'destination_station', t.destination_station,
	    'eta', api_time(t.eta),
	    'ata', api_time(t.ata),
	    'green_lane', t.green_lane,
	    'counts', t.counts,
	    'decision', t.decision_outcome,	-- 037: not the whole document
	    'final', t.decision_final,
	    'finished', train_is_finished(t),
	    'clock', train_clock(t, target_min, amber_s, red_s))
$$;
GRANT EXECUTE ON FUNCTION train_summary(trains, integer, integer, integer) TO railgate_app;

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

-- The clocks that crossed a threshold since last reported (022), each
-- reported once however many daemons ask: marked (clock_logged), an audit
-- record clock.<flag> by system:clock (reported_by: p_by, the daemon's
-- instance), and a notice to every enabled "duty"
-- subscription bound to no carrier or to the train's (031) in the same
-- transaction.  A clock that passed several
-- thresholds at once (an arrival reported late, a manifest after the
-- train) reports the highest only.  Also returns in how many
-- milliseconds the next crossing falls (NULL: none running), so that the
-- daemon can ask again just then.
CREATE OR REPLACE FUNCTION clock_alerts(p_target_min integer, p_amber_s integer,
    p_red_s integer, p_by text)
RETURNS json
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	target	integer := p_target_min * 60;
	r	record;
	alert	json;
	seq	bigint;
	n	integer;
	out	json[] := '{}';
	next_ms	bigint;
BEGIN
	FOR r IN
		SELECT t.id, t.train_no, t.run, t.carrier_id, x.e,
		    clock_flag(target - x.e, p_amber_s, p_red_s) AS flag
		FROM trains t, LATERAL (SELECT floor(extract(epoch FROM
		    now() - t.clock_start))::bigint AS e) x
		WHERE t.clock_start IS NOT NULL AND NOT t.decision_final
		  AND t.state <> 'cancelled'
		  AND clock_flag_rank(clock_flag(target - x.e, p_amber_s,
		      p_red_s)) > clock_flag_rank(t.clock_logged)
		ORDER BY t.id
		FOR UPDATE OF t SKIP LOCKED
	LOOP
		-- Locked: the row as another daemon may just have left it.
		CONTINUE WHEN clock_flag_rank(r.flag) <= clock_flag_rank(
		    (SELECT clock_logged FROM trains WHERE id = r.id));
		UPDATE trains SET clock_logged = r.flag WHERE id = r.id;
		alert := json_build_object('train', r.train_no, 'run', r.run,
		    'flag', r.flag, 'remaining_s', target - r.e,
		    'elapsed_s', r.e, 'target_s', target);
		seq := audit_append('system:clock', 'clock.' || r.flag, r.id,
		    (alert::jsonb || jsonb_build_object('reported_by',
		    p_by))::text, NULL);
		INSERT INTO notices (id, train_id, subscription_id, format, alert)
		SELECT 'ntc_' || replace(gen_random_uuid()::text, '-', ''),
		    r.id, s.id, 'duty', (alert::jsonb ||
		    jsonb_build_object('audit_seq', seq))::json
		FROM subscriptions s
		WHERE s.enabled AND 'duty' = ANY (s.formats)
		  -- Customs' desk (bound to no carrier) hears every train; a
		  -- carrier's subscription listing duty, its own trains only.
		  AND (cardinality(s.carriers) = 0 OR
		      s.carriers @> ARRAY[r.carrier_id]);
		GET DIAGNOSTICS n = ROW_COUNT;
		out := out || (alert::jsonb || jsonb_build_object('audit_seq',
		    seq, 'notices', n))::json;
	END LOOP;
	SELECT min(th * 1000 - extract(epoch FROM now() - t.clock_start) *
	    1000)::bigint INTO next_ms
	FROM trains t, unnest(ARRAY[target - p_amber_s, target - p_red_s,
	    target]) AS th
	WHERE t.clock_start IS NOT NULL AND NOT t.decision_final
	  AND t.state <> 'cancelled'
	  AND th > extract(epoch FROM now() - t.clock_start);
	RETURN json_build_object('alerts', array_to_json(out),
	    'next_ms', next_ms);
END
$$;
GRANT EXECUTE ON FUNCTION clock_alerts(integer, integer, integer, text) TO railgate_app;

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


-- s as one segment of a URI path: what is not unreserved or a sub-delim
-- %-encoded.  A train number may hold '?', '#' or '%' (1 to 64 printable
-- characters): the Location of X?1 was /v1/trains/X?1, which names X.
-- (PL/pgSQL, so that its plan is kept: a SQL function that is not
-- inlined is planned at every call, 0.37 ms of every manifest; issue 23.)
CREATE OR REPLACE FUNCTION uri_segment(s text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	RETURN (SELECT coalesce(string_agg(CASE WHEN
	    c ~ '^[A-Za-z0-9._~!$&''()*+,;=:-]$'
	    THEN c ELSE upper(regexp_replace(encode(convert_to(c, 'UTF8'),
	    'hex'), '(..)', '%\1', 'g')) END, '' ORDER BY i), '')
	FROM regexp_split_to_table(s, '') WITH ORDINALITY AS x(c, i));
END
$$;
