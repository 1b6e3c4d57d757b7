-- Check: release_id is the primary key of releases (not null, unique).
-- Returns the offending keys with how many rows carry each; empty means the check holds.
SELECT CAST(release_id AS VARCHAR) AS key, count(*) AS n
FROM releases
GROUP BY release_id
HAVING release_id IS NULL OR count(*) > 1
ORDER BY n DESC, key;
