-- The Discogs API cache (state database; written by `selecta fetch discogs`).
-- discogs_listings: one row per collection listing (a fetch of every page). Key: listing_id.
-- discogs_collection_pages: one row per fetched page of a listing. Key: (listing_id, page).
-- discogs_releases: one row per release's details (GET /releases/{id}). Key: release_id.
CREATE TABLE IF NOT EXISTS state.discogs_listings (
    listing_id  BIGINT PRIMARY KEY,
    username    VARCHAR NOT NULL,   -- lower case
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,          -- NULL while pages are missing: the next fetch resumes it
    pages       INTEGER,
    items       INTEGER
);
CREATE TABLE IF NOT EXISTS state.discogs_collection_pages (
    listing_id  BIGINT NOT NULL,
    username    VARCHAR NOT NULL,
    page        INTEGER NOT NULL,
    pages       INTEGER NOT NULL,
    items       INTEGER NOT NULL,
    body        VARCHAR NOT NULL,   -- the raw JSON response
    fetched_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (listing_id, page)
);
CREATE TABLE IF NOT EXISTS state.discogs_releases (
    release_id     BIGINT PRIMARY KEY,
    body           VARCHAR NOT NULL, -- the raw JSON of GET /releases/{id}
    body_sha256    VARCHAR NOT NULL,
    listing_sha256 VARCHAR NOT NULL, -- hash of the collection entry's basic_information when fetched
    instance_id    BIGINT,
    date_added     VARCHAR,
    fetched_at     TIMESTAMP NOT NULL
);
