-- 040_wagons_hot_updates.sql -- a decision's update of its wagons stays in
-- their pages, and the auto-release index reads the outcome column
-- (issue 23).
--
-- store_decision() sets every wagon's action right after the manifest's
-- store inserted it.  With the pages full (fillfactor 100) only 12% of
-- those updates found room beside the old row (pg_stat_user_tables,
-- n_tup_hot_upd); each other one put a new entry in every index of the
-- table -- the key and both trigram indexes, whose pending lists then
-- held each wagon twice.  Half-full pages leave room for that one update:
-- 99% of them stay in the page and touch no index, store_decision() 3.0
-- -> 2.4 ms for a 5,000-item train of 55 wagons (pg_stat_statements,
-- trains one at a time).  Pages written before keep their fill.
--
-- trains_auto_release_idx (025) was kept to decision->>'decision', which
-- auto_release_due() stopped reading at 037 (it reads decision_outcome):
-- never used, and its predicate parsed the whole decision document
-- (about 40 kB) at every update of a train.  Made again on the column
-- the query reads.

ALTER TABLE wagons SET (fillfactor = 50);

DROP INDEX trains_auto_release_idx;
CREATE INDEX trains_auto_release_idx ON trains (id)
    WHERE NOT decision_final AND decision_outcome = 'RELEASE';
