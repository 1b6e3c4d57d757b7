-- releases: the public table of the collection's releases, as staged (stg_releases).
-- Grain: one row per release. Key: release_id (checked on stg_releases: check.stg_releases_key).
-- A mart (a view: nothing copied) so that staging can change shape without breaking `selecta sql` users, matching, the
-- report and the exports: today it is stg_releases as is.

CREATE OR REPLACE VIEW releases AS
SELECT * FROM stg_releases;
