-- 032_documents.sql -- documents a railway operator uploads for its
-- train or one consignment of it, for an officer to accept or reject
-- (issue 20, item 3; docs/documents.md).
--
-- One row per upload, never deleted: what was uploaded never changes,
-- only the state moves, once, from pending to accepted or rejected
-- (the trigger below).  The bytes are kept here, beside their SHA-256,
-- so that the document an officer saw is the document the audit record
-- names.  An accepted document is also an event of its train (type
-- "document", events.id in event_id): the evaluation reads it from the
-- events, as it reads every other fact, so that a replay decides the
-- same (docs/replay.md).

CREATE TABLE documents (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	consignment	text,			-- its reference; NULL: the whole train
	code		text NOT NULL CHECK (code ~ '^[0-9]{3}$'), -- UN/EDIFACT 1001
	content_type	text NOT NULL CHECK (content_type IN
			    ('application/pdf', 'image/jpeg', 'image/png')),
	size		bigint NOT NULL CHECK (size > 0 AND size <= 20971520),
	sha256		text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	content		bytea NOT NULL,
	uploaded_by	text NOT NULL,		-- the operator token's principal
	uploaded_role	text NOT NULL,
	uploaded_at	timestamptz NOT NULL DEFAULT now(),
	state		text NOT NULL DEFAULT 'pending' CHECK (state IN
			    ('pending', 'accepted', 'rejected')),
	decided_by	text,
	decided_role	text,
	decided_at	timestamptz,
	reason		text,			-- the officer's, shown to the operator
	event_id	bigint REFERENCES events(id),	-- accepted: its event
	CHECK (octet_length(content) = size),
	CHECK ((state = 'pending') = (decided_at IS NULL)),
	CHECK ((state = 'accepted') = (event_id IS NOT NULL))
);
CREATE INDEX documents_train_idx ON documents (train_id, id);
-- The bytes are compressed PDFs and images already.
ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL;

-- What a document says never changes; its state moves once, forward.
-- Defined here for the trigger; db/functions/73_documents.sql keeps it.
CREATE FUNCTION document_guard() RETURNS trigger
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
CREATE TRIGGER documents_guard BEFORE UPDATE OR DELETE ON documents
FOR EACH ROW EXECUTE FUNCTION document_guard();
