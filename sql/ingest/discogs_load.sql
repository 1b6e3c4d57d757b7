-- discogs_load_releases / discogs_load_tracks: temporary tables the step `ingest.discogs_api`
-- fills from the cache before inserting them into raw_releases / raw_tracks (by name).
-- Grain: one row per release / per tracklist entry. Key: (source_file, source_line[, seq]).
CREATE OR REPLACE TEMP TABLE discogs_load_releases (
    source_file VARCHAR, source_line BIGINT, source_format VARCHAR, release_id VARCHAR, title VARCHAR,
    artist VARCHAR, year VARCHAR, genre VARCHAR, style VARCHAR, labels VARCHAR, formats VARCHAR,
    country VARCHAR, master_id VARCHAR);
CREATE OR REPLACE TEMP TABLE discogs_load_tracks (
    source_file VARCHAR, source_line BIGINT, source_format VARCHAR, release_id VARCHAR, release_artist VARCHAR,
    album VARCHAR, seq INTEGER, position VARCHAR, type_ VARCHAR, title VARCHAR, track_artists VARCHAR,
    duration VARCHAR, given_track_id VARCHAR);
