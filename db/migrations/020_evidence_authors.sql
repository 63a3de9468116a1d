-- 020_evidence_authors.sql -- evidence has an author, and our controls
-- go back to the neighbour (issue 17, item 3).
--
-- A new token role, device: one token per weighbridge or scanner, which
-- posts control evidence and nothing else.  Every event records who
-- posted it: the token's principal (already in events.principal), its
-- role, and the instrument it came from -- a device token's own
-- principal, or the "device" an officer names in the body.  A neighbour's
-- report is posted by the neighbouring service, role 'neighbour'.  Rows
-- from before this migration keep NULL: their role and device are
-- unknown, and are shown so (GET /v1/trains/{id}/events).
--
-- Our results go back: control evidence stored (weighbridge, scan,
-- seal_check) or a wagon the rules had at INSPECT (or above) released by
-- an officer queues a control_results message for the train while a
-- neighbour is registered (peer_enqueue_controls() in 80_peer.sql, by
-- the two triggers below), so that the other side recognises our controls
-- as we recognise theirs.
--
-- add_event() takes the role and the device, and peer_claim_next()
-- answers the seals found here: their signatures change, so they are
-- dropped here and created again by db/functions/ in the same
-- transaction, right after the migrations.

ALTER TABLE tokens DROP CONSTRAINT tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN
    ('officer', 'supervisor', 'auditor', 'operator', 'admin', 'device'));

ALTER TABLE events ADD COLUMN role text, ADD COLUMN device text;

DROP FUNCTION IF EXISTS add_event(text, text, json, text, text);
DROP FUNCTION IF EXISTS peer_claim_next(text, integer);

-- The triggers' function; its body lives in 80_peer.sql (recreated at
-- every migrate), this only lets the triggers be created.
CREATE FUNCTION peer_controls_queue() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;

CREATE TRIGGER events_peer_controls AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.type IN ('weighbridge', 'scan', 'seal_check'))
EXECUTE FUNCTION peer_controls_queue();
CREATE TRIGGER wagons_peer_controls AFTER UPDATE OF resolution ON wagons
FOR EACH ROW WHEN (NEW.resolution = 'release' AND
    OLD.resolution IS DISTINCT FROM 'release' AND
    NEW.rules_action IN ('INSPECT', 'HOLD', 'REFUSE'))
EXECUTE FUNCTION peer_controls_queue();
