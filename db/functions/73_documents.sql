-- 73_documents.sql -- documents uploaded by railway operators, decided
-- by officers (032_documents.sql; docs/documents.md).
--
-- Recreated by every migrate (db/migrate.c, docs/storage.md): edit a
-- function here, in place; never in db/migrations/.
--
-- Who may see a train's documents is one comparison everywhere here:
-- p_carriers NULL (an officer, a supervisor, an auditor) sees every
-- train; an operator's carriers see the trains whose manifest names one
-- of them (trains.carrier_id, 029_carriers.sql), and any other train is
-- "not found", never "forbidden": an operator learns nothing of another
-- carrier's trains.

-- The guard of 032_documents.sql, kept here (see there).
CREATE OR REPLACE FUNCTION document_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'UPDATE' THEN
		RAISE EXCEPTION 'documents are never deleted';
	END IF;
	IF (NEW.train_id, NEW.consignment, NEW.code, NEW.content_type,
	    NEW.size, NEW.sha256, NEW.uploaded_by, NEW.uploaded_role,
	    NEW.uploaded_at) IS DISTINCT FROM (OLD.train_id, OLD.consignment,
	    OLD.code, OLD.content_type, OLD.size, OLD.sha256, OLD.uploaded_by,
	    OLD.uploaded_role, OLD.uploaded_at) OR
	    NEW.content IS DISTINCT FROM OLD.content OR
	    NOT (OLD.state = 'pending' AND NEW.state IN ('accepted',
	    'rejected')) THEN
		RAISE EXCEPTION 'document % may only be decided, once', OLD.id;
	END IF;
	RETURN NEW;
END
$$;

-- Whether train t is visible to p_carriers (NULL: to every reader).
CREATE OR REPLACE FUNCTION document_train_visible(t trains, p_carriers text[])
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_carriers IS NULL OR (t.carrier_id IS NOT NULL AND
	    t.carrier_id = ANY (p_carriers))
$$;

-- Whether run t has consignment p_ref: one whose parties the manifest
-- named (search_train_parties, kept at every ingest: each entry a named
-- party, daemon/ingest_summary.c write_search_party()) or one a hit of its
-- current decision is about -- every consignment a DOC_CHECK asks about
-- is one.  A consignment with neither is unknown: refused, and a
-- document for the whole train (no consignment) is still possible.
CREATE OR REPLACE FUNCTION document_consignment_known(t trains, p_ref text)
RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM search_train_parties s WHERE s.train_id =
	    t.id AND s.parties @> jsonb_build_array(jsonb_build_object(
	    'consignment', p_ref)))
	OR EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN
	    json_typeof(t.decision->'wagons') = 'array' THEN t.decision->'wagons'
	    ELSE '[]' END) w, json_array_elements(CASE WHEN
	    json_typeof(w->'hits') = 'array' THEN w->'hits' ELSE '[]' END) h
	    WHERE h->'subject'->>'consignment' = p_ref)
	OR EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN
	    json_typeof(t.decision->'train_hits') = 'array'
	    THEN t.decision->'train_hits' ELSE '[]' END) h
	    WHERE h->'subject'->>'consignment' = p_ref)
$$;

-- One document as the API shows it (no bytes).  An operator (p_operator)
-- sees its state and the officer's reason, not who decided: the officer
-- answers the railway, the person stays customs'.
CREATE OR REPLACE FUNCTION document_json(d documents, p_train trains,
    p_operator boolean) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_strip_nulls(json_build_object('id', d.id,
	    'train', p_train.train_no, 'run', p_train.run,
	    'consignment', d.consignment, 'code', d.code,
	    'content_type', d.content_type, 'size', d.size,
	    'sha256', d.sha256, 'uploaded_by', d.uploaded_by,
	    'uploaded_at', to_char(d.uploaded_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'state', d.state,
	    'decided_by', CASE WHEN NOT p_operator THEN d.decided_by END,
	    'decided_at', to_char(d.decided_at AT TIME ZONE 'UTC',
		'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
	    'reason', d.reason,
	    'event', CASE WHEN NOT p_operator THEN d.event_id END,
	    'location', '/v1/trains/' || uri_segment(p_train.train_no || '@' ||
		p_train.run) || '/documents/' || d.id))
$$;

-- An operator's upload (POST /v1/trains/{id}/documents): the type and
-- size were checked by the daemon from the bytes; here the train (one of
-- p_carriers', else not_found), the consignment (known, else not_found),
-- the row, its SHA-256 and the audit record.  Outcomes: done (reply: the
-- document), not_found.
CREATE OR REPLACE FUNCTION document_upload(p_id text, p_carriers text[],
    p_consignment text, p_code text, p_content_type text, p_content bytea,
    p_principal text, p_role text, p_ruleset text,
    OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	doc	documents%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF NOT FOUND OR NOT document_train_visible(cur, p_carriers) THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'no train ' || p_id || '; nothing was stored');
		RETURN;
	END IF;
	IF p_consignment IS NOT NULL AND
	    NOT document_consignment_known(cur, p_consignment) THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Unknown consignment',
		    'detail', 'train ' || cur.train_no || ' (run ' || cur.run ||
		    ') has no consignment ' || p_consignment || '; nothing was '
		    'stored', 'consignment', p_consignment);
		RETURN;
	END IF;
	INSERT INTO documents (train_id, consignment, code, content_type, size,
	    sha256, content, uploaded_by, uploaded_role)
	VALUES (cur.id, p_consignment, p_code, p_content_type,
	    octet_length(p_content), encode(sha256(p_content), 'hex'),
	    p_content, p_principal, p_role)
	RETURNING * INTO doc;
	PERFORM audit_append(p_principal, 'document.uploaded', cur.id,
	    json_build_object('document', doc.id, 'consignment',
	    doc.consignment, 'code', doc.code, 'content_type',
	    doc.content_type, 'size', doc.size, 'sha256', doc.sha256,
	    'role', p_role)::text, p_ruleset);
	outcome := 'done';
	reply := document_json(doc, cur, p_carriers IS NOT NULL);
END
$$;
GRANT EXECUTE ON FUNCTION document_upload(text, text[], text, text, text,
    bytea, text, text, text) TO railgate_app;

-- What run t declares (document_decide()): the SHA-256 of its contents
-- hash followed by its wagons', those in byte order; engine/decide.c
-- computes the same from the manifest.  NULL for a run stored before
-- contents were hashed (its documents then count as ever).
CREATE OR REPLACE FUNCTION document_goods_sha256(t trains) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT encode(sha256(convert_to(t.contents_sha256 ||
	    coalesce(string_agg(w.contents_sha256, '' ORDER BY
	    w.contents_sha256 COLLATE "C"), ''), 'UTF8')), 'hex')
	FROM wagons w WHERE w.train_id = t.id
$$;

-- An officer accepts or rejects a pending document, with a reason.
-- Accepting records the event the evaluation reads -- {type: document,
-- consignment, code, sha256, document, goods_sha256} -- and asks for
-- the train to be evaluated again; rejecting changes nothing else.
-- goods_sha256 binds the acceptance to the goods declared now: after a
-- replacement declaring other goods the document no longer counts
-- (engine/decide.c), the operator uploads again.  Outcomes: done
-- (reply: the document), not_found, conflict (decided already; accepting
-- on a train whose decision is final).
CREATE OR REPLACE FUNCTION document_decide(p_id text, p_doc bigint,
    p_accept boolean, p_reason text, p_principal text, p_role text,
    p_ruleset text, OUT outcome text, OUT reply json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
	doc	documents%ROWTYPE;
	ev_id	bigint;
BEGIN
	SELECT * INTO cur FROM train_lock(p_id);
	IF FOUND THEN
		SELECT * INTO doc FROM documents WHERE id = p_doc AND
		    train_id = cur.id FOR UPDATE;
	END IF;
	IF cur.id IS NULL OR doc.id IS NULL THEN
		outcome := 'not_found';
		reply := json_build_object('title', 'Not Found', 'detail',
		    'train ' || p_id || ' has no document ' || p_doc);
		RETURN;
	END IF;
	IF doc.state <> 'pending' OR (p_accept AND cur.decision_final) THEN
		outcome := 'conflict';
		reply := json_build_object('title', 'Conflict', 'detail',
		    CASE WHEN doc.state <> 'pending' THEN 'document ' || doc.id ||
		    ' was ' || doc.state || ' by ' || doc.decided_by ||
		    ' already' ELSE 'the decision of train ' || cur.train_no ||
		    ' (run ' || cur.run || ') is final: a document accepted now '
		    'would change nothing' END, 'state', doc.state);
		RETURN;
	END IF;
	IF p_accept THEN
		INSERT INTO events (train_id, type, body, principal, role)
		VALUES (cur.id, 'document', json_build_object('type',
		    'document', 'consignment', doc.consignment, 'code', doc.code,
		    'sha256', doc.sha256, 'document', doc.id,
		    'goods_sha256', document_goods_sha256(cur)), p_principal,
		    p_role)
		RETURNING id INTO ev_id;
		UPDATE trains SET eval_needed = eval_needed OR
		    manifest_id IS NOT NULL, updated_at = now()
		WHERE id = cur.id;
	END IF;
	UPDATE documents SET state = CASE WHEN p_accept THEN 'accepted'
	    ELSE 'rejected' END, decided_by = p_principal,
	    decided_role = p_role, decided_at = now(), reason = p_reason,
	    event_id = ev_id
	WHERE id = doc.id RETURNING * INTO doc;
	PERFORM audit_append(p_principal, 'document.' || doc.state, cur.id,
	    json_build_object('document', doc.id, 'consignment',
	    doc.consignment, 'code', doc.code, 'sha256', doc.sha256,
	    'reason', p_reason, 'event', ev_id, 'role', p_role)::text,
	    p_ruleset);
	outcome := 'done';
	reply := document_json(doc, cur, false);
END
$$;
GRANT EXECUTE ON FUNCTION document_decide(text, bigint, boolean, text, text,
    text, text) TO railgate_app;

-- The documents of train run p_id visible to p_carriers, oldest first;
-- NULL when there is no such train for them.
CREATE OR REPLACE FUNCTION train_documents(p_id text, p_carriers text[])
RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM train_find(p_id);
	IF NOT FOUND OR NOT document_train_visible(cur, p_carriers) THEN
		RETURN NULL;
	END IF;
	RETURN coalesce((SELECT json_agg(document_json(d, cur,
	    p_carriers IS NOT NULL) ORDER BY d.id) FROM documents d
	    WHERE d.train_id = cur.id), '[]');
END
$$;
GRANT EXECUTE ON FUNCTION train_documents(text, text[]) TO railgate_app;

-- One document's bytes and type, when visible to p_carriers; no row
-- otherwise.
CREATE OR REPLACE FUNCTION document_content(p_id text, p_doc bigint,
    p_carriers text[])
RETURNS TABLE (content_type text, sha256 text, content bytea)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
	cur	trains%ROWTYPE;
BEGIN
	SELECT * INTO cur FROM train_find(p_id);
	IF NOT FOUND OR NOT document_train_visible(cur, p_carriers) THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT d.content_type, d.sha256, d.content
	    FROM documents d WHERE d.id = p_doc AND d.train_id = cur.id;
END
$$;
GRANT EXECUTE ON FUNCTION document_content(text, bigint, text[])
    TO railgate_app;
