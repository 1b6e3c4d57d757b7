-- stg_releases: the collection's releases, typed and cleaned (published as the mart `releases`).
-- Grain: one row per release. Key: release_id (schema.toml: check.stg_releases_key).
-- Raw values are kept beside clean ones: `artist` / `labels` as given, `artist_clean` /
-- `labels_clean` without Discogs' disambiguation suffixes (`Justice (5)` → `Justice`) and the
-- name-variation star (`Cassius*` → `Cassius`). discogs_clean is in macros.sql.
-- Typed values or quarantine, never guesses: a release_id that is not a whole positive number
-- (`1007920.7`) sends its row to `quarantine`; a year that is not a whole number from 1860 to
-- 2100 is quarantined as a field (the release stays, its year NULL). A year of 0 or an empty
-- one is Discogs' "unknown": NULL without a word. A master_id is a whole number, or empty /
-- `N/A` (the exporter's "no master release": NULL), else its field is quarantined.

INSERT INTO quarantine
SELECT source_file, source_line, 'releases', 'release_id',
       CASE WHEN nullif(trim(release_id), '') IS NULL THEN 'release id is missing' ELSE 'release id is not a whole number: ' || release_id END,
       title, 'staging.releases'
FROM raw_releases
WHERE NOT coalesce(regexp_full_match(trim(release_id), '[0-9]{1,18}'), false);

INSERT INTO quarantine
SELECT source_file, source_line, 'releases', 'year', 'year is not a whole number from 1860 to 2100: ' || year, release_id, 'staging.releases'
FROM raw_releases
WHERE regexp_full_match(trim(release_id), '[0-9]{1,18}')
  AND nullif(nullif(trim(year), ''), '0') IS NOT NULL
  AND NOT (regexp_full_match(trim(year), '[0-9]{4}') AND TRY_CAST(trim(year) AS INTEGER) BETWEEN 1860 AND 2100);

INSERT INTO quarantine
SELECT source_file, source_line, 'releases', 'master_id', 'master id is not a whole number: ' || master_id, release_id, 'staging.releases'
FROM raw_releases
WHERE regexp_full_match(trim(release_id), '[0-9]{1,18}')
  AND upper(nullif(trim(master_id), '')) <> 'N/A' AND NOT regexp_full_match(trim(master_id), '[0-9]{1,18}');

CREATE OR REPLACE TABLE stg_releases AS
SELECT
    TRY_CAST(trim(release_id) AS BIGINT)                        AS release_id,
    trim(title)                                             AS title,
    trim(artist)                                            AS artist,
    discogs_clean(artist)                                   AS artist_clean,
    CASE WHEN regexp_full_match(trim(year), '[0-9]{4}') AND TRY_CAST(trim(year) AS INTEGER) BETWEEN 1860 AND 2100
         THEN TRY_CAST(trim(year) AS INTEGER) END               AS year,
    nullif(trim(genre), '')                                 AS genre,
    nullif(trim(style), '')                                 AS style,
    trim(labels)                                            AS labels,
    discogs_clean(labels)                                   AS labels_clean,
    trim(formats)                                           AS formats,
    nullif(trim(country), '')                               AS country,
    CASE WHEN regexp_full_match(trim(master_id), '[0-9]{1,18}') THEN TRY_CAST(trim(master_id) AS BIGINT) END AS master_id,
    source_format,
    source_file,
    source_line
FROM raw_releases
WHERE regexp_full_match(trim(release_id), '[0-9]{1,18}');

-- @note
SELECT count(*) > 0, CASE WHEN count(*) > 0 THEN format('{} rows quarantined (see table quarantine)', count(*)) END
FROM quarantine WHERE found_by = 'staging.releases';
