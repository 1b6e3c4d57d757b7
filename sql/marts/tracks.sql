-- tracks: the public table of every real track, as staged (stg_tracks).
-- Grain: one row per track. Key: track_id (checked on stg_tracks: check.stg_tracks_key, and
-- check.stg_tracks_release_id_relationships: every track's release is in releases).
-- A mart (a view: nothing copied) so that staging can change shape without breaking `selecta sql` users, matching, the
-- report and the exports: today it is stg_tracks as is.

CREATE OR REPLACE VIEW tracks AS
SELECT * FROM stg_tracks;
