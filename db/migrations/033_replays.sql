-- 033_replays.sql -- the auditor's replays over the API (issue 20 item 6,
-- docs/auditor.md), and indexes for the reports across trains.
--
-- A replay is requested by an auditor (POST /v1/replays): a row 'queued'
-- with its selection ({"trains": [...]}, {"since", "until"} or {"all":
-- true}).  A daemon's worker claims it under a lease (lease_owner,
-- lease_until, like a train's evaluation), marks it 'running', writes its
-- progress after every batch of decisions (extending the lease) and ends
-- it 'done' with the report in result, or 'failed' with error.  A daemon
-- that dies leaves the lease to run out: any daemon sharing the database
-- claims the replay again and starts it over (attempts counts the
-- claims; after REPLAY_ATTEMPTS_MAX, 74_reports.sql, it is 'failed').
CREATE TABLE replays (
	id		bigserial PRIMARY KEY,
	requested_by	text NOT NULL,
	requested_at	timestamptz NOT NULL DEFAULT now(),
	selection	json NOT NULL,
	state		text NOT NULL DEFAULT 'queued' CHECK (state IN
			    ('queued', 'running', 'done', 'failed')),
	total		bigint,			-- decisions selected, once known
	checked		bigint NOT NULL DEFAULT 0,
	same		bigint NOT NULL DEFAULT 0,
	different	bigint NOT NULL DEFAULT 0,
	errors		bigint NOT NULL DEFAULT 0,
	started_at	timestamptz,
	finished_at	timestamptz,
	lease_owner	text,
	lease_until	timestamptz,
	attempts	integer NOT NULL DEFAULT 0,
	result		json,			-- the report (engine/replay.h)
	error		text,
	CHECK ((state IN ('done', 'failed')) = (finished_at IS NOT NULL))
);
CREATE INDEX replays_open_idx ON replays (id) WHERE state IN ('queued', 'running');

-- The reports select a period of train runs by when they were created,
-- and officers' actions by when they were made.
CREATE INDEX IF NOT EXISTS trains_created_idx ON trains (created_at);
CREATE INDEX IF NOT EXISTS officer_actions_at_idx ON officer_actions (at);

GRANT SELECT ON replays TO railgate_app;
