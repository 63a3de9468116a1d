-- 020_evidence_authors.sql -- evidence has an author (issue 17, item 3).
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
-- add_event() takes the role and the device: its signature changes, so it
-- is dropped here and created again by db/functions/ in the same
-- transaction, right after the migrations.

ALTER TABLE tokens DROP CONSTRAINT tokens_role_check;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_check CHECK (role IN
    ('officer', 'supervisor', 'auditor', 'operator', 'admin', 'device'));

ALTER TABLE events ADD COLUMN role text, ADD COLUMN device text;

DROP FUNCTION IF EXISTS add_event(text, text, json, text, text);
