-- Generic test `accepted_values` (schema.toml `accepted_values`): every non-NULL {{column}}
-- of {{table}} is one of the listed values.
-- Offending rows: one per value that is not accepted; key = the value, n = the rows.
-- Placeholders (filled by src/checks.rs): table, column, values, column_name.
SELECT CAST({{column}} AS VARCHAR) AS key,
       count(*) AS n,
       CAST(concat({{column_name}}, ' is not one of ', {{values_text}}) AS VARCHAR) AS detail
FROM {{table}}
WHERE {{column}} IS NOT NULL
  AND CAST({{column}} AS VARCHAR) NOT IN ({{values}})
GROUP BY 1
ORDER BY n DESC, key
