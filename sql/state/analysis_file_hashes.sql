-- state.analysis_file_hashes: the content hash of every audio file seen, so a rerun does not
-- read an unchanged file again to hash it.
-- Grain: one row per file path as last seen. Key: path. A changed size or mtime rehashes.
CREATE TABLE IF NOT EXISTS state.analysis_file_hashes (
    path         VARCHAR PRIMARY KEY,
    size         BIGINT NOT NULL,
    mtime        BIGINT NOT NULL,
    content_hash VARCHAR NOT NULL
);
