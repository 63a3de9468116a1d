-- 11_checkpoints.sql -- signed checkpoints of the audit chain, ours and
-- the neighbour's (034_checkpoints.sql, docs/evidence.md).
--
-- The daemon signs (the key never reaches the database); these functions
-- only read the head, keep what was signed and received, and answer what
-- the verification compares.  Neither storing nor receiving a checkpoint
-- appends to the audit log: a record for it would move the head, and the
-- next checkpoint (ours, then the neighbour's of its receipt) would never
-- find the chain still.

-- The head to sign, and the last checkpoint of our own: {seq, hash,
-- last_seq, last_at, last_holds} (last_seq and last_at, Unix seconds, 0
-- when there is none; last_holds whether the chain still has that
-- checkpoint's hash at its seq).
CREATE OR REPLACE FUNCTION checkpoint_head() RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('seq', h.seq, 'hash', h.hash,
	    'last_seq', coalesce(c.seq, 0),
	    'last_at', coalesce(extract(epoch FROM c.at)::bigint, 0),
	    'last_holds', c.id IS NULL OR EXISTS (SELECT FROM audit_log l
		WHERE l.seq = c.seq AND l.hash = c.hash))
	FROM audit_head h
	LEFT JOIN LATERAL (SELECT * FROM audit_checkpoints c WHERE c.own
	    ORDER BY c.seq DESC, c.id DESC LIMIT 1) c ON true
$$;
GRANT EXECUTE ON FUNCTION checkpoint_head() TO railgate_app;

-- Keeps a checkpoint the daemon signed (p_at: Unix seconds) and queues it
-- for the neighbour while one is registered.  'stored', or 'unknown' when
-- the chain holds no record p_seq with hash p_hash (nothing is kept).
CREATE OR REPLACE FUNCTION checkpoint_store(p_station text, p_seq bigint,
    p_hash text, p_at bigint, p_key_id text, p_signature text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cid	bigint;
	peer	text;
BEGIN
	IF NOT EXISTS (SELECT FROM audit_log WHERE seq = p_seq AND hash = p_hash) THEN
		RETURN 'unknown';
	END IF;
	INSERT INTO audit_checkpoints (chain, own, seq, count, hash, at, key_id,
	    signature)
	VALUES (p_station, true, p_seq, p_seq, p_hash, to_timestamp(p_at),
	    p_key_id, p_signature)
	RETURNING id INTO cid;
	SELECT name INTO peer FROM peers WHERE enabled LIMIT 1;
	IF peer IS NOT NULL THEN
		INSERT INTO peer_outbox (message_id, peer, type, checkpoint_id)
		VALUES (gen_random_uuid()::text, peer, 'checkpoint', cid);
	END IF;
	RETURN 'stored';
END
$$;
GRANT EXECUTE ON FUNCTION checkpoint_store(text, bigint, text, bigint, text, text) TO railgate_app;

-- One checkpoint as it travels and is verified (at in Unix seconds).
CREATE OR REPLACE FUNCTION checkpoint_json(c audit_checkpoints) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('station', c.chain, 'seq', c.seq, 'count',
	    c.count, 'hash', c.hash, 'at', extract(epoch FROM c.at)::bigint,
	    'key_id', c.key_id, 'signature', c.signature)
$$;

-- A checkpoint of the neighbour's chain, its signature verified by the
-- daemon: kept once per link message (peer_inbox, as every message).
CREATE OR REPLACE FUNCTION checkpoint_receive(p_sender text, p_message text,
    p_envelope json, p_seq bigint, p_count bigint, p_hash text, p_at bigint,
    p_key_id text, p_signature text,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext(p_sender || '/' || p_message));
	IF EXISTS (SELECT FROM peer_inbox i WHERE i.sender = p_sender
	    AND i.message_id = p_message) THEN
		outcome := 'duplicate';
		reply := json_build_object('ack', p_message, 'duplicate', true);
		RETURN;
	END IF;
	INSERT INTO peer_inbox (sender, message_id, type, train_id, envelope)
	VALUES (p_sender, p_message, 'checkpoint', NULL, p_envelope);
	INSERT INTO audit_checkpoints (chain, own, seq, count, hash, at, key_id,
	    signature, message_id)
	VALUES (p_sender, false, p_seq, p_count, p_hash, to_timestamp(p_at),
	    p_key_id, p_signature, p_message);
	outcome := 'done';
	reply := json_build_object('ack', p_message, 'duplicate', false);
END
$$;
GRANT EXECUTE ON FUNCTION checkpoint_receive(text, text, json, bigint, bigint, text, bigint, text, text) TO railgate_app;

-- Checkpoints held of one chain, newest first: ours (p_own) or the
-- neighbour p_chain's.  The latest p_limit, and besides them the first of
-- every UTC day: a rewrite is found by any checkpoint at or after the
-- rewritten record, and the daemon keeps signing whatever head it finds,
-- so the copies from before a rewrite must not all fall out of the
-- window as new ones are made.  A JSON array.
CREATE OR REPLACE FUNCTION checkpoints_held(p_own boolean, p_chain text,
    p_limit integer) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	WITH mine AS (
		SELECT * FROM audit_checkpoints c
		WHERE c.own = p_own AND (p_own OR c.chain = p_chain)
	), picked AS (
		(SELECT id FROM mine ORDER BY seq DESC, id DESC LIMIT p_limit)
		UNION
		(SELECT DISTINCT ON (date_trunc('day', at AT TIME ZONE 'UTC')) id
		FROM mine ORDER BY date_trunc('day', at AT TIME ZONE 'UTC'), seq, id)
	)
	SELECT coalesce(json_agg(checkpoint_json(c) ORDER BY c.seq DESC, c.id DESC),
	    '[]'::json)
	FROM audit_checkpoints c WHERE c.id IN (SELECT id FROM picked)
$$;
GRANT EXECUTE ON FUNCTION checkpoints_held(boolean, text, integer) TO railgate_app;

-- What the chain holds at the given sequence numbers, for comparing
-- checkpoints: {"head": seq, "hashes": {"seq": hash, ...}} (a seq past
-- the head, or missing, is absent).
CREATE OR REPLACE FUNCTION audit_hashes_at(p_seqs bigint[]) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
	SELECT json_build_object('head', (SELECT seq FROM audit_head),
	    'hashes', coalesce((SELECT json_object_agg(l.seq, l.hash)
		FROM audit_log l WHERE l.seq = ANY (p_seqs)), '{}'::json))
$$;
GRANT EXECUTE ON FUNCTION audit_hashes_at(bigint[]) TO railgate_app;
