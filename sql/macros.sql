-- Macros: every SQL macro of the warehouse, in one file.
-- Runs first (plan step `macros`), before ingest and staging. Macros are created in the
-- warehouse file itself, so they persist: `selecta sql "SELECT discogs_clean('Justice (5)')"`
-- works on any built warehouse.

-- discogs_clean(name): a Discogs name without its disambiguation suffix (`Justice (5)` →
-- `Justice`) and its name-variation star (`Cassius*` → `Cassius`); NULL when nothing is left.
-- Used by stg_releases (artist_clean, labels_clean) and stg_tracks (artist_clean, is_compilation).
-- The regexes run only on a name holding `(` or `*` (what they can change): most names have
-- neither, and the two regex passes were a fifth of stg_tracks' time on the original data.
CREATE OR REPLACE MACRO discogs_clean(name) AS
    nullif(trim(CASE WHEN contains(name, '(') OR contains(name, '*')
                     THEN regexp_replace(regexp_replace(name, ' \(\d+\)', '', 'g'), '\*(,|$| )', '\1', 'g')
                     ELSE name END), '');

-- clean_text(s): s without leading and trailing whitespace (space, tab, line feed, form feed,
-- carriage return: what the regex `\s` matches; one-argument trim() removes only spaces);
-- NULL when nothing is left. Used by stg_tracks. trim() with its characters, not a regex: the
-- regex cost about 30 M instructions per build on the original data (callgrind).
CREATE OR REPLACE MACRO clean_text(s) AS nullif(trim(s, E'\t\n\f\r '), '');

