-- playlist_transitions: every transition of every cluster's playlist, as ordered by
-- `[playlists] order` (written by the Rust step `playlists.order`): the Camelot codes and
-- tempos on both sides, whether the keys are harmonically compatible (same code, ±1 on the
-- wheel, relative major/minor) and the tempo step within `tempo_tolerance` (half / double time
-- counted), the energy step and the sequencing's transition cost (src/playlists/sequence.rs).
-- Grain: one row per pair of consecutive playlist entries. Key: (cluster, position), `position`
-- being the first track's position in cluster_playlists (the second is position + 1).
CREATE OR REPLACE TABLE playlist_transitions (
    cluster INTEGER, position INTEGER, from_track_id VARCHAR, to_track_id VARCHAR,
    from_camelot VARCHAR, to_camelot VARCHAR, from_tempo DOUBLE, to_tempo DOUBLE,
    tempo_step DOUBLE, energy_step DOUBLE, harmonic BOOLEAN, tempo_ok BOOLEAN, cost DOUBLE,
    PRIMARY KEY (cluster, position));
