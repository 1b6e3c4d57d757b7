-- stg_releases: the collection's releases, typed and cleaned (published as the mart `releases`).
-- Grain: one row per release. Key: release_id (schema.toml: check.stg_releases_key).
-- Raw values are kept beside clean ones: `artist` / `labels` as given, `artist_clean` /
-- `labels_clean` without Discogs' disambiguation suffixes (`Justice (5)` → `Justice`) and the
-- name-variation star (`Cassius*` → `Cassius`). A year of 0 (Discogs' "unknown") becomes NULL.
-- Rows whose release_id is not a number go to `quarantine`. discogs_clean is in macros.sql.

INSERT INTO quarantine
SELECT source_file, source_line, 'releases', 'release_id',
       CASE WHEN release_id IS NULL THEN 'release id is missing' ELSE 'release id is not a number: ' || release_id END,
       NULL
FROM raw_releases
WHERE TRY_CAST(release_id AS BIGINT) IS NULL;

CREATE OR REPLACE TABLE stg_releases AS
SELECT
    CAST(release_id AS BIGINT)                              AS release_id,
    trim(title)                                             AS title,
    trim(artist)                                            AS artist,
    discogs_clean(artist)                                   AS artist_clean,
    nullif(TRY_CAST(year AS INTEGER), 0)                    AS year,
    nullif(trim(genre), '')                                 AS genre,
    nullif(trim(style), '')                                 AS style,
    trim(labels)                                            AS labels,
    discogs_clean(labels)                                   AS labels_clean,
    trim(formats)                                           AS formats,
    nullif(trim(country), '')                               AS country,
    TRY_CAST(master_id AS BIGINT)                           AS master_id,
    source_format,
    source_file,
    source_line
FROM raw_releases
WHERE TRY_CAST(release_id AS BIGINT) IS NOT NULL;
