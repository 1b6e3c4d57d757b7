-- match_review: the tracks a person should look at — unmatched, ambiguous and pending — with
-- their top-3 candidates (built by the Rust step `match` after the last batch).
-- Grain: one row per track without an accepted ID (overrides excluded). Key: track_id.
CREATE OR REPLACE TABLE match_review AS
SELECT m.track_id, t.artist, t.title, t.album, m.quality, m.reason,
       max(CASE WHEN c.rank = 1 THEN c.spotify_id END) AS cand1_id,
       max(CASE WHEN c.rank = 1 THEN format('{} — {} ({}) {:.3}', c.name, c.artists, c.album, c.score) END) AS cand1,
       max(CASE WHEN c.rank = 2 THEN c.spotify_id END) AS cand2_id,
       max(CASE WHEN c.rank = 2 THEN format('{} — {} ({}) {:.3}', c.name, c.artists, c.album, c.score) END) AS cand2,
       max(CASE WHEN c.rank = 3 THEN c.spotify_id END) AS cand3_id,
       max(CASE WHEN c.rank = 3 THEN format('{} — {} ({}) {:.3}', c.name, c.artists, c.album, c.score) END) AS cand3
FROM track_matches m JOIN tracks t USING (track_id)
LEFT JOIN match_candidates c ON c.track_id = m.track_id AND c.rank <= 3
WHERE m.spotify_id IS NULL AND m.quality <> 'override'
GROUP BY ALL ORDER BY m.quality, m.track_id;
