-- tracks_without_file: the collection's tracks that no audio file was matched to.
-- Grain: one row per track of `tracks` absent from track_files.track_id. Key: track_id.
CREATE OR REPLACE VIEW tracks_without_file AS
SELECT t.track_id, t.release_id, t.position, t.artist, t.title, t.album
FROM tracks t
ANTI JOIN (SELECT DISTINCT track_id FROM track_files WHERE track_id IS NOT NULL) f ON f.track_id = t.track_id;
