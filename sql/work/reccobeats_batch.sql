-- reccobeats_batch: one ReccoBeats answer, before it lands in state.reccobeats_features in one
-- statement (temporary; `selecta fetch features`).
-- Grain: one row per Spotify ID asked in the batch. Key: spotify_id.
CREATE OR REPLACE TEMP TABLE reccobeats_batch (spotify_id VARCHAR, found BOOLEAN, item VARCHAR);
