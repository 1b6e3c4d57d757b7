-- Generic test `not_null` (schema.toml `not_null`): {{column}} of {{table}} is never NULL.
-- Offending rows: one per row key (the table's `key`) whose column is NULL; n = the rows.
-- Placeholders (filled by src/checks.rs): table, column, row_key, column_name.
SELECT {{row_key}} AS key,
       count(*) AS n,
       CAST(concat({{column_name}}, ' is NULL') AS VARCHAR) AS detail
FROM {{table}}
WHERE {{column}} IS NULL
GROUP BY 1
ORDER BY n DESC, key
