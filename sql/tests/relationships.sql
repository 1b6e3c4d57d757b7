-- Generic test `relationships` (schema.toml `relationships`): every non-NULL {{column}} of
-- {{table}} (restricted by `where` when given) is a {{to_column}} of {{to_table}}.
-- Offending rows: one per child row key (the child table's `key`, e.g. the track_id) whose
-- parent is missing; n = the rows, detail names the missing parent value.
-- Placeholders (filled by src/pipeline/checks.rs): table, column, to_table, to_column, row_key,
-- where, column_name, to_name.
SELECT {{row_key}} AS key,
       count(*) AS n,
       CAST(concat({{column_name}}, ' ', CAST(c.{{column}} AS VARCHAR), ' is not in ', {{to_name}}) AS VARCHAR) AS detail
FROM {{table}} c
WHERE c.{{column}} IS NOT NULL
  AND ({{where}})
  AND NOT EXISTS (SELECT 1 FROM {{to_table}} p WHERE p.{{to_column}} = c.{{column}})
GROUP BY ALL
ORDER BY n DESC, key
