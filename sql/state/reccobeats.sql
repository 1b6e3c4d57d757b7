-- The ReccoBeats cache (state database; written by `selecta fetch features --source reccobeats`).
-- reccobeats_responses: one row per request sent, its raw response. Key: request_id.
-- reccobeats_features: one row per Spotify ID asked, found or recorded missing. Key: spotify_id.
CREATE TABLE IF NOT EXISTS state.reccobeats_responses (
    request_id BIGINT PRIMARY KEY,
    ids        VARCHAR NOT NULL,   -- the IDs asked, comma-separated
    status     INTEGER NOT NULL,
    body       VARCHAR NOT NULL,   -- the raw response
    fetched_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS state.reccobeats_features (
    spotify_id VARCHAR PRIMARY KEY,
    found      BOOLEAN NOT NULL,   -- false: asked, and the API left it out (recorded missing)
    item       VARCHAR,            -- the item's JSON when found
    request_id BIGINT NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);
