-- 034_checkpoints.sql -- the audit chain anchored outside the database
-- (issue 20, item 8; docs/evidence.md).
--
-- Every few minutes and at shutdown the daemon signs a checkpoint of the
-- audit chain (its head seq and hash, the record count, the time, the
-- station's name) with the key that signs its neighbour messages, keeps
-- it here, and sends it to the neighbour, which keeps it in its own
-- table: a database owner who rewrites records older than a checkpoint
-- the neighbour holds cannot recompute that checkpoint's signature, nor
-- reach the neighbour's copy.
--
-- Insert-only like audit_log: the daemon's role inserts only through
-- checkpoint_store() and checkpoint_receive() (SECURITY DEFINER), and a
-- trigger refuses UPDATE, DELETE and TRUNCATE from anyone.

CREATE TABLE audit_checkpoints (
	id		bigserial PRIMARY KEY,
	chain		text NOT NULL,		-- whose chain: this station's name or the neighbour's
	own		boolean NOT NULL,	-- this station's chain (signed here)
	seq		bigint NOT NULL,	-- the head's sequence number
	count		bigint NOT NULL,	-- records in the chain up to it
	hash		text NOT NULL,		-- the head's hash
	at		timestamptz NOT NULL,	-- when it was signed (whole seconds)
	key_id		text NOT NULL,		-- sign_key_id() of the signing key
	signature	text NOT NULL,		-- base64 Ed25519 of the signed text
	message_id	text,			-- the neighbour's: the link message it came in
	received_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (hash ~ '^[0-9a-f]{64}$'),
	CHECK (seq >= 1 AND count >= 1)
);
CREATE INDEX audit_checkpoints_chain_idx ON audit_checkpoints (own, chain, seq);

CREATE TRIGGER audit_checkpoints_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE
    ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_forbid_change();
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM railgate_app;
GRANT SELECT ON audit_checkpoints TO railgate_app;

-- A checkpoint goes to the neighbour as a link message of its own kind,
-- through the ordered outbox like the others: it names no train.
ALTER TABLE peer_outbox ALTER COLUMN train_id DROP NOT NULL;
ALTER TABLE peer_outbox ADD COLUMN checkpoint_id bigint
    REFERENCES audit_checkpoints(id);
ALTER TABLE peer_outbox DROP CONSTRAINT peer_outbox_type_check;
ALTER TABLE peer_outbox ADD CONSTRAINT peer_outbox_type_check CHECK (type IN
    ('pre_arrival', 'control_results', 'release_ack', 'checkpoint'));
ALTER TABLE peer_outbox ADD CONSTRAINT peer_outbox_subject_check CHECK
    ((type = 'checkpoint') = (train_id IS NULL AND checkpoint_id IS NOT NULL));
