-- Macros: every SQL macro of the warehouse, in one file.
-- Runs first (plan step `macros`), before ingest and staging. Macros are created in the
-- warehouse file itself, so they persist: `selecta sql "SELECT discogs_clean('Justice (5)')"`
-- works on any built warehouse.

-- discogs_clean(name): a Discogs name without its disambiguation suffix (`Justice (5)` →
-- `Justice`) and its name-variation star (`Cassius*` → `Cassius`); NULL when nothing is left.
-- Used by stg_releases (artist_clean, labels_clean) and stg_tracks (artist_clean, is_compilation).
CREATE OR REPLACE MACRO discogs_clean(name) AS
    nullif(trim(regexp_replace(regexp_replace(name, ' \(\d+\)', '', 'g'), '\*(,|$| )', '\1', 'g')), '');

-- clean_text(s): s without leading and trailing whitespace of any kind (tabs and newlines too,
-- which trim() keeps); NULL when nothing is left. Used by stg_tracks.
CREATE OR REPLACE MACRO clean_text(s) AS nullif(regexp_replace(s, '^\s+|\s+$', '', 'g'), '');

