-- 037_decision_outcome.sql -- the outcome of a run's current decision
-- beside the document (issue 23).
--
-- The train list every console polls showed each run's outcome as
-- decision->>'decision': the whole document (about 40 kB for 55 wagons,
-- lz4 in TOAST) read, decompressed and parsed for every run listed --
-- 262 ms for 430 runs on the test machine, run again after every change
-- while readers polled, and taking PostgreSQL's CPU from the decisions.
-- A trigger on every UPDATE or INSERT that sets trains.decision (or the
-- outcome itself: it is never written apart from the document, so no
-- one can make auto release read RELEASE beside a HOLD) keeps
-- decision_outcome to it, whoever writes it; the rows stored before are
-- filled here.  (The trigger's function is kept in 20_trains.sql from
-- now on; it is defined here because this migration runs before it.)

ALTER TABLE trains ADD COLUMN decision_outcome text;

CREATE OR REPLACE FUNCTION trains_decision_outcome() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.decision_outcome := NEW.decision->>'decision';
	RETURN NEW;
END
$$;

CREATE TRIGGER trains_decision_outcome BEFORE INSERT OR UPDATE OF decision,
    decision_outcome ON trains FOR EACH ROW EXECUTE FUNCTION trains_decision_outcome();

UPDATE trains SET decision_outcome = decision->>'decision'
    WHERE decision IS NOT NULL;
