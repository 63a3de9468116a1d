-- 019_outcomes.sql -- the functions answer outcome names, not HTTP statuses.
--
-- The functions that answered an http_status now answer an outcome
-- (accepted, done, proposed, duplicate, not_found, conflict, forbidden,
-- invalid: docs/storage.md) and the daemon maps it to its status.  Their
-- result types change, so they are dropped here; db/functions/ creates
-- them again in the same transaction, right after the migrations.
--
-- A manifest's answer is kept for a repeated Idempotency-Key: its outcome
-- goes into a column of its own, and the stored reply loses the "status"
-- member that led it (the daemon puts it back from the outcome, so that a
-- repeat is answered byte for byte as the first time).  The reply is json
-- (text as written), so cutting the member's text keeps the rest as is.

DROP FUNCTION IF EXISTS ingest_manifest(text, bytea, bigint, text, text,
    text, text, boolean, text, text, json, json, json, text);
DROP FUNCTION IF EXISTS add_event(text, text, json, text, text);
DROP FUNCTION IF EXISTS resolve_wagon(text, text, text, text, text, text,
    text);
DROP FUNCTION IF EXISTS decide_override(text, text, boolean, text, text,
    text, text);
DROP FUNCTION IF EXISTS finalize_decision(bigint, bigint, json, text, json,
    text, text, text, boolean, text, boolean);
DROP FUNCTION IF EXISTS notice_redeliver(text, text);
DROP FUNCTION IF EXISTS peer_receive(text, text, text, json, text, json,
    text, text, bytea, bigint, boolean, text, json, json, json, text);

ALTER TABLE manifests ADD COLUMN outcome text;
UPDATE manifests SET
	outcome = CASE reply->>'status' WHEN '202' THEN 'accepted'
	    WHEN '409' THEN 'conflict' ELSE 'invalid' END,
	reply = regexp_replace(reply::text, '^\{"status" : [0-9]+, ', '{')::json
WHERE reply IS NOT NULL;
