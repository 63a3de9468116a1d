-- 025_amendments.sql -- a replacement manifest keeps what officers did
-- on the wagons it does not change, and green trains go by themselves
-- (issue 18, items 6 and 4).
--
-- Each wagon of a manifest has a contents hash (SHA-256, computed by the
-- daemon from the parsed model: the wagon, its seals and containers, the
-- goods on it with their consignments' parties; docs/daemon.md
-- "Amendments"), and each manifest one of the train's other contents.
-- A replacement compares them by wagon number: a wagon whose hash did
-- not change keeps its resolution, its proposal and what approval made
-- of it.  NULL (a manifest stored before this migration) compares as
-- changed.
--
-- manifest_wagons keeps each accepted manifest's wagons (number,
-- position): the auditor's replay places a final decision's resolutions
-- on the wagons of the manifest it was made on, not on today's.
-- amendments keeps the diff of each replacement, shown in
-- GET /v1/trains/{id}; final_kept marks a replacement that changed
-- nothing a final decision was built on, so that the decision stayed
-- final (the replay then reads the evaluations of that manifest as made
-- after the final decision).

ALTER TABLE wagons ADD COLUMN contents_sha256 text;
ALTER TABLE trains ADD COLUMN contents_sha256 text;

CREATE TABLE manifest_wagons (
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	position	integer NOT NULL,
	number		text NOT NULL,
	contents_sha256	text,
	PRIMARY KEY (manifest_id, position)
);

CREATE TABLE amendments (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	at		timestamptz NOT NULL DEFAULT now(),
	added		json NOT NULL,		-- [{wagon, position}]
	removed		json NOT NULL,		-- [{wagon, position}]
	changed		json NOT NULL,		-- [{wagon, position, from}]
	moved		json NOT NULL,		-- [{wagon, position, from}]
	kept		json NOT NULL,		-- [{wagon|goods, resolution, by, why}]
	dropped		json NOT NULL,
	final_kept	boolean NOT NULL
);
CREATE INDEX amendments_train_idx ON amendments (train_id, id);
CREATE INDEX amendments_manifest_idx ON amendments (manifest_id);

-- Automatic release of green trains: who took the train (an officer who
-- means to look at it; the timer leaves it alone).
ALTER TABLE trains ADD COLUMN taken_by text;
ALTER TABLE trains ADD COLUMN taken_at timestamptz;

GRANT SELECT ON manifest_wagons, amendments TO railgate_app;

-- wagons_amend() (30_ingest.sql) takes its place.
DROP FUNCTION IF EXISTS wagons_rebuild(bigint, json, text, text);

-- Whether an officer took a train reads the train's officer actions:
-- GET /v1/trains/{id} and the auto-release timer ask it every time.
CREATE INDEX IF NOT EXISTS officer_actions_train_idx
    ON officer_actions (train_id, id);

-- The timer of every daemon asks each second for the provisional RELEASE
-- decisions (auto_release_due()): those few trains, not the whole table.
CREATE INDEX trains_auto_release_idx ON trains (id)
    WHERE NOT decision_final AND (decision->>'decision') = 'RELEASE';
