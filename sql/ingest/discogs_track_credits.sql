-- discogs_track_credits: what the Discogs API says of a tracklist entry beyond its name, filled
-- by the step `ingest.discogs_api`: the artists as credited on the record (`anv`, the name
-- variation: K.A.B. for Karl Axel Bissler), when it differs from the canonical names, and the
-- title of the index track a sub-track belongs to (`work`: "My Kingdom" for "Part 1").
-- Grain: one row per Discogs tracklist entry with a credit or a work. Key: (source_file,
-- source_line, seq), the entry's row of raw_tracks.
CREATE OR REPLACE TABLE discogs_track_credits (
    source_file VARCHAR NOT NULL, source_line BIGINT, seq INTEGER NOT NULL,
    artist_credit VARCHAR, work VARCHAR);
