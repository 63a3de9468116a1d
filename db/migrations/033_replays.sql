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

-- The rules that fired in each decision, counted when it is stored, so
-- that the hits report (report_hits(), 74_reports.sql) reads a few rows
-- per train instead of parsing a month of decision documents (900 runs
-- of 55 wagons: 60 MB of JSON, 3 s; 25 ms from this table).  Counting
-- costs the database about 5 ms per decision stored (55 wagons, 159
-- hits, on the two-core test machine).  decision_hits_count() (in
-- 74_reports.sql, recreated at every migrate) fills it; a document it
-- cannot read records nothing and never refuses the decision.  Those
-- stored before are counted below, once.
CREATE TABLE decision_hits (
	decision_id	bigint NOT NULL REFERENCES decisions(id),
	rule		text NOT NULL,
	hits		integer NOT NULL,
	PRIMARY KEY (decision_id, rule)
);

-- Decisions stored before this migration: each run's latest decision,
-- the one the report reads (later ones are counted as they are stored).
INSERT INTO decision_hits (decision_id, rule, hits)
SELECT d.id, x.h->>'rule', count(*)
FROM trains t
JOIN LATERAL (SELECT y.id, y.document FROM decisions y
    WHERE y.train_id = t.id ORDER BY y.id DESC LIMIT 1) d ON true,
LATERAL (SELECT th AS h FROM json_array_elements(CASE WHEN
	    json_typeof(d.document->'train_hits') = 'array' THEN
	    d.document->'train_hits' END) th
	 UNION ALL
	 SELECT wh FROM json_array_elements(CASE WHEN
	    json_typeof(d.document->'wagons') = 'array' THEN d.document->'wagons'
	    END) w, json_array_elements(CASE WHEN json_typeof(w->'hits') =
	    'array' THEN w->'hits' END) wh) x
WHERE x.h->>'rule' IS NOT NULL
GROUP BY 1, 2;

GRANT SELECT ON replays, decision_hits TO railgate_app;
