-- 71_operator.sql -- what a railway operator reads and writes (issue 20,
-- item 1; docs/operator.md): its own carriers' trains only, in a view
-- built by naming the fields it may see, and its manifests and events
-- refused for any other carrier's train.
--
-- p_carriers is the token's carriers (tokens.carriers, migration 029) as
-- the daemon holds them.  A run belongs to the carrier its manifest
-- named (trains.carrier_id); a run with none belongs to nobody, and an
-- operator bound to none reaches nothing.  Another carrier's run answers
-- exactly as a run that does not exist: an operator must not learn that
-- another carrier's train numbers exist.
--
-- Customs keeps its risk analysis confidential: the view never holds a
-- rule, a reason, a score, a screening result, a random selection or an
-- officer's name.  Every member below is named one by one (a whitelist);
-- nothing is built by deleting members from the officer's documents, so
-- a member added to them later stays out of this view.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- True when run t belongs to one of p_carriers.
CREATE OR REPLACE FUNCTION operator_owns(t trains, p_carriers text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT t.carrier_id IS NOT NULL AND
	    coalesce(t.carrier_id = ANY (p_carriers), false)
$$;
GRANT EXECUTE ON FUNCTION operator_owns(trains, text[]) TO railgate_app;

-- A wagon's action as an operator sees it: AUDIT (post-clearance audit,
-- which customs does not announce) reads RELEASE; anything not known
-- reads HOLD, so that it is never taken for a release.
CREATE OR REPLACE FUNCTION operator_action(p_action text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE upper(p_action)
	    WHEN 'RELEASE' THEN 'RELEASE' WHEN 'AUDIT' THEN 'RELEASE'
	    WHEN 'DOC_CHECK' THEN 'DOC_CHECK' WHEN 'INSPECT' THEN 'INSPECT'
	    WHEN 'HOLD' THEN 'HOLD' WHEN 'REFUSE' THEN 'REFUSE'
	    ELSE 'HOLD' END
$$;
GRANT EXECUTE ON FUNCTION operator_action(text) TO railgate_app;

-- The train decision as an operator sees it: one of the three outcomes,
-- or NULL before the first decision.
CREATE OR REPLACE FUNCTION operator_outcome(p_decision text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_decision IS NULL THEN NULL
	    WHEN p_decision IN ('RELEASE', 'PARTIAL_RELEASE') THEN p_decision
	    ELSE 'HOLD' END
$$;
GRANT EXECUTE ON FUNCTION operator_outcome(text) TO railgate_app;

-- A run as the operator's train list shows it (json, not jsonb: the
-- members keep this order, which people read; operator_train_view()
-- opens with the same members).
CREATE OR REPLACE FUNCTION operator_train_summary(t trains,
    target_min integer, amber_s integer, red_s integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'train', t.train_no,
	    'run', t.run,
	    'carrier', t.carrier_id,
	    'state', t.state,
	    'direction', t.direction,
	    'border_station', t.border_station,
	    'departure_station', t.departure_station,
	    'destination_station', t.destination_station,
	    'eta', api_time(t.eta),
	    'ata', api_time(t.ata),
	    'decision', operator_outcome(t.decision_outcome),
	    'final', t.decision_final,
	    'finished', train_is_finished(t),
	    'clock', train_clock(t, target_min, amber_s, red_s))
$$;
GRANT EXECUTE ON FUNCTION operator_train_summary(trains, integer, integer, integer) TO railgate_app;

-- The operator's train list: the latest run of p_carriers' of each train
-- number, soonest first (as the officers' list).  Owned first, latest
-- second: another carrier's later run of the same number (started when
-- ours was finished) must not take ours out of our list.
CREATE OR REPLACE FUNCTION operator_train_list(p_carriers text[],
    p_state text, p_finished boolean, target_min integer, amber_s integer,
    red_s integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(operator_train_summary(t, target_min,
	    amber_s, red_s) ORDER BY t.eta NULLS LAST, t.id), '[]')
	FROM (SELECT DISTINCT ON (x.train_no) * FROM trains x
	    WHERE operator_owns(x, p_carriers)
	    ORDER BY x.train_no, x.run DESC) t
	WHERE (p_state IS NULL OR t.state = p_state)
	  AND (p_finished IS NULL OR train_is_finished(t) = p_finished)
$$;
GRANT EXECUTE ON FUNCTION operator_train_list(text[], text, boolean, integer, integer, integer) TO railgate_app;

-- The document codes a DOC_CHECK hit asks for.  The decision document
-- carries them only in its reason, which the rule set writes as
-- "... (document 851)" (etc/rules/default/main.rules): the code is read
-- from that ending, and the reason itself never leaves this function.
-- A structured member would change the bytes, and so the hashes, of
-- every decision document replayed (docs/replay.md).
CREATE OR REPLACE FUNCTION operator_hit_documents(p_hit jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(jsonb_agg(DISTINCT m[1]), '[]')
	FROM regexp_matches(coalesce(p_hit->>'reason', ''),
	    '\(document ([0-9]{1,4})\)$') AS m
$$;
GRANT EXECUTE ON FUNCTION operator_hit_documents(jsonb) TO railgate_app;

-- The documents customs asks of the carrier: one entry per DOC_CHECK hit
-- of a wagon not released, in train order: the wagon, what the hit is
-- about (consignment reference, goods item, container) and the document
-- codes asked (none when the papers asked are not one document).
CREATE OR REPLACE FUNCTION operator_documents(t trains) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT coalesce(json_agg(json_build_object(
	    'position', w.position,
	    'wagon', w.number,
	    'consignment', h->'subject'->>'consignment',
	    'item', CASE WHEN h->'subject'->>'item' ~ '^[0-9]{1,9}$'
		THEN (h->'subject'->>'item')::integer END,
	    'container', h->'subject'->>'container',
	    'documents', operator_hit_documents(h))
	    ORDER BY w.position, o), '[]')
	FROM wagons w
	JOIN jsonb_array_elements(coalesce(t.decision::jsonb->'wagons',
	    '[]')) AS dw ON (dw->>'position') = w.position::text
	CROSS JOIN LATERAL jsonb_array_elements(coalesce(dw->'hits', '[]'))
	    WITH ORDINALITY AS x(h, o)
	WHERE w.train_id = t.id AND h->>'action' = 'DOC_CHECK'
	  AND operator_action(wagon_current(w)) <> 'RELEASE'
$$;
GRANT EXECUTE ON FUNCTION operator_documents(trains) TO railgate_app;

-- A wagon's action as the operator's view shows it: NULL before the
-- first decision.
CREATE OR REPLACE FUNCTION operator_wagon_action(t trains, w wagons)
RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN t.decision IS NULL THEN NULL
	    ELSE operator_action(wagon_current(w)) END
$$;
GRANT EXECUTE ON FUNCTION operator_wagon_action(trains, wagons) TO railgate_app;

-- Set out: INSPECT, HOLD, REFUSE (decision.md).
CREATE OR REPLACE FUNCTION operator_set_out(p_action text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(action_rank(p_action) >= action_rank('INSPECT'), false)
$$;
GRANT EXECUTE ON FUNCTION operator_set_out(text) TO railgate_app;

-- What a carrier is told of a provisional decision (031; the
-- train.provisional notice, 70_notices.sql): the train's decision, the
-- wagons to set out and those whose documents an officer checks, each
-- wagon by position and number with its action now as the operator's
-- view reads it (an officer's resolution in force, else the rules'; an
-- AUDIT reads RELEASE, anything unknown HOLD and set out).  Never a rule,
-- a reason or a score: customs keeps those.
CREATE OR REPLACE FUNCTION provisional_set_out(p_train bigint, p_outcome text)
RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('decision', operator_outcome(p_outcome),
	    'set_out', coalesce(json_agg(json_build_object('position',
		x.position, 'wagon', x.number, 'action', x.action)
		ORDER BY x.position) FILTER (WHERE operator_set_out(x.action)),
		'[]'),
	    'doc_check', coalesce(json_agg(json_build_object('position',
		x.position, 'wagon', x.number) ORDER BY x.position) FILTER
		(WHERE x.action = 'DOC_CHECK'), '[]'))
	FROM (SELECT w.position, w.number,
	    operator_action(wagon_current(w)) AS action
	    FROM wagons w WHERE w.train_id = p_train) x
$$;
GRANT EXECUTE ON FUNCTION provisional_set_out(bigint, text) TO railgate_app;

-- The containers the railway stops at the e-commerce supervision site
-- (docs/parcels.md): those of the run's current decision holding
-- set-aside parcels not yet unloaded, in train order, with how many
-- parcels come off -- never a tracking number, a rule or a reason
-- (customs keeps those).  NULL when there is none, so that a train
-- without parcels set aside is told what it always was.
CREATE OR REPLACE FUNCTION train_unload_pending(p_train bigint)
RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_agg(json_build_object('position',
	    (u->>'position')::integer, 'wagon', u->>'wagon',
	    'container', u->>'container', 'parcels',
	    (u->>'parcels')::integer) ORDER BY x.ord)
	FROM trains t, json_array_elements(CASE WHEN json_typeof(
	    t.decision->'parcels'->'unload') = 'array'
	    THEN t.decision->'parcels'->'unload' END) WITH ORDINALITY AS x(u, ord)
	WHERE t.id = p_train AND (u->>'unloaded') IS DISTINCT FROM 'true'
$$;
GRANT EXECUTE ON FUNCTION train_unload_pending(bigint) TO railgate_app;

-- The operator's view of run p_id (train_find()), or NULL when there is
-- no such run or it is not one of p_carriers' (the same answer): the
-- summary's members, then the wagons, the set-out list in train order
-- and the documents asked for.
CREATE OR REPLACE FUNCTION operator_train_view(p_carriers text[],
    p_id text, target_min integer, amber_s integer, red_s integer)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
	    'train', t.train_no,
	    'run', t.run,
	    'carrier', t.carrier_id,
	    'state', t.state,
	    'direction', t.direction,
	    'border_station', t.border_station,
	    'departure_station', t.departure_station,
	    'destination_station', t.destination_station,
	    'eta', api_time(t.eta),
	    'ata', api_time(t.ata),
	    'decision', operator_outcome(t.decision_outcome),
	    'final', t.decision_final,
	    'finished', train_is_finished(t),
	    'clock', train_clock(t, target_min, amber_s, red_s),
	    'wagons', (SELECT coalesce(json_agg(json_build_object(
		'position', w.position,
		'wagon', w.number,
		'containers', to_json(w.container_numbers),
		'action', operator_wagon_action(t, w),
		'set_out', operator_set_out(operator_wagon_action(t, w)))
		ORDER BY w.position), '[]')
		FROM wagons w WHERE w.train_id = t.id),
	    'set_out', (SELECT coalesce(json_agg(json_build_object(
		'position', w.position,
		'wagon', w.number,
		'action', operator_wagon_action(t, w))
		ORDER BY w.position), '[]')
		FROM wagons w WHERE w.train_id = t.id
		  AND operator_set_out(operator_wagon_action(t, w))),
	    'unload', train_unload_pending(t.id),
	    'documents_requested', operator_documents(t))
	FROM train_find(p_id) t
	WHERE operator_owns(t, p_carriers)
$$;
GRANT EXECUTE ON FUNCTION operator_train_view(text[], text, integer, integer, integer) TO railgate_app;

-- An operator's event: add_event() for a run of one of p_carriers';
-- any other run, and a train number not known, is not_found with the
-- same reply (an operator's event never announces a train: the run it
-- made would belong to no carrier).  Locks as add_event() does, first.
CREATE OR REPLACE FUNCTION operator_add_event(p_carriers text[], p_id text,
    p_type text, p_body json, p_principal text, p_ruleset text,
    p_role text, p_device text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext(split_part(p_id, '@', 1)));
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND OR NOT operator_owns(cur, p_carriers) THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found',
		    'detail', 'no such train, or no decision yet');
		RETURN;
	END IF;
	SELECT a.outcome, a.reply INTO outcome, reply
	FROM add_event(p_id, p_type, p_body, p_principal, p_ruleset, p_role,
	    p_device) a;
END
$$;
GRANT EXECUTE ON FUNCTION operator_add_event(text[], text, text, json, text, text, text, text) TO railgate_app;

-- A manifest from an operator: ingest_manifest() when it is for one of
-- p_carriers and changes no other carrier's run; otherwise stored as
-- refused (ingest_manifest() with p_accepted false: the bytes kept, the
-- audit record manifest.rejected) and answered:
--   forbidden -- it names a carrier not among p_carriers, or it is an
--     original naming none (problem member "field": train.carrier.id,
--     "carrier": the value named, or null);
--   conflict -- a replacement or cancellation of a run that is not one
--     of p_carriers': answered as one of a train with no manifest, word
--     for word, so that another carrier's train number is not disclosed.
-- A replacement or cancellation naming no carrier is for the carrier of
-- the run it changes, which keeps that carrier.  An original for a train
-- number whose run in progress is another carrier's is a conflict, as
-- ever, but its answer names neither that run nor its state.
CREATE OR REPLACE FUNCTION operator_ingest_manifest(p_carriers text[],
	p_sha256 text, p_raw_z bytea, p_raw_size bigint, p_format text,
	p_source text, p_principal text, p_key text, p_accepted boolean,
	p_train_no text, p_function text, p_diagnostics json, p_train json,
	p_wagons json, p_ruleset text,
	OUT manifest_id bigint, OUT train_id bigint, OUT outcome text,
	OUT reply json, OUT repeated boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	named	text := p_train->>'carrier_id';
	latest	trains%ROWTYPE;
	ours	boolean;
	train	json := p_train;
	why	text;
	verb	text := CASE p_function WHEN 'cancel' THEN 'cancel'
		    ELSE 'replace' END;
BEGIN
	IF p_accepted THEN
		-- ingest_manifest() takes the same lock: nothing changes the
		-- latest run between this look and its own.
		PERFORM pg_advisory_xact_lock(hashtext(p_train_no));
		SELECT * INTO latest FROM trains t WHERE t.train_no = p_train_no
		    ORDER BY t.run DESC LIMIT 1;
		ours := FOUND AND operator_owns(latest, p_carriers);
		IF named IS NOT NULL AND NOT named = ANY (p_carriers) THEN
			why := 'forbidden';
		ELSIF p_function IN ('replace', 'cancel') THEN
			IF latest.id IS NOT NULL AND NOT ours THEN
				why := 'conflict';
			ELSIF named IS NULL AND ours THEN
				train := (p_train::jsonb || jsonb_build_object(
				    'carrier_id', latest.carrier_id))::json;
			END IF;
		ELSIF named IS NULL THEN
			why := 'forbidden';
		END IF;
	END IF;
	SELECT * INTO manifest_id, train_id, outcome, reply, repeated
	FROM ingest_manifest(p_sha256, p_raw_z, p_raw_size, p_format,
	    p_source, p_principal, p_key, p_accepted AND why IS NULL,
	    p_train_no, p_function, p_diagnostics, train, p_wagons, p_ruleset);
	IF repeated THEN
		RETURN;		-- the first answer, as for any repeat
	END IF;
	IF why IS NULL AND outcome = 'conflict' AND latest.id IS NOT NULL AND
	    NOT ours THEN
		reply := json_build_object('manifest', manifest_id,
		    'title', 'Conflict', 'detail', 'train ' || p_train_no ||
		    ' has a run in progress that this manifest cannot start '
		    'again', 'diagnostics', p_diagnostics);
	ELSIF why = 'forbidden' THEN
		reply := json_build_object('manifest', manifest_id,
		    'title', 'Carrier not bound to this token',
		    'detail', CASE WHEN named IS NULL THEN 'the manifest '
			'names no carrier (train.carrier.id: NAD+CA in '
			'EDIFACT, Carrier/ID in XML); ' ELSE 'the manifest''s '
			'carrier (train.carrier.id: NAD+CA in EDIFACT, '
			'Carrier/ID in XML) is ' || named || '; ' END ||
			'this token sends manifests for ' || CASE WHEN
			cardinality(p_carriers) = 0 THEN 'no carrier' ELSE
			array_to_string(p_carriers, ', ') END ||
			' only; the manifest is stored, refused',
		    'field', 'train.carrier.id',
		    'carrier', named,
		    'diagnostics', p_diagnostics);
	ELSIF why = 'conflict' THEN
		-- Word for word ingest_manifest()'s answer for a train number
		-- with no manifest.
		reply := json_build_object('manifest', manifest_id,
		    'title', 'Conflict', 'detail', 'train ' || p_train_no ||
		    ' has no manifest to ' || verb,
		    'diagnostics', p_diagnostics);
	ELSE
		RETURN;
	END IF;
	outcome := coalesce(why, outcome);
	UPDATE manifests m SET reply = operator_ingest_manifest.reply,
	    outcome = operator_ingest_manifest.outcome
	    WHERE m.id = operator_ingest_manifest.manifest_id;
END
$$;
GRANT EXECUTE ON FUNCTION operator_ingest_manifest(text[], text, bytea, bigint, text, text, text, text, boolean, text, text, json, json, json, text) TO railgate_app;
