-- stg_tracks: every real track of every tracklist, with its key (published as the mart `tracks`).
-- Grain: one row per track (tracklist entries of type `track`; headings and index entries are
-- not tracks). Key: track_id (schema.toml: check.stg_tracks_key); release_id is a release of
-- stg_releases (check.stg_tracks_release_id_relationships).
--
-- track_id is `<release_id>_<position>` as in the original project, or the key given by a flat
-- `my_tracks.csv`. Disambiguation rule: when one tracklist repeats a position (release
-- 33464651: two discs, each A1, A2, AA1, AA2), the first occurrence in tracklist order keeps
-- `<release_id>_<position>` and the n-th later one becomes `<release_id>_<position>#<n>`
-- (`33464651_A1#2`). A release listed twice is NOT disambiguated: its keys collide and the
-- primary-key check fails, naming them.
-- `section` is the nearest heading above the track (`Disque 2`), NULL when none.
-- `artist` is the track's own artists when the source has them (Discogs API, compilations),
-- else the release artist; `album_artist` is always the release artist.
-- Headings: an entry with an empty position is a heading in every Discogs source (the repr of
-- collection_tracks.csv, the API's bodies, older bodies without `type_`); only a flat
-- my_tracks.csv row without a key is quarantined. A release_id that is not a whole number
-- sends the track to `quarantine`.
-- clean_text and discogs_clean are in macros.sql.

INSERT INTO quarantine
SELECT source_file, source_line, 'tracklists', 'release_id',
       CASE WHEN nullif(trim(release_id), '') IS NULL THEN 'release id is missing' ELSE 'release id is not a whole number: ' || release_id END,
       title, 'staging.tracks'
FROM raw_tracks
WHERE type_ = 'track' AND NOT coalesce(regexp_full_match(trim(release_id), '[0-9]{1,18}'), false);

INSERT INTO quarantine
SELECT source_file, source_line, 'tracklists', 'track_id', 'track without a key', title, 'staging.tracks'
FROM raw_tracks
WHERE type_ = 'track' AND source_format = 'my_tracks' AND regexp_full_match(trim(release_id), '[0-9]{1,18}')
  AND nullif(trim(position), '') IS NULL AND nullif(trim(given_track_id), '') IS NULL;

CREATE OR REPLACE TABLE stg_tracks AS
-- NOT MATERIALIZED: each branch below reads its own rows of them (my_tracks rows or
-- tracklist rows), so computing them inline is cheaper than storing them first.
WITH kinds AS NOT MATERIALIZED (
    SELECT * REPLACE (
        CASE WHEN type_ = 'track' AND source_format <> 'my_tracks' AND nullif(trim(position), '') IS NULL
             THEN 'heading' ELSE type_ END AS type_)
    FROM raw_tracks
),
keyed AS NOT MATERIALIZED (
    SELECT *,
           type_ = 'track' AND regexp_full_match(trim(release_id), '[0-9]{1,18}')
               AND (nullif(trim(position), '') IS NOT NULL OR nullif(trim(given_track_id), '') IS NOT NULL) AS is_track,
           clean_text(position) AS pos
    FROM kinds
),
-- A flat my_tracks.csv line is one track: no heading above it, no repeated position in its
-- line. The window functions run only on the tracklists (one line, many entries).
entries AS (
    SELECT
        *,
        last_value(CASE WHEN type_ = 'heading' THEN clean_text(title) END IGNORE NULLS) OVER (
            PARTITION BY source_file, source_line, release_id ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS section
    FROM keyed
    WHERE source_format <> 'my_tracks'
),
positioned AS (
    SELECT *, row_number() OVER (PARTITION BY source_file, source_line, release_id, pos ORDER BY seq) AS occurrence
    FROM entries
    WHERE is_track
    UNION ALL BY NAME
    SELECT *, NULL::VARCHAR AS section, 1 AS occurrence
    FROM keyed
    WHERE source_format = 'my_tracks' AND is_track
),
-- Each cleaned text is computed once, then used (the macros would repeat their argument).
cleaned AS (
    SELECT *,
           trim(release_id)                                                AS release_text,
           trim(duration)                                                  AS duration_text,
           coalesce(clean_text(track_artists), clean_text(release_artist)) AS artist_text,
           clean_text(release_artist)                                      AS album_artist_text
    FROM positioned
)
SELECT
    coalesce(nullif(trim(given_track_id), ''),
             concat(release_text, '_', pos, CASE WHEN occurrence > 1 THEN concat('#', occurrence) END)) AS track_id,
    TRY_CAST(release_text AS BIGINT)                             AS release_id,
    pos                                                          AS position,
    section,
    seq,
    artist_text                                                  AS artist,
    discogs_clean(artist_text)                                   AS artist_clean,
    album_artist_text                                            AS album_artist,
    coalesce(lower(discogs_clean(release_artist)) IN ('various', 'various artists'), false) AS is_compilation,
    clean_text(title)                                            AS title,
    title                                                        AS title_raw,
    clean_text(album)                                            AS album,
    nullif(duration_text, '')                                    AS duration,
    CASE WHEN regexp_full_match(duration_text, '\d{1,6}:\d{1,2}')
              THEN (TRY_CAST(split_part(duration_text, ':', 1) AS BIGINT) * 60
                    + TRY_CAST(split_part(duration_text, ':', 2) AS BIGINT)) * 1000
         WHEN regexp_full_match(duration_text, '\d{1,6}:\d{1,2}:\d{1,2}')
              THEN (TRY_CAST(split_part(duration_text, ':', 1) AS BIGINT) * 3600
                    + TRY_CAST(split_part(duration_text, ':', 2) AS BIGINT) * 60
                    + TRY_CAST(split_part(duration_text, ':', 3) AS BIGINT)) * 1000
    END                                                          AS duration_ms,
    source_format,
    source_file,
    source_line
FROM cleaned;

-- @note
SELECT count(*) > 0, CASE WHEN count(*) > 0 THEN format('{} rows quarantined (see table quarantine)', count(*)) END
FROM quarantine WHERE found_by = 'staging.tracks';
