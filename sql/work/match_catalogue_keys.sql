-- The blocking keys of a local catalogue match (temporary; `[match] source = "catalogue"`):
-- match_catalogue_artists / match_catalogue_titles: one row per (catalogue row, artist key) /
-- (catalogue row, title key); match_probe: one row per (Discogs track, key) being looked up.
-- Keys: (rid, artist_key), (rid, title_key), (qid, artist_key, title_key). The catalogue itself
-- (match_catalogue) is read from the file whose columns are found by name, in Rust.
CREATE OR REPLACE TEMP TABLE match_catalogue_artists (rid BIGINT, artist_key VARCHAR);
CREATE OR REPLACE TEMP TABLE match_catalogue_titles (rid BIGINT, title_key VARCHAR);
CREATE OR REPLACE TEMP TABLE match_probe (qid BIGINT, artist_key VARCHAR, title_key VARCHAR);
