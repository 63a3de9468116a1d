-- 021_goods_resolutions.sql -- an officer resolves the train hits about
-- goods on no wagon (issue 17, item 1).
--
-- Goods the manifest ties to no wagon (no placement, unknown equipment,
-- a container no wagon carries) are judged all the same: their rule hits
-- are train hits naming the goods ({consignment, item}), and a train hit
-- holds the train (decision.md).  Besides a corrected manifest, an
-- officer may say where the goods are -- "located" on a wagon: their hits
-- move to that wagon, which takes the most severe of its action and
-- theirs -- or that the manifest was wrong to list them -- "corrected":
-- their hits drop, only when none is above DOC_CHECK.
--
-- One row per resolution, with who, when and why, in force until void_at:
-- a new evaluation voids it when the hits it was made on rose above
-- made_on (a correction), or when it was made on another manifest (a
-- replacement).  The final decision applies the resolutions in force
-- (decide_final(), shared with the auditor's replay, which reads them
-- back by at and void_at).

CREATE TABLE goods_resolutions (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	consignment	text NOT NULL,
	item		integer,		-- NULL: the whole consignment
	resolution	text NOT NULL CHECK (resolution IN ('located',
			    'corrected')),
	wagon		text,			-- located: the wagon's number
	position	integer,		-- and its position
	made_on		text NOT NULL,		-- the most severe hit resolved
	reason		text NOT NULL,
	principal	text NOT NULL,
	role		text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now(),
	void_at		timestamptz,		-- out of force since
	void_reason	text,
	CHECK ((resolution = 'located') = (position IS NOT NULL))
);
CREATE INDEX goods_resolutions_train_idx ON goods_resolutions (train_id, id);

GRANT SELECT ON goods_resolutions TO railgate_app;
