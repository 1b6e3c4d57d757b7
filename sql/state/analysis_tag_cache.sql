-- state.analysis_tag_cache: every tagging done, by content and model, so a rerun tags only
-- new or changed files, and new weights tag everything again.
-- Grain: one row per (content_hash, segment_start_ms, model): a whole file is the segment
-- starting at 0, a CUE-split side has one segment per track. probabilities holds the 50 MTT
-- tag probabilities (mean over the patches), comma-separated in musicnn's label order; NULL
-- with patches = 0 for a segment shorter than one 3-second patch; error says why a file
-- could not be tagged (same bytes, same error).
-- Written one file at a time as each finishes: an interrupted run keeps every finished file.
CREATE TABLE IF NOT EXISTS state.analysis_tag_cache (
    content_hash     VARCHAR NOT NULL,
    segment_start_ms BIGINT NOT NULL,
    model            VARCHAR NOT NULL,
    patches          INTEGER NOT NULL,
    probabilities    VARCHAR,
    error            VARCHAR,
    tagged_at        TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (content_hash, segment_start_ms, model)
);
