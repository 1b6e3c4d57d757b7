-- Check (one-off, schema.toml `checks` of clusters): each cluster's `size` is the number of
-- its tracks in track_clusters, and every cluster of track_clusters is in clusters (the report
-- reads sizes from one and tracks from the other).
-- Offending rows: key = the cluster, n = its tracks in track_clusters, detail = both counts.
SELECT CAST(coalesce(c.cluster, t.cluster) AS VARCHAR) AS key,
       count(t.track_id) AS n,
       CAST(concat('clusters.size ', coalesce(CAST(c.size AS VARCHAR), 'missing'), ', ',
                   count(t.track_id), ' tracks in track_clusters') AS VARCHAR) AS detail
FROM clusters c
FULL JOIN track_clusters t ON t.cluster = c.cluster
GROUP BY c.cluster, t.cluster, c.size
HAVING c.size IS DISTINCT FROM count(t.track_id)
ORDER BY key
