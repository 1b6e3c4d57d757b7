-- stg_audio_features: audio features per Spotify ID and source, typed.
-- Grain: one row per (source_rank, spotify_id). Key: (source_rank, spotify_id)
-- (schema.toml: check.stg_audio_features_key): one file must not give one ID two different sets
-- of features (the check names both files and lines).
--
-- Typed values or quarantine, never guesses. Each feature has its range (Spotify's):
-- danceability, energy, speechiness, acousticness, instrumentalness, liveness, valence 0..1;
-- key −1..11 and whole; mode 0 or 1; tempo 0..500 BPM (0 is Spotify's "no tempo detected");
-- loudness −100..10 dB; time_signature 0..7 and whole; duration_ms 1..86 400 000 (a day) and
-- whole; popularity 0..100 and whole. A value that is not a number, not finite (NaN, inf, 1e309)
-- or out of its range sends its row to `quarantine`, naming the field and the reason, so no
-- later step meets it. An empty value is missing, not wrong.
-- Rows with no feature at all (the original table's tracks that Exportify had nothing for)
-- are not features: they stay out, and those tracks show up as `has_features = false`.
-- Identical rows for one ID in one file (a playlist listing a track twice) collapse into the
-- first, counted in `copies`; the step then ends in WARN with the count.

-- TRY_CAST skips the surrounding whitespace itself: values are trimmed only to be shown.
INSERT INTO quarantine
WITH ranges AS (
    SELECT col0 AS field, col1 AS lo, col2 AS hi, col3 AS lo_open, col4 AS whole
    FROM (VALUES ('danceability', 0, 1, false, false), ('energy', 0, 1, false, false),
           ('speechiness', 0, 1, false, false), ('acousticness', 0, 1, false, false),
           ('instrumentalness', 0, 1, false, false), ('liveness', 0, 1, false, false),
           ('valence', 0, 1, false, false), ('key', -1, 11, false, true), ('mode', 0, 1, false, true),
           ('tempo', 0, 500, false, false), ('loudness', -100, 10, false, false),
           ('time_signature', 0, 7, false, true), ('duration_ms', 0, 86400000, true, true),
           ('popularity', 0, 100, false, true))
),
cells AS (
    SELECT source_file, source_line, spotify_id, field, trim(value) AS value, TRY_CAST(value AS DOUBLE) AS x
    FROM (
        UNPIVOT (SELECT source_file, source_line, spotify_id, danceability, energy, key, loudness, mode, speechiness,
                        acousticness, instrumentalness, liveness, valence, tempo, time_signature, duration_ms, popularity
                 FROM raw_audio_features)
        ON danceability, energy, key, loudness, mode, speechiness, acousticness, instrumentalness, liveness,
           valence, tempo, time_signature, duration_ms, popularity
        INTO NAME field VALUE value
    )
    WHERE nullif(trim(value), '') IS NOT NULL
)
SELECT c.source_file, c.source_line, 'features', c.field,
       CASE WHEN c.x IS NULL THEN 'not a number: ' || c.value
            WHEN NOT isfinite(c.x) THEN 'not a finite number: ' || c.value
            WHEN c.x < r.lo OR c.x > r.hi OR (r.lo_open AND c.x = r.lo)
                 THEN format('out of range ({}{} to {}): {}', CASE WHEN r.lo_open THEN 'over ' ELSE '' END, r.lo, r.hi, c.value)
            ELSE 'not a whole number: ' || c.value END,
       c.spotify_id, 'staging.audio_features'
FROM cells c JOIN ranges r USING (field)
WHERE c.x IS NULL OR NOT isfinite(c.x) OR c.x < r.lo OR c.x > r.hi OR (r.lo_open AND c.x = r.lo)
   OR (r.whole AND c.x <> round(c.x));

INSERT INTO quarantine
SELECT source_file, source_line, 'features', 'spotify_id', 'missing or not a Spotify track ID: ' || coalesce(spotify_id, ''), track_name,
       'staging.audio_features'
FROM raw_audio_features
WHERE spotify_id IS NULL OR NOT regexp_full_match(trim(spotify_id), '[0-9A-Za-z]{22}');

CREATE OR REPLACE TABLE stg_audio_features AS
WITH cast_values AS (
    SELECT
        trim(r.spotify_id)                                AS spotify_id,
        r.source,
        r.source_rank,
        TRY_CAST(r.danceability AS DOUBLE)     AS danceability,
        TRY_CAST(r.energy AS DOUBLE)           AS energy,
        TRY_CAST(r.loudness AS DOUBLE)         AS loudness,
        TRY_CAST(r.speechiness AS DOUBLE)      AS speechiness,
        TRY_CAST(r.acousticness AS DOUBLE)     AS acousticness,
        TRY_CAST(r.instrumentalness AS DOUBLE) AS instrumentalness,
        TRY_CAST(r.liveness AS DOUBLE)         AS liveness,
        TRY_CAST(r.valence AS DOUBLE)          AS valence,
        TRY_CAST(r.tempo AS DOUBLE)            AS tempo,
        TRY_CAST(TRY_CAST(r.key AS DOUBLE) AS INTEGER)  AS key,
        TRY_CAST(TRY_CAST(r.mode AS DOUBLE) AS INTEGER) AS mode,
        TRY_CAST(TRY_CAST(r.time_signature AS DOUBLE) AS INTEGER) AS time_signature,
        coalesce(TRY_CAST(TRY_CAST(r.duration_ms AS DOUBLE) AS BIGINT),
                 CASE WHEN regexp_full_match(trim(r.duration), '\d{1,6}:\d{2}')
                      THEN (TRY_CAST(split_part(trim(r.duration), ':', 1) AS BIGINT) * 60
                            + TRY_CAST(split_part(trim(r.duration), ':', 2) AS BIGINT)) * 1000 END) AS duration_ms,
        TRY_CAST(TRY_CAST(r.popularity AS DOUBLE) AS INTEGER) AS popularity,
        r.track_name,
        r.artist_names,
        r.album_name,
        r.source_file,
        r.source_line
    FROM raw_audio_features r
    ANTI JOIN (SELECT DISTINCT source_file, source_line FROM quarantine WHERE input = 'features') q
        ON q.source_file = r.source_file AND q.source_line IS NOT DISTINCT FROM r.source_line
),
-- A row with no feature at all is not features (a value that is there but not a number was
-- quarantined above, so here "there" is "cast").
typed AS (
    SELECT * FROM cast_values
    WHERE coalesce(danceability, energy, loudness, speechiness, acousticness, instrumentalness, liveness, valence, tempo) IS NOT NULL
),
-- Only the IDs a file lists more than once go through the window (most are listed once).
listed AS (
    SELECT source_rank, spotify_id, count(*) AS times FROM typed GROUP BY ALL
),
copies AS (
    SELECT t.*,
           row_number() OVER same AS copy,
           count(*) OVER same AS copies
    FROM typed t SEMI JOIN listed l ON l.source_rank = t.source_rank AND l.spotify_id = t.spotify_id AND l.times > 1
    WINDOW same AS (PARTITION BY source_rank, spotify_id, danceability, energy, loudness, speechiness, acousticness,
                                 instrumentalness, liveness, valence, tempo, key, mode, time_signature, duration_ms
                    ORDER BY source_file, source_line
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT t.*, 1 AS copies FROM typed t SEMI JOIN listed l ON l.source_rank = t.source_rank AND l.spotify_id = t.spotify_id AND l.times = 1
UNION ALL
SELECT * EXCLUDE (copy) FROM copies WHERE copy = 1;

-- @note
SELECT q > 0 OR d > 0,
       CASE WHEN q > 0 OR d > 0 THEN concat_ws('; ',
            CASE WHEN q > 0 THEN format('{} rows quarantined (see table quarantine)', q) END,
            CASE WHEN d > 0 THEN format('{} identical duplicate rows collapsed (see stg_audio_features.copies)', d) END) END
FROM (SELECT (SELECT count(*) FROM quarantine WHERE found_by = 'staging.audio_features') AS q,
             (SELECT coalesce(sum(copies - 1), 0) FROM stg_audio_features) AS d);
