-- 022_clock_truth.sql -- the clearance clock runs from the arrival time
-- reported, and calls for help at thresholds of time left (issue 18,
-- items 1 and 3).
--
-- Until now the clock started when the `arrived` event was received: an
-- arrival reported 16 minutes late showed 19:40 left.  The first
-- `arrived` event's `at` (checked by the daemon against the time it was
-- received, within [clearance] arrival_past_max_s and
-- arrival_future_max_s) is kept as arrival_at, the time it was received
-- as arrival_received_at, and the clock starts at arrival_at -- at once
-- when the manifest is in, or when the manifest comes if the train
-- arrived first.  A second `arrived` is recorded as an event and changes
-- neither (docs/daemon.md, "Clearance clock").
--
-- The flags are now ok, amber (amber_left_s or less left), red
-- (red_left_s or less), overdue (the target passed) and done.  Each
-- crossing is logged once however many daemons share the database, as
-- before (clock_logged), and now also an audit record (clock.amber,
-- clock.red, clock.overdue) and a notice to every subscription of the
-- format "duty" (the station's duty endpoint), through the outbox of
-- release notices.  What 007 logged as red (the target passed) is now
-- overdue.

ALTER TABLE trains ADD COLUMN arrival_at timestamptz;
ALTER TABLE trains ADD COLUMN arrival_received_at timestamptz;

UPDATE trains SET clock_logged = 'overdue' WHERE clock_logged = 'red';

-- The clocks still running, which the daemon reads every second.
CREATE INDEX trains_clock_running_idx ON trains (clock_start)
WHERE clock_start IS NOT NULL AND NOT decision_final AND state <> 'cancelled';

-- A duty notice belongs to a clock alert, not to a decision.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_formats_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_formats_check
    CHECK (formats <@ ARRAY['json', 'cusres', 'duty'] AND
    cardinality(formats) > 0);
ALTER TABLE notices ALTER COLUMN decision_id DROP NOT NULL;
ALTER TABLE notices ADD COLUMN alert json;
ALTER TABLE notices ADD CONSTRAINT notices_decision_or_alert
    CHECK ((decision_id IS NULL) <> (alert IS NULL));

-- The thresholds replace warn_percent: the functions taking it go (their
-- successors are in db/functions/).
DROP FUNCTION IF EXISTS clock_alerts(integer, integer);
DROP FUNCTION IF EXISTS train_summary(trains, integer, integer);
DROP FUNCTION IF EXISTS train_clock(trains, integer, integer);
DROP FUNCTION IF EXISTS metrics_snapshot(integer, integer);
