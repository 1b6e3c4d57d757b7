-- tracks (with the Discogs collection as a source): stg_tracks as is, plus two columns from the
-- Discogs API — `artist_credit`, the artists as printed on the record (`anv`) where they differ
-- from the canonical `artist`, and `work`, the index track's title of a sub-track — which
-- matching tries where the name or a generic sub-track title ("Part 1") finds nothing.
-- Grain: one row per track. Key: track_id (checked on stg_tracks). A view, like sql/marts/tracks.sql.

CREATE OR REPLACE VIEW tracks AS
SELECT t.*, c.artist_credit, c.work
FROM stg_tracks t
LEFT JOIN discogs_track_credits c ON c.source_file = t.source_file AND c.source_line = t.source_line AND c.seq = t.seq;
