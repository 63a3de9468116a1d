-- 028_screening_clearances.sql -- clearing a false screening match, once
-- (issue 19, item 6; docs/screening.md "Clearing a false match").
--
-- An officer records "party P (name, country, identifier) is not entry E
-- of list L" with a reason; a supervisor, another person, confirms it
-- (four eyes) or rejects it; it is in force from its confirmation until
-- expires_at ([screening] clearance_days later) unless a supervisor
-- revokes it first.  One row per clearance, never deleted: only its state
-- moves (pending -> confirmed | rejected, confirmed -> revoked), and
-- every move is in the audit log (db/functions/67_clearances.sql).
--
-- `changed` takes the next number of a sequence at every insert and
-- move: the evaluator holds the clearances in force and fetches them
-- again only when max(changed) or the next expiry moved.
--
-- A decision keeps the clearances its evaluation applied (`clearances`,
-- the JSON array the engine reported; NULL for a decision stored before
-- this migration: none), so that `railgate replay` gives exactly those
-- back.

CREATE SEQUENCE screening_clearances_changed;

CREATE TABLE screening_clearances (
	id		bigserial PRIMARY KEY,
	list		text NOT NULL,
	entry		text NOT NULL,		-- the entry's own name, as listed
	party_name	text NOT NULL,		-- as the officer gave it
	party_key	text NOT NULL,		-- names_fold(party_name)
	party_country	text,			-- NULL: any
	party_id	text,			-- as given; NULL: any
	reason		text NOT NULL CHECK (reason <> ''),
	train_id	bigint REFERENCES trains(id),	-- made from a hit of it
	hit		json,			-- {rule, consignment, item, role}
	ruleset_sha256	text,			-- the rule set it was checked on
	proposed_by	text NOT NULL,
	proposed_role	text NOT NULL,
	proposed_at	timestamptz NOT NULL DEFAULT now(),
	state		text NOT NULL DEFAULT 'pending' CHECK (state IN
			    ('pending', 'confirmed', 'rejected', 'revoked')),
	decided_by	text,
	decided_at	timestamptz,
	decided_reason	text,
	expires_at	timestamptz,		-- confirmation + clearance_days
	revoked_by	text,
	revoked_at	timestamptz,
	revoked_reason	text,
	changed		bigint NOT NULL DEFAULT
			    nextval('screening_clearances_changed'),
	CHECK ((state = 'pending') = (decided_at IS NULL)),
	CHECK ((state IN ('confirmed', 'revoked')) = (expires_at IS NOT NULL)),
	CHECK ((state = 'revoked') = (revoked_at IS NOT NULL)),
	CHECK (party_country IS NULL OR party_country ~ '^[A-Z]{2}$')
);
CREATE INDEX screening_clearances_changed_idx ON screening_clearances
    (changed);
CREATE INDEX screening_clearances_force_idx ON screening_clearances
    (expires_at) WHERE state = 'confirmed';
CREATE INDEX screening_clearances_pending_idx ON screening_clearances (id)
    WHERE state = 'pending';
CREATE INDEX screening_clearances_train_idx ON screening_clearances
    (train_id) WHERE train_id IS NOT NULL;

-- What a clearance says never changes: only its state moves, forward.
-- Defined here for the trigger; db/functions/67_clearances.sql keeps it.
CREATE FUNCTION screening_clearance_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'UPDATE' THEN
		RAISE EXCEPTION 'screening clearances are never deleted';
	END IF;
	IF (NEW.list, NEW.entry, NEW.party_name, NEW.party_key,
	    NEW.party_country, NEW.party_id, NEW.reason, NEW.train_id,
	    NEW.hit::text, NEW.ruleset_sha256, NEW.proposed_by,
	    NEW.proposed_role, NEW.proposed_at) IS DISTINCT FROM (OLD.list,
	    OLD.entry, OLD.party_name, OLD.party_key, OLD.party_country,
	    OLD.party_id, OLD.reason, OLD.train_id, OLD.hit::text,
	    OLD.ruleset_sha256, OLD.proposed_by, OLD.proposed_role,
	    OLD.proposed_at) OR NOT ((OLD.state = 'pending' AND NEW.state IN
	    ('confirmed', 'rejected')) OR (OLD.state = 'confirmed' AND
	    NEW.state = 'revoked' AND NEW.decided_at = OLD.decided_at AND
	    NEW.expires_at = OLD.expires_at)) THEN
		RAISE EXCEPTION 'screening clearance %: only its state moves '
		    '(pending to confirmed or rejected, confirmed to revoked)',
		    OLD.id;
	END IF;
	NEW.changed := nextval('screening_clearances_changed');
	RETURN NEW;
END
$$;
CREATE TRIGGER screening_clearances_guard BEFORE UPDATE OR DELETE
    ON screening_clearances FOR EACH ROW
    EXECUTE FUNCTION screening_clearance_guard();
CREATE TRIGGER screening_clearances_no_truncate BEFORE TRUNCATE
    ON screening_clearances FOR EACH STATEMENT
    EXECUTE FUNCTION screening_clearance_guard();

ALTER TABLE decisions ADD COLUMN clearances json;

-- The evaluator's claim now says which clearances are in force, and a
-- decision keeps those applied: both functions change their signature.
DROP FUNCTION claim_evaluations(text, integer, integer, bigint[], bigint[]);
DROP FUNCTION store_decision(bigint, text, json, text, boolean, json, text,
    text, bigint, bigint);

GRANT SELECT ON screening_clearances TO railgate_app;
