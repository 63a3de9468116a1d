-- 026_train_four_eyes.sql -- clearing a train hit takes two supervisors
-- (issue 18, item 2).
--
-- A wagon's override waits on the wagon (016_four_eyes.sql: proposed_*).
-- A train hit -- goods on no wagon (021_goods_resolutions.sql), a
-- blocking diagnostic or any hit naming no goods (hit_clearances below)
-- -- holds the whole train, so every clearing of one lets a held train
-- go: it is only proposed, by a supervisor with a reason, and takes
-- effect when a second, different supervisor confirms it (then the
-- goods_resolutions or hit_clearances row is written, by its proposer,
-- confirmed_by the second).  One row per proposal, kept
-- after its decision: pending, then confirmed, rejected (by another
-- supervisor), withdrawn (by its proposer) or void (the decision it was
-- made on changed: a new evaluation or a replacement manifest).

CREATE TABLE train_proposals (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	kind		text NOT NULL CHECK (kind IN ('goods', 'hit')),
	consignment	text,			-- goods: whose hits
	item		integer,		-- NULL: the whole consignment
	resolution	text NOT NULL,		-- goods: located | corrected
	wagon		text,			-- located: the wagon's number
	rule		text,			-- hit: the rule of the hits
	made_on		text NOT NULL,		-- the most severe hit it clears
	made_hits	text,			-- hit: md5 of those hits
	reason		text NOT NULL,
	proposed_by	text NOT NULL,
	proposed_at	timestamptz NOT NULL DEFAULT now(),
	state		text NOT NULL DEFAULT 'pending' CHECK (state IN
			    ('pending', 'confirmed', 'rejected', 'withdrawn',
			    'void')),
	decided_by	text,			-- NULL while pending; 'system'
	decided_reason	text,			--   for a void
	decided_at	timestamptz,
	CHECK (kind <> 'goods' OR consignment IS NOT NULL),
	CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX train_proposals_train_idx ON train_proposals (train_id, id);
CREATE INDEX train_proposals_pending_idx ON train_proposals (id)
    WHERE state = 'pending';

-- The second supervisor of a goods resolution made through a proposal.
ALTER TABLE goods_resolutions ADD COLUMN confirmed_by text;

-- A train hit naming no goods (a blocking diagnostic, a rule on the whole
-- train) cleared: two supervisors state that what it reports was checked.
-- It takes every hit of that rule naming no goods, as the evaluation it
-- was made on wrote them (made_hits), out of the final decision
-- (decide_final(), shared with the auditor's replay, which reads them
-- back by at and void_at), until void: a new evaluation whose hits of
-- that rule differ (another manifest, another diagnostic).
CREATE TABLE hit_clearances (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	rule		text NOT NULL,
	made_on		text NOT NULL,		-- the most severe hit cleared
	made_hits	text NOT NULL,		-- md5 of the hits cleared
	reason		text NOT NULL,
	principal	text NOT NULL,		-- the proposer
	role		text NOT NULL,
	confirmed_by	text NOT NULL,		-- the second supervisor
	at		timestamptz NOT NULL DEFAULT now(),
	void_at		timestamptz,		-- out of force since
	void_reason	text
);
CREATE INDEX hit_clearances_train_idx ON hit_clearances (train_id, id);

GRANT SELECT ON train_proposals, hit_clearances TO railgate_app;
