-- track_files: every audio file (or CUE track of a side-long rip) under `[analysis] music_dirs`,
-- and the Discogs track it is.
-- Grain: one row per file, or per CUE track of a split file. Key: file_key (the path, plus
-- `#<n>` for CUE track n). track_id is NULL for an unmatched, ambiguous or unreadable file;
-- match_quality says which rule decided (release_position, release_title, scorer, ambiguous,
-- unmatched, error) and match_reason why. A file that cannot be decoded has its error here
-- and no features: it never stops the run.
CREATE OR REPLACE TABLE track_files (
    file_key         VARCHAR NOT NULL,
    path             VARCHAR NOT NULL,
    cue_track        INTEGER,
    cue_file         VARCHAR,
    segment_start_s  DOUBLE NOT NULL,
    content_hash     VARCHAR,
    format           VARCHAR NOT NULL,
    codec            VARCHAR,
    size_bytes       BIGINT NOT NULL,
    duration_s       DOUBLE,
    tag_artist       VARCHAR,
    tag_album        VARCHAR,
    tag_title        VARCHAR,
    tag_position     VARCHAR,
    tag_release_id   BIGINT,
    tagged           BOOLEAN NOT NULL,
    track_id         VARCHAR,
    match_quality    VARCHAR NOT NULL,
    match_reason     VARCHAR,
    match_score      DOUBLE,
    from_cache       BOOLEAN NOT NULL,
    error            VARCHAR
);
