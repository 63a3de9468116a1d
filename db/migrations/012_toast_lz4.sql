-- 012_toast_lz4.sql -- how PostgreSQL compresses the larger values.
--
-- A 5,000-item train's decision document is about 40 kB of JSON, stored
-- twice (the run's current one and the history row): compressing both
-- with the default pglz cost a tenth of PostgreSQL's time per train; lz4
-- compresses as well for this JSON several times faster.  The manifest's
-- bytes are zlib already: EXTERNAL stores them out of line without trying
-- to compress them again.  A server built without lz4 keeps pglz.

ALTER TABLE manifests ALTER COLUMN raw_z SET STORAGE EXTERNAL;

DO $$
BEGIN
	ALTER TABLE trains ALTER COLUMN decision SET COMPRESSION lz4;
	ALTER TABLE decisions ALTER COLUMN document SET COMPRESSION lz4;
	ALTER TABLE wagons ALTER COLUMN summary SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	RAISE NOTICE 'this server has no lz4: decisions stay compressed with pglz';
END
$$;
