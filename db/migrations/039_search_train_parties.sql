-- 039_search_train_parties.sql -- the parties the console's search finds,
-- one row a train run instead of one a party of a consignment (issue 23).
--
-- search_parties (027) took a row for each named party of each
-- consignment: 204 rows for a generated 5,000-item train with 15 names,
-- 9,000 for the 1,000,000-item one, each row checked against its train
-- (the foreign key) and indexed by trigram.  In bursts of trains that
-- was the largest statement of a manifest's store: 9.4 ms of 23 per
-- train (pg_stat_statements), of which, measured alone on 50 trains'
-- parties, 1.1 ms the rows, 1.6 ms their index entries (and 0.5-0.8 ms
-- more to merge them, 038) and 1.2 ms the key checks.
--
-- Now one row a run: the parties as the daemon sends them (role, name,
-- id, country, consignment, wagons; a JSON array), and their distinct
-- names one per line, which alone the trigram index covers.  A search
-- finds the runs whose names match and reads their parties from the
-- array, matching each party's name again (so a pattern that spanned two
-- names, had it got past the API's refusal of control characters, would
-- find nothing more).  The same hits, in the same order, come out
-- (95_console.sql console_search()).

CREATE TABLE search_train_parties (
	train_id	bigint PRIMARY KEY REFERENCES trains(id) ON DELETE CASCADE,
	names		text NOT NULL,		-- distinct, one per line
	parties		jsonb NOT NULL		-- [{role, name, id, country, consignment, wagons}]
);
CREATE INDEX search_train_parties_names_trgm ON search_train_parties
    USING gin (lower(names) gin_trgm_ops) WITH (gin_pending_list_limit = 16384);
GRANT SELECT ON search_train_parties TO railgate_app;
-- lz4, as the decisions (012): pglz took 39 ms against lz4's 25 for the
-- 1,000,000-item train's parties (1.4 MB of JSON), for a bigger result.
DO $$
BEGIN
	ALTER TABLE search_train_parties ALTER COLUMN parties SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	RAISE NOTICE 'this server has no lz4: the parties stay compressed with pglz';
END
$$;

INSERT INTO search_train_parties (train_id, names, parties)
SELECT train_id, string_agg(DISTINCT name, E'\n'),
    jsonb_agg(jsonb_strip_nulls(jsonb_build_object('role', role, 'name', name,
    'id', party_id, 'country', country, 'consignment', consignment,
    'wagons', to_jsonb(wagons))))
FROM search_parties GROUP BY train_id;

DROP TABLE search_parties;
