-- 026_train_four_eyes.sql -- clearing a train hit takes two supervisors
-- (issue 18, item 2).
--
-- A wagon's override waits on the wagon (016_four_eyes.sql: proposed_*).
-- A train hit -- goods on no wagon (021_goods_resolutions.sql), and any
-- later kind of train-level clearing -- holds the whole train, so every
-- clearing of one lets a held train go: it is only proposed, by a
-- supervisor with a reason, and takes effect when a second, different
-- supervisor confirms it (then the goods_resolutions row is written, by
-- its proposer, confirmed_by the second).  One row per proposal, kept
-- after its decision: pending, then confirmed, rejected (by another
-- supervisor), withdrawn (by its proposer) or void (the decision it was
-- made on changed: a new evaluation or a replacement manifest).

CREATE TABLE train_proposals (
	id		bigserial PRIMARY KEY,
	train_id	bigint NOT NULL REFERENCES trains(id),
	manifest_id	bigint NOT NULL REFERENCES manifests(id),
	kind		text NOT NULL CHECK (kind IN ('goods', 'diagnostic')),
	consignment	text,			-- goods: whose hits
	item		integer,		-- NULL: the whole consignment
	resolution	text NOT NULL,		-- goods: located | corrected
	wagon		text,			-- located: the wagon's number
	rule		text,			-- diagnostic: the hit's rule
	made_on		text NOT NULL,		-- the most severe hit it clears
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

GRANT SELECT ON train_proposals TO railgate_app;
