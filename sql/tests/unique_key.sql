-- Generic test `key` (schema.toml `key` / `unique`): {{columns}} identify one row of {{table}}:
-- no key column is NULL and no key value is there twice.
-- Offending rows: one per key value that is NULL or repeated. key = the value (several columns
-- shown as `a=1, b=x`), n = the rows that carry it, detail = `key_detail` or 'NULL in the key'.
-- Placeholders (filled by src/checks.rs): table, columns, key, any_null, detail.
SELECT {{key}} AS key,
       count(*) AS n,
       CAST(CASE WHEN {{any_null}} THEN 'NULL in the key' ELSE {{detail}} END AS VARCHAR) AS detail
FROM {{table}}
GROUP BY {{columns}}
HAVING count(*) > 1 OR {{any_null}}
ORDER BY n DESC, key
