-- 027_wagon_page_search.sql -- the console's search (issue 18, item 5):
-- trains, wagons, containers and parties found by part of a number or a
-- name, fast on a station's data.
--
-- Train numbers, wagon numbers and container numbers are already in SQL
-- (trains.train_no, wagons.number, wagons.container_numbers); parties
-- were only in the stored manifest's bytes, so each manifest's parties
-- are kept here at ingest (search_parties_rebuild() in 95_console.sql,
-- called by ingest_manifest(): one row per party of a consignment, with
-- the wagons carrying the consignment's goods).  A manifest stored before
-- this migration has no rows here: its parties are found once a
-- replacement (or the next run) is received.
--
-- Matching is a case-insensitive substring (an officer types the last
-- digits of a wagon, part of a company's name), answered from trigram
-- indexes (pg_trgm, a trusted extension shipped with PostgreSQL: the
-- database owner may create it) rather than a scan of every wagon ever
-- received.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_parties (
	train_id	bigint NOT NULL REFERENCES trains(id) ON DELETE CASCADE,
	role		text NOT NULL,		-- consignor | consignee | declarant | carrier
	name		text NOT NULL,
	party_id	text,
	country		text,
	consignment	text,			-- its reference; NULL for the carrier
	wagons		text[] NOT NULL DEFAULT '{}'	-- carrying its goods
);
CREATE INDEX search_parties_train_idx ON search_parties (train_id);
CREATE INDEX search_parties_name_trgm ON search_parties
    USING gin (lower(name) gin_trgm_ops);
GRANT SELECT ON search_parties TO railgate_app;

-- The container numbers of a wagon as one text, for their index
-- (array_to_string is only stable; for text[] it is immutable).
CREATE FUNCTION search_containers_text(p text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string(p, ' ') $$;

CREATE INDEX trains_train_no_trgm ON trains
    USING gin (lower(train_no) gin_trgm_ops);
CREATE INDEX wagons_number_trgm ON wagons USING gin (number gin_trgm_ops);
CREATE INDEX wagons_containers_trgm ON wagons
    USING gin (upper(search_containers_text(container_numbers)) gin_trgm_ops);
