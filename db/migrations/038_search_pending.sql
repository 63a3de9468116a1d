-- 038_search_pending.sql -- the console's trigram indexes keep what a
-- manifest adds in their pending lists until the daemon is idle (issue 23).
--
-- A GIN index with fastupdate (PostgreSQL's default) takes new entries
-- into a pending list and merges them into the index when the list passes
-- gin_pending_list_limit (4 MB by default).  The merge is made by
-- whichever insert crosses the limit: with a manifest's parties and
-- wagons, every 16 to 47 trains one manifest's store took 30-100 ms more
-- (auto_explain: the INSERT into search_parties 97 ms, into wagons 105 ms,
-- where they take 3 and 2), and the train behind it waited on the audit
-- chain's head for as long.  Without a pending list (fastupdate off)
-- every insert costs more: 48 ms of PostgreSQL per 5,000-item train.
--
-- The limit is now 16 MB (about 180 trains), and the daemon merges the
-- lists when no decision is being made (search_tidy() in 95_console.sql,
-- daemon/tidy.c), so that the merge's cost, 1.5 ms a train, is taken
-- between trains rather than in one of them.  A search reads the pending
-- list as well as the index: results are the same, 2 ms becomes up to
-- 25 ms while a full list waits.

ALTER INDEX search_parties_name_trgm SET (gin_pending_list_limit = 16384);
ALTER INDEX trains_train_no_trgm SET (gin_pending_list_limit = 16384);
ALTER INDEX wagons_number_trgm SET (gin_pending_list_limit = 16384);
ALTER INDEX wagons_containers_trgm SET (gin_pending_list_limit = 16384);
