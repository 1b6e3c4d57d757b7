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
-- clean_text and discogs_clean are in macros.sql.

INSERT INTO quarantine
SELECT source_file, source_line, 'tracklists', 'release_id',
       CASE WHEN release_id IS NULL THEN 'release id is missing' ELSE 'release id is not a number: ' || release_id END,
       title
FROM raw_tracks
WHERE type_ = 'track' AND TRY_CAST(release_id AS BIGINT) IS NULL;

INSERT INTO quarantine
SELECT source_file, source_line, 'tracklists', 'position', 'track without a position', title
FROM raw_tracks
WHERE type_ = 'track' AND TRY_CAST(release_id AS BIGINT) IS NOT NULL
  AND nullif(trim(position), '') IS NULL AND given_track_id IS NULL;

CREATE OR REPLACE TABLE stg_tracks AS
WITH entries AS (
    SELECT
        *,
        last_value(CASE WHEN type_ = 'heading' THEN clean_text(title) END IGNORE NULLS) OVER (
            PARTITION BY source_file, source_line, release_id ORDER BY seq
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS section
    FROM raw_tracks
),
positioned AS (
    SELECT
        *,
        clean_text(position) AS pos,
        row_number() OVER (PARTITION BY source_file, source_line, release_id, clean_text(position) ORDER BY seq) AS occurrence
    FROM entries
    WHERE type_ = 'track' AND TRY_CAST(release_id AS BIGINT) IS NOT NULL
      AND (nullif(trim(position), '') IS NOT NULL OR given_track_id IS NOT NULL)
)
SELECT
    coalesce(trim(given_track_id),
             concat(trim(release_id), '_', pos, CASE WHEN occurrence > 1 THEN concat('#', occurrence) END)) AS track_id,
    CAST(release_id AS BIGINT)                                   AS release_id,
    pos                                                          AS position,
    section,
    seq,
    coalesce(clean_text(track_artists), clean_text(release_artist)) AS artist,
    discogs_clean(coalesce(clean_text(track_artists), clean_text(release_artist))) AS artist_clean,
    clean_text(release_artist)                                   AS album_artist,
    coalesce(lower(discogs_clean(release_artist)) IN ('various', 'various artists'), false) AS is_compilation,
    clean_text(title)                                            AS title,
    title                                                        AS title_raw,
    clean_text(album)                                            AS album,
    nullif(trim(duration), '')                                   AS duration,
    CASE WHEN regexp_full_match(trim(duration), '\d+:\d{1,2}')
              THEN (CAST(split_part(trim(duration), ':', 1) AS BIGINT) * 60
                    + CAST(split_part(trim(duration), ':', 2) AS BIGINT)) * 1000
         WHEN regexp_full_match(trim(duration), '\d+:\d{1,2}:\d{1,2}')
              THEN (CAST(split_part(trim(duration), ':', 1) AS BIGINT) * 3600
                    + CAST(split_part(trim(duration), ':', 2) AS BIGINT) * 60
                    + CAST(split_part(trim(duration), ':', 3) AS BIGINT)) * 1000
    END                                                          AS duration_ms,
    source_format,
    source_file,
    source_line
FROM positioned;
