-- Raw landing tables: every input row as read, all text, with the file and line it came from.
-- Grain: one row per input row (raw_tracks: one row per tracklist entry, headings included).
-- Key: (source_file, source_line[, seq]); no other constraint — staging and checks judge the content.
-- Files and API responses land in the same tables, told apart by source_format / source.

CREATE TABLE raw_releases (
    source_file   VARCHAR NOT NULL,
    source_line   BIGINT,
    source_format VARCHAR NOT NULL,   -- collection_csv | discogs_export | discogs_api
    release_id    VARCHAR,
    title         VARCHAR,
    artist        VARCHAR,
    year          VARCHAR,
    genre         VARCHAR,
    style         VARCHAR,
    labels        VARCHAR,
    formats       VARCHAR,
    country       VARCHAR,
    master_id     VARCHAR
);

CREATE TABLE raw_tracks (
    source_file    VARCHAR NOT NULL,
    source_line    BIGINT,
    source_format  VARCHAR NOT NULL,  -- collection_tracks | my_tracks | discogs_api
    release_id     VARCHAR,
    release_artist VARCHAR,
    album          VARCHAR,
    seq            INTEGER NOT NULL,  -- order within the release's tracklist, headings included
    position       VARCHAR,
    type_          VARCHAR NOT NULL,  -- track | heading | index
    title          VARCHAR,
    track_artists  VARCHAR,           -- the track's own artists when the source has them
    duration       VARCHAR,
    given_track_id VARCHAR            -- my_tracks.csv's track_id, kept as given
);

CREATE TABLE raw_spotify_ids (
    source_file VARCHAR NOT NULL,
    source_line BIGINT,
    track_id    VARCHAR,
    spotify_id  VARCHAR
);

CREATE TABLE raw_audio_features (
    source_file      VARCHAR NOT NULL,
    source_line      BIGINT,
    source           VARCHAR NOT NULL, -- exportify | original_table | reccobeats
    source_rank      INTEGER NOT NULL, -- lower wins when several sources give one spotify_id
    spotify_id       VARCHAR,
    track_name       VARCHAR,
    artist_names     VARCHAR,
    album_name       VARCHAR,
    duration_ms      VARCHAR,          -- milliseconds (Exportify)
    duration         VARCHAR,          -- m:ss (the original table's Time)
    popularity       VARCHAR,
    danceability     VARCHAR,
    energy           VARCHAR,
    key              VARCHAR,
    loudness         VARCHAR,
    mode             VARCHAR,
    speechiness      VARCHAR,
    acousticness     VARCHAR,
    instrumentalness VARCHAR,
    liveness         VARCHAR,
    valence          VARCHAR,
    tempo            VARCHAR,
    time_signature   VARCHAR
);

-- Rows that could not be used as they are, with the reason. Ingest puts here the rows whose
-- column count is wrong (or whose tracklist does not parse); staging adds the rows whose typed
-- fields do not parse or are out of range. `found_by` names the step, whose run-log line counts them.
CREATE TABLE quarantine (
    source_file VARCHAR NOT NULL,
    source_line BIGINT,
    input       VARCHAR NOT NULL,      -- releases | tracklists | spotify_ids | features
    field       VARCHAR,
    problem     VARCHAR NOT NULL,
    raw         VARCHAR,
    found_by    VARCHAR NOT NULL       -- ingest | staging.releases | staging.tracks | staging.spotify_ids | staging.audio_features
);
