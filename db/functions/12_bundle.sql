-- 12_bundle.sql -- one train run's evidence bundle (issue 20, item 7;
-- docs/evidence.md): everything its decisions were made from, its
-- officers' actions, the neighbour's messages and its audit records with
-- the chain from the first of them up to a signed checkpoint, as one JSON
-- document that `railgate verify` checks with no database.
--
-- Every part carries its data as a string -- base64 for bytes, JSON text
-- otherwise -- and the SHA-256 of exactly those bytes (the base64
-- decoded, the text as UTF-8), so that a verifier recomputes each hash
-- without canonicalising anything.  The daemon makes the checkpoint
-- (GET /v1/trains/{id}/bundle signs the head first when the train's
-- records are newer than the last checkpoint); here it is only chosen.

-- A part: {"encoding", "data", "sha256"} plus the members of meta.
CREATE OR REPLACE FUNCTION bundle_part(p_meta jsonb, p_text text, p_bytes bytea)
RETURNS json LANGUAGE sql IMMUTABLE AS $$
	SELECT (coalesce(p_meta, '{}'::jsonb) || CASE WHEN p_bytes IS NOT NULL THEN
	    jsonb_build_object('encoding', 'base64', 'data',
		translate(encode(p_bytes, 'base64'), E'\n', ''),
		'sha256', encode(sha256(p_bytes), 'hex'))
	ELSE jsonb_build_object('encoding', 'json', 'data', p_text,
		'sha256', encode(sha256(convert_to(p_text, 'UTF8')), 'hex')) END)::json
$$;

-- The resolutions in force when final decision d was made (replay's).
CREATE OR REPLACE FUNCTION bundle_resolutions(d decisions) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT CASE WHEN g.l IS NULL AND c.l IS NULL THEN w.l
	    ELSE (coalesce(g.l::jsonb, '[]') || coalesce(c.l::jsonb, '[]') ||
	    w.l::jsonb)::json END
	FROM (SELECT (SELECT coalesce(json_agg(json_build_object(
	    'position', w.position, 'action', upper(r.action)) ORDER BY
	    w.position), '[]') FROM (SELECT DISTINCT ON (a.wagon) a.wagon,
	    a.action FROM officer_actions a WHERE a.train_id = d.train_id AND
	    a.wagon IS NOT NULL AND a.at <= d.made_at AND a.action IN ('release',
	    'inspect', 'hold', 'refuse', 'void') ORDER BY a.wagon, a.id DESC)
	    r JOIN LATERAL (SELECT mw.position FROM manifest_wagons mw WHERE
	    mw.manifest_id = d.manifest_id AND mw.number = r.wagon UNION ALL
	    SELECT cw.position FROM wagons cw WHERE cw.train_id = d.train_id AND
	    cw.number = r.wagon AND NOT EXISTS (SELECT 1 FROM manifest_wagons m2
	    WHERE m2.manifest_id = d.manifest_id)) w ON true) AS l) w,
	(SELECT json_agg(json_build_object('goods',
	    json_build_object('consignment', g.consignment, 'item', g.item),
	    'resolution', g.resolution, 'position', g.position) ORDER BY g.id)
	    AS l FROM goods_resolutions g WHERE g.train_id = d.train_id AND
	    g.at <= d.made_at AND (g.void_at IS NULL OR g.void_at > d.made_at)) g,
	(SELECT json_agg(json_build_object('train_hit', json_build_object(
	    'rule', c.rule), 'resolution', 'cleared') ORDER BY c.id) AS l FROM
	    hit_clearances c WHERE c.train_id = d.train_id AND c.at <= d.made_at
	    AND (c.void_at IS NULL OR c.void_at > d.made_at)) c
$$;

-- The decisions of a run with what each was made from, as the auditor's
-- replay reads them (db/replay.c decisions_sql; the same selection): a
-- provisional one with the events it applied and the clearances, a final
-- one with the decision it was built from and the resolutions in force.
CREATE OR REPLACE FUNCTION bundle_decisions(p_train bigint) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(bundle_part(jsonb_build_object('id', d.id),
	    json_build_object('id', d.id, 'final', d.final, 'outcome', d.outcome,
		'made_by', d.made_by, 'made_at', d.made_at,
		'ruleset_sha256', d.ruleset_sha256, 'manifest_id', d.manifest_id,
		'last_event_id', d.last_event_id, 'document', d.document,
		'events', CASE WHEN NOT d.final THEN (SELECT coalesce(json_agg(
		    json_build_object('id', e.id, 'type', e.type, 'body', e.body,
		    'legacy', e.role IS NULL) ORDER BY e.id), '[]') FROM events e
		    WHERE e.train_id = d.train_id AND
		    e.id <= coalesce(d.last_event_id, 0)) END,
		'clearances', CASE WHEN NOT d.final THEN d.clearances END,
		'base_id', b.id, 'base', b.document,
		'resolutions', CASE WHEN d.final THEN bundle_resolutions(d) END
	    )::text, NULL) ORDER BY d.id), '[]')
	FROM decisions d
	LEFT JOIN LATERAL (SELECT x.id, x.document FROM decisions x
	    WHERE d.final AND x.train_id = d.train_id AND x.id < d.id AND (x.final
	    OR (NOT EXISTS (SELECT 1 FROM decisions f WHERE f.train_id = x.train_id
	    AND f.final AND f.id < x.id AND f.manifest_id = x.manifest_id) AND
	    NOT EXISTS (SELECT 1 FROM amendments am WHERE am.manifest_id =
	    x.manifest_id AND am.final_kept)))
	    ORDER BY x.id DESC LIMIT 1) b ON true
	WHERE d.train_id = p_train
$$;

-- The audit records from p_from to p_to, each with the exact fields its
-- hash covers (audit_record_text()'s "at" spelling included).
CREATE OR REPLACE FUNCTION bundle_audit(p_from bigint, p_to bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT coalesce(json_agg(json_build_object('seq', a.seq,
	    'at', to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
	    'actor', a.actor, 'action', a.action, 'train_id', a.train_id,
	    'details', a.details, 'ruleset_sha256', a.ruleset_sha256,
	    'prev_hash', a.prev_hash, 'hash', a.hash) ORDER BY a.seq), '[]')::text
	FROM audit_log a WHERE a.seq BETWEEN p_from AND p_to
$$;

-- The bundle of train run p_id (train_find()), NULL when there is none.
-- "checkpoint" is null when no checkpoint of ours covers the train's last
-- record yet (the daemon makes one, then asks again).
CREATE OR REPLACE FUNCTION train_bundle(p_id text) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
	t	trains%ROWTYPE;
	first	bigint;
	last	bigint;
	cp	audit_checkpoints%ROWTYPE;
BEGIN
	SELECT * INTO t FROM train_find(p_id);
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	SELECT min(seq), max(seq) INTO first, last FROM audit_log
	WHERE train_id = t.id;
	SELECT * INTO cp FROM audit_checkpoints c WHERE c.own AND c.seq >= last
	ORDER BY c.seq, c.id LIMIT 1;
	RETURN json_build_object(
	    'format', 'railgate-evidence-bundle/1',
	    'train', t.train_no, 'run', t.run, 'train_id', t.id,
	    'made_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'station', cp.chain, 'key_id', cp.key_id,
	    'manifests', (SELECT coalesce(json_agg(bundle_part(jsonb_build_object(
		'id', m.id, 'manifest_sha256', m.sha256, 'format', m.format,
		'source', m.source, 'principal', m.principal, 'received_at',
		m.received_at, 'compression', 'zlib'), NULL, m.raw_z)
		ORDER BY m.id), '[]') FROM manifests m WHERE m.id = t.manifest_id
		OR m.id IN (SELECT d.manifest_id FROM decisions d
		    WHERE d.train_id = t.id)
		OR m.id IN (SELECT (a.details::json->>'manifest')::bigint
		    FROM audit_log a WHERE a.train_id = t.id
		    AND a.action LIKE 'manifest.%')),
	    'rulesets', (SELECT coalesce(json_agg(bundle_part(jsonb_build_object(
		'ruleset_sha256', r.sha256, 'name', r.name, 'compression',
		'ruleset_pack'), NULL, r.files_z) ORDER BY r.sha256), '[]')
		FROM rulesets r WHERE r.sha256 IN (SELECT d.ruleset_sha256
		FROM decisions d WHERE d.train_id = t.id)),
	    'events', bundle_part(NULL, (SELECT coalesce(json_agg(
		json_build_object('id', e.id, 'type', e.type, 'body', e.body,
		'principal', e.principal, 'role', e.role, 'device', e.device,
		'received_at', e.received_at) ORDER BY e.id), '[]')
		FROM events e WHERE e.train_id = t.id)::text, NULL),
	    'decisions', bundle_decisions(t.id),
	    'officer_actions', bundle_part(NULL, (SELECT coalesce(json_agg(
		json_build_object('id', a.id, 'wagon', a.wagon, 'action', a.action,
		'reason', a.reason, 'principal', a.principal, 'role', a.role,
		'confirmed_by', a.confirmed_by, 'at', a.at) ORDER BY a.id), '[]')
		FROM officer_actions a WHERE a.train_id = t.id)::text, NULL),
	    'peer_messages', bundle_part(NULL, json_build_object(
		'received', (SELECT coalesce(json_agg(json_build_object('sender',
		    p.sender, 'message_id', p.message_id, 'type', p.type,
		    'envelope', p.envelope, 'received_at', p.received_at)
		    ORDER BY p.received_at, p.message_id), '[]')
		    FROM peer_inbox p WHERE p.train_id = t.id),
		'sent', (SELECT coalesce(json_agg(json_build_object('peer', o.peer,
		    'message_id', o.message_id, 'type', o.type, 'state', o.state,
		    'created_at', o.created_at, 'sent_at', o.sent_at,
		    'body_gzip_base64', translate(encode(o.body, 'base64'),
		    E'\n', '')) ORDER BY o.id), '[]')
		    FROM peer_outbox o WHERE o.train_id = t.id))::text, NULL),
	    'audit', bundle_part(jsonb_build_object('first_seq', first,
		'last_train_seq', last), bundle_audit(first,
		coalesce(cp.seq, last)), NULL),
	    'checkpoint', CASE WHEN cp.id IS NULL THEN NULL ELSE
		bundle_part(NULL, checkpoint_json(cp)::text, NULL) END);
END
$$;
GRANT EXECUTE ON FUNCTION train_bundle(text) TO railgate_app;
