-- 95_console.sql -- what the officer console reads besides the train
-- page (issue 18, item 5): one wagon's page and the search.
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.

-- The parties of a run's manifest, for the search (027_wagon_page_search,
-- 039_search_train_parties): p_parties ([{role, name, id, country,
-- consignment, wagons}], built by the daemon at ingest) kept as sent, with
-- their distinct names one per line for the trigram index, made again
-- whenever a manifest is stored.  Called by ingest_manifest() under the
-- train's lock.  A party without a role or a name is kept but never
-- found (search_train_parties_of()).
CREATE OR REPLACE FUNCTION search_parties_rebuild(p_train bigint,
    p_parties json) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	a	jsonb := CASE WHEN json_typeof(p_parties) = 'array'
		    THEN p_parties::jsonb ELSE '[]' END;
BEGIN
	INSERT INTO search_train_parties (train_id, names, parties)
	SELECT p_train, coalesce(string_agg(DISTINCT e->>'name', E'\n'), ''), a
	FROM jsonb_array_elements(a) AS e
	ON CONFLICT (train_id) DO UPDATE SET names = EXCLUDED.names,
	    parties = EXCLUDED.parties;
END
$$;

-- The parties of a run as rows (those with a role and a name).
CREATE OR REPLACE FUNCTION search_train_parties_of(p_parties jsonb)
RETURNS TABLE (role text, name text, party_id text, country text,
    consignment text, wagons text[])
LANGUAGE sql IMMUTABLE AS $$
	SELECT p.role, p.name, p.id, p.country, p.consignment,
	    coalesce(p.wagons, '{}')
	FROM jsonb_to_recordset(CASE WHEN jsonb_typeof(p_parties) = 'array'
	    THEN p_parties ELSE '[]' END) AS p(role text, name text, id text,
	    country text, consignment text, wagons text[])
	WHERE p.role IS NOT NULL AND p.name IS NOT NULL
$$;

-- A neighbour's report cut down to what it says about one wagon and the
-- containers it carries (p_equip: the wagon's number first, then theirs).
CREATE OR REPLACE FUNCTION neighbour_about(p_body json, p_equip text[])
RETURNS json
LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object('service', p_body->>'service',
	    'decision', p_body->>'decision',
	    'seals', coalesce((SELECT json_agg(s) FROM json_array_elements(
		CASE WHEN json_typeof(p_body->'seals') = 'array'
		THEN p_body->'seals' END) s
		WHERE s->>'equipment' = ANY (p_equip)), '[]'),
	    'controls', coalesce((SELECT json_agg(c) FROM json_array_elements(
		CASE WHEN json_typeof(p_body->'controls') = 'array'
		THEN p_body->'controls' END) c
		WHERE c->>'equipment' = ANY (p_equip)), '[]'),
	    'set_out', coalesce((SELECT json_agg(o) FROM json_array_elements(
		CASE WHEN json_typeof(p_body->'set_out') = 'array'
		THEN p_body->'set_out' END) o
		WHERE o->>'wagon' = p_equip[1]), '[]'))
$$;

-- True when an event's body names one of p_equip (its wagon, equipment
-- or container member), or is a neighbour's report naming one of them or
-- deciding for the whole train.
CREATE OR REPLACE FUNCTION event_is_about(p_type text, p_body json,
    p_equip text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_type = 'neighbour' THEN
		p_body->>'decision' IS NOT NULL OR EXISTS (
		SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(
		    p_body->'seals') = 'array' THEN p_body->'seals' END) s
		WHERE s->>'equipment' = ANY (p_equip)) OR EXISTS (
		SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(
		    p_body->'controls') = 'array' THEN p_body->'controls' END) c
		WHERE c->>'equipment' = ANY (p_equip)) OR EXISTS (
		SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(
		    p_body->'set_out') = 'array' THEN p_body->'set_out' END) o
		WHERE o->>'wagon' = p_equip[1])
	    ELSE coalesce(p_body->>'wagon', p_body->>'container',
		p_body->>'equipment') = ANY (p_equip) END
$$;

-- What the database knows of wagon p_wagon of run p_train, for its page
-- (GET /v1/trains/{id}/wagons/{wagon}; the manifest's side is read by the
-- daemon from the stored bytes): the run, the wagon's row (NULL: no such
-- wagon), the decision's entry for it, the events about it with their
-- authors (oldest first; the latest p_max_events, with the total), the
-- neighbour's reports cut down to it, and the wagons before and after it
-- in the train (to walk along it).
CREATE OR REPLACE FUNCTION wagon_context(p_train bigint, p_wagon text,
    p_max_events integer) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
	t	trains%ROWTYPE;
	w	wagons%ROWTYPE;
	equip	text[];
	evs	json;
	nevs	bigint;
	nb	json;
BEGIN
	SELECT * INTO t FROM trains WHERE id = p_train;
	SELECT * INTO w FROM wagons WHERE train_id = p_train
	    AND number = p_wagon ORDER BY position LIMIT 1;
	IF NOT FOUND THEN
		RETURN json_build_object('train', t.train_no, 'run', t.run,
		    'manifest_id', t.manifest_id, 'wagon', NULL);
	END IF;
	equip := ARRAY[w.number] || w.container_numbers;
	SELECT count(*) INTO nevs FROM events e WHERE e.train_id = p_train
	    AND e.type <> 'neighbour' AND event_is_about(e.type, e.body, equip);
	SELECT coalesce(json_agg(x.j ORDER BY x.id), '[]') INTO evs FROM (
		SELECT e.id, json_build_object('id', e.id, 'type', e.type,
		    'at', to_char(e.received_at AT TIME ZONE 'UTC',
		    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'body', e.body,
		    'author', json_build_object('name', e.principal,
		    'role', coalesce(e.role, 'unknown'), 'device', e.device)) j
		FROM events e WHERE e.train_id = p_train
		  AND e.type <> 'neighbour'
		  AND event_is_about(e.type, e.body, equip)
		ORDER BY e.id DESC LIMIT p_max_events) x;
	SELECT coalesce(json_agg(json_build_object('id', e.id,
	    'at', to_char(e.received_at AT TIME ZONE 'UTC',
	    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'author', json_build_object(
	    'name', e.principal, 'role', coalesce(e.role, 'unknown')),
	    'report', neighbour_about(e.body, equip)) ORDER BY e.id), '[]')
	INTO nb FROM (SELECT * FROM events e WHERE e.train_id = p_train
	    AND e.type = 'neighbour' AND event_is_about(e.type, e.body, equip)
	    ORDER BY e.id DESC LIMIT p_max_events) e;
	RETURN json_build_object('train', t.train_no, 'run', t.run,
	    'state', t.state, 'manifest_id', t.manifest_id,
	    'wagon', json_build_object('position', w.position,
		'number', w.number, 'containers', w.container_numbers,
		'items', w.items, 'action', w.action,
		'rules_action', w.rules_action, 'resolution', w.resolution,
		'resolved_by', w.resolved_by, 'confirmed_by', w.confirmed_by,
		'set_out_by', to_json(w.set_out_by),
		'override', CASE WHEN w.proposed_action IS NULL THEN NULL
		ELSE json_build_object('action', upper(w.proposed_action),
		'proposed_by', w.proposed_by, 'reason', w.proposed_reason,
		'at', to_char(w.proposed_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"')) END),
	    'decision', CASE WHEN t.decision IS NULL THEN NULL ELSE
		json_build_object('outcome', t.decision->>'decision',
		'final', t.decision_final, 'ruleset', t.decision->'ruleset',
		'wagon', (SELECT x FROM json_array_elements(
		    t.decision->'wagons') x WHERE (x->>'position')::int =
		    w.position LIMIT 1)) END,
	    'eval_needed', t.eval_needed,
	    'previous_wagon', (SELECT json_build_object('position', p.position,
		'number', p.number) FROM wagons p WHERE p.train_id = p_train
		AND p.position < w.position ORDER BY p.position DESC LIMIT 1),
	    'next_wagon', (SELECT json_build_object('position', n.position,
		'number', n.number) FROM wagons n WHERE n.train_id = p_train
		AND n.position > w.position ORDER BY n.position LIMIT 1),
	    'events', evs, 'events_total', nevs, 'neighbour', nb);
END
$$;
GRANT EXECUTE ON FUNCTION wagon_context(bigint, text, integer) TO railgate_app;

-- p_q as a LIKE pattern matching it anywhere, its wildcards taken
-- literally.
CREATE OR REPLACE FUNCTION search_pattern(p_q text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT '%' || replace(replace(replace(p_q, '\', '\\'), '%', '\%'),
	    '_', '\_') || '%'
$$;

-- The parties whose name matches p_pat (a LIKE pattern, lower case) as
-- the search's hits, newest run first, then by name and consignment: the
-- runs whose names match are read newest first, and their parties only
-- until more than p_limit were found.  (As one SQL statement the planner
-- read the parties of every run naming a common party before cutting:
-- 90-130 ms for "horgos" over 300 runs.)
CREATE OR REPLACE FUNCTION search_party_hits(p_pat text, p_limit integer)
RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r	record;
	hits	json;
	n	integer;
	total	integer := 0;
	parts	json[] := '{}';
BEGIN
	FOR r IN SELECT s.train_id, s.parties, t.train_no, t.run, t.state
	    FROM search_train_parties s JOIN trains t ON t.id = s.train_id
	    WHERE lower(s.names) LIKE p_pat ORDER BY s.train_id DESC LOOP
		SELECT json_agg(json_build_object('kind', 'party', 'train',
		    r.train_no, 'run', r.run, 'id', r.train_no || '@' || r.run,
		    'state', r.state, 'role', p.role, 'name', p.name,
		    'party_id', p.party_id, 'country', p.country,
		    'consignment', p.consignment, 'wagons',
		    to_json(p.wagons[1:20]), 'wagon', p.wagons[1],
		    'matched', p.name) ORDER BY p.name, p.consignment), count(*)
		INTO hits, n
		FROM search_train_parties_of(r.parties) p
		WHERE lower(p.name) LIKE p_pat;
		IF n > 0 THEN
			parts := parts || hits;
			total := total + n;
			EXIT WHEN total > p_limit;
		END IF;
	END LOOP;
	RETURN (SELECT json_agg(h ORDER BY a.i, e.j)
	    FROM unnest(parts) WITH ORDINALITY AS a(part, i),
	    json_array_elements(a.part) WITH ORDINALITY AS e(h, j));
END
$$;

-- The console's search (GET /v1/search): trains by number, wagons by
-- number, containers by number, parties by name, each a case-insensitive
-- substring of what was typed, newest run first, at most p_limit of each
-- kind ("more": true when there were others).  Every hit names its train
-- run and what matched.
CREATE OR REPLACE FUNCTION console_search(p_q text, p_limit integer)
RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
	pat_l	text := search_pattern(lower(p_q));
	pat_u	text := search_pattern(upper(p_q));
	trains_j json; wagons_j json; containers_j json; parties_j json;
BEGIN
	SELECT json_agg(json_build_object('kind', 'train', 'train',
	    x.train_no, 'run', x.run, 'id', x.train_no || '@' || x.run,
	    'state', x.state, 'decision', x.decision->>'decision',
	    'matched', x.train_no) ORDER BY x.id DESC) INTO trains_j
	FROM (SELECT * FROM trains t WHERE lower(t.train_no) LIKE pat_l
	    ORDER BY t.id DESC LIMIT p_limit + 1) x;
	SELECT json_agg(json_build_object('kind', 'wagon', 'train',
	    x.train_no, 'run', x.run, 'id', x.train_no || '@' || x.run,
	    'state', x.state, 'wagon', x.number, 'position', x.position,
	    'action', coalesce(upper(x.resolution), x.action),
	    'matched', x.number) ORDER BY x.train_id DESC, x.position) INTO wagons_j
	FROM (SELECT w.*, t.train_no, t.run, t.state FROM wagons w
	    JOIN trains t ON t.id = w.train_id WHERE w.number LIKE pat_u
	    ORDER BY w.train_id DESC, w.position LIMIT p_limit + 1) x;
	SELECT json_agg(json_build_object('kind', 'container', 'train',
	    x.train_no, 'run', x.run, 'id', x.train_no || '@' || x.run,
	    'state', x.state, 'wagon', x.number, 'position', x.position,
	    'container', x.c, 'action', coalesce(upper(x.resolution),
	    x.action), 'matched', x.c) ORDER BY x.train_id DESC, x.position)
	INTO containers_j
	FROM (SELECT w.*, c, t.train_no, t.run, t.state FROM wagons w
	    JOIN trains t ON t.id = w.train_id, unnest(w.container_numbers) c
	    WHERE upper(search_containers_text(w.container_numbers)) LIKE pat_u
	      AND upper(c) LIKE pat_u
	    ORDER BY w.train_id DESC, w.position LIMIT p_limit + 1) x;
	parties_j := search_party_hits(pat_l, p_limit);
	RETURN json_build_object('query', p_q, 'limit', p_limit,
	    'trains', search_cut(trains_j, p_limit),
	    'wagons', search_cut(wagons_j, p_limit),
	    'containers', search_cut(containers_j, p_limit),
	    'parties', search_cut(parties_j, p_limit));
END
$$;
GRANT EXECUTE ON FUNCTION console_search(text, integer) TO railgate_app;

-- {"hits": the first p_limit of p_hits, "more": whether it had more}.
CREATE OR REPLACE FUNCTION search_cut(p_hits json, p_limit integer)
RETURNS json
LANGUAGE sql IMMUTABLE AS $$
	SELECT json_build_object('hits', coalesce((SELECT json_agg(h ORDER BY n)
	    FROM json_array_elements(p_hits) WITH ORDINALITY AS a(h, n)
	    WHERE n <= p_limit), '[]'),
	    'more', coalesce(json_array_length(p_hits), 0) > p_limit)
$$;

-- Merges the pending lists of the search's trigram indexes into the
-- indexes (038_search_pending.sql): the number of pending pages merged.
-- Called by the daemon when it is idle (daemon/tidy.c); an empty list
-- costs a read of its metapage.  Two callers at once (two daemons on one
-- database) are safe: the second waits for the first's merge and finds
-- the list empty; an insert that crosses the limit meanwhile does not
-- wait, it leaves the merge to the one under way.  gin_clean_pending_list()
-- is the index owner's, hence SECURITY DEFINER.
CREATE OR REPLACE FUNCTION search_tidy() RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public AS $$
	SELECT gin_clean_pending_list('search_train_parties_names_trgm'::regclass) +
	    gin_clean_pending_list('trains_train_no_trgm'::regclass) +
	    gin_clean_pending_list('wagons_number_trgm'::regclass) +
	    gin_clean_pending_list('wagons_containers_trgm'::regclass)
$$;
GRANT EXECUTE ON FUNCTION search_tidy() TO railgate_app;
