//! Checks declared, not copied: `sql/schema.toml` says what each table promises (its key,
//! not-NULL columns, relationships to other tables, accepted values, one-off checks), and one
//! generic SQL template per kind (`sql/tests/*.sql`) turns each promise into a [`Check`].
//!
//! A [`Check`] is a `SELECT` returning the offending rows as `key VARCHAR, n BIGINT,
//! detail VARCHAR` (every template and one-off file returns all three; `detail` may be NULL):
//! empty means the promise holds. [`Schema::parse`] reads a schema text; [`schema`] is the one
//! compiled into the binary, parsed once; [`for_table`] gives the checks of one table, which the
//! build plan runs right after the step that builds that table.
//!
//! Names (documented in schema.toml's header): `check.<table>_key`,
//! `check.<table>_<col>[_<col>…]_key` (further keys), `check.<table>_<col>_not_null`,
//! `check.<table>_<col>_relationships`, `check.<table>_<col>_accepted_values`, `check.<name>`
//! (one-off `sql/checks/<name>.sql`). Identifiers are double-quoted (inner quotes doubled),
//! values single-quoted (inner quotes doubled); `where` and `key_detail` are SQL expressions
//! written in schema.toml, which is compiled in.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::db::{ident as quote_ident, literal as quote_literal};

/// The schema file, as the plan and `check_failures` name it.
pub const SCHEMA_FILE: &str = "sql/schema.toml";
const SCHEMA_TEXT: &str = include_str!("../sql/schema.toml");

/// The generic templates: (kind, file, text).
const TEMPLATES: [(Kind, &str, &str); 4] = [
    (Kind::Key, "sql/tests/unique_key.sql", include_str!("../sql/tests/unique_key.sql")),
    (Kind::NotNull, "sql/tests/not_null.sql", include_str!("../sql/tests/not_null.sql")),
    (Kind::Relationships, "sql/tests/relationships.sql", include_str!("../sql/tests/relationships.sql")),
    (Kind::AcceptedValues, "sql/tests/accepted_values.sql", include_str!("../sql/tests/accepted_values.sql")),
];

/// The one-off checks schema.toml may name: (name, file, text).
const ONE_OFF: &[(&str, &str, &str)] = &[("clusters_size", "sql/checks/clusters_size.sql", include_str!("../sql/checks/clusters_size.sql"))];

/// What a check tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Unique and not NULL (`key`, `unique`).
    Key,
    NotNull,
    Relationships,
    AcceptedValues,
    /// A single SQL file under `sql/checks/`.
    OneOff,
}

/// One check step: a `SELECT` of the offending rows (`key`, `n`, `detail`).
#[derive(Debug, Clone)]
pub struct Check {
    /// `check.<table>_…`, as the run log prints it.
    pub name: String,
    /// The table whose promise this is; the plan runs the check after the step building it.
    pub table: String,
    pub kind: Kind,
    /// The template or one-off file the SQL comes from (stored in `check_failures.sql_file`).
    pub file: &'static str,
    pub sql: String,
    /// The same offending rows, cheaper to count: a key check without its `key_detail` (an
    /// aggregate over every group, needed only for the rows shown); the others as `sql`.
    pub count_sql: String,
}

/// What went wrong reading the schema: always a mistake in `sql/schema.toml` or a template.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChecksError {
    #[error("sql/schema.toml: {message}")]
    Parse { message: String },
    #[error("sql/schema.toml: [{table}] {field}: {message}")]
    Invalid { table: String, field: &'static str, message: String },
    #[error("{file}: {message}")]
    Template { file: &'static str, message: String },
}

/// The `[checks]` section: how this configuration treats the checks of `sql/schema.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    /// Checks (`check.…`, as the run log names them) whose offending rows make the step WARN
    /// instead of failing the build; their rows still go to `check_failures`. For inputs known
    /// not to hold a promise (an older tracklist naming releases that left the collection).
    /// Default: none. A name that is no check is an error.
    #[serde(default)]
    pub warn: Vec<String>,
}

impl ChecksConfig {
    /// Every name of `warn` is a check of the schema.
    pub fn validate(&self) -> Result<(), crate::setting::Invalid> {
        for name in &self.warn {
            let known = schema().map(|s| s.checks().any(|c| &c.name == name));
            match known {
                Ok(true) => {}
                Ok(false) => {
                    return Err(crate::setting::Invalid::new("warn", format!("no check is named {name:?} (the run log and sql/schema.toml's header name them)")));
                }
                Err(e) => return Err(crate::setting::Invalid::new("warn", e.to_string())),
            }
        }
        Ok(())
    }
}

/// One table's section of schema.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    #[serde(default)]
    key: Vec<String>,
    #[serde(default)]
    unique: Vec<Vec<String>>,
    key_detail: Option<String>,
    #[serde(default)]
    not_null: Vec<String>,
    #[serde(default)]
    relationships: Vec<Relationship>,
    #[serde(default)]
    accepted_values: Vec<AcceptedValues>,
    #[serde(default)]
    checks: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Relationship {
    column: String,
    /// `table.column`
    to: String,
    #[serde(rename = "where")]
    filter: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptedValues {
    column: String,
    values: Vec<String>,
}

/// Every table's checks, in the order schema.toml declares them within a table (key, further
/// keys, not_null, relationships, accepted_values, one-off checks).
#[derive(Debug)]
pub struct Schema {
    tables: BTreeMap<String, Vec<Check>>,
}

impl Schema {
    /// Parses a schema text (the format of `sql/schema.toml`) into checks.
    pub fn parse(text: &str) -> Result<Schema, ChecksError> {
        let specs: BTreeMap<String, TableSpec> = toml::from_str(text).map_err(|e| ChecksError::Parse { message: e.to_string() })?;
        let mut tables = BTreeMap::new();
        let mut names = std::collections::BTreeSet::new();
        for (table, spec) in &specs {
            let checks = table_checks(table, spec)?;
            for c in &checks {
                if !names.insert(c.name.clone()) {
                    return Err(invalid(table, "checks", format!("two checks are named {}", c.name)));
                }
            }
            tables.insert(table.clone(), checks);
        }
        Ok(Schema { tables })
    }

    /// The checks of `table` (none when schema.toml does not list it).
    pub fn for_table(&self, table: &str) -> &[Check] {
        self.tables.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The tables schema.toml lists.
    pub fn tables(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// Every check, table by table.
    pub fn checks(&self) -> impl Iterator<Item = &Check> {
        self.tables.values().flatten()
    }
}

/// The schema compiled into the binary (`sql/schema.toml`), parsed on first use.
pub fn schema() -> Result<&'static Schema, ChecksError> {
    static SCHEMA: OnceLock<Result<Schema, ChecksError>> = OnceLock::new();
    SCHEMA.get_or_init(|| Schema::parse(SCHEMA_TEXT)).as_ref().map_err(Clone::clone)
}

/// The compiled-in checks of `table`, for the plan: run them after the step that builds it.
pub fn for_table(table: &str) -> Result<&'static [Check], ChecksError> {
    Ok(schema()?.for_table(table))
}

fn invalid(table: &str, field: &'static str, message: impl Into<String>) -> ChecksError {
    ChecksError::Invalid { table: table.to_string(), field, message: message.into() }
}

fn template(kind: Kind) -> (&'static str, &'static str) {
    let (_, file, text) = TEMPLATES.iter().find(|t| t.0 == kind).copied().unwrap_or(TEMPLATES[0]);
    (file, text)
}

/// The display of a key value: `coalesce(CAST("id" AS VARCHAR), 'NULL')`, or for several
/// columns `concat('a=', …, ', b=', …)`.
fn key_expr(columns: &[String]) -> String {
    let value = |c: &String| format!("coalesce(CAST({} AS VARCHAR), 'NULL')", quote_ident(c));
    match columns {
        [one] => value(one),
        _ => {
            let parts: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{}, {}", quote_literal(&format!("{}{c}=", if i == 0 { "" } else { ", " })), value(c)))
                .collect();
            format!("concat({})", parts.join(", "))
        }
    }
}

fn check_columns(table: &str, field: &'static str, columns: &[String]) -> Result<(), ChecksError> {
    if columns.is_empty() {
        return Err(invalid(table, field, "names no column"));
    }
    if let Some(c) = columns.iter().find(|c| c.trim().is_empty()) {
        return Err(invalid(table, field, format!("column {c:?} is empty")));
    }
    Ok(())
}

fn table_checks(table: &str, spec: &TableSpec) -> Result<Vec<Check>, ChecksError> {
    if table.trim().is_empty() {
        return Err(invalid(table, "table", "the table name is empty"));
    }
    let t = quote_ident(table);
    let row_key = |field: &'static str| {
        if spec.key.is_empty() {
            Err(invalid(table, field, "needs the table's `key` to name the offending rows"))
        } else {
            Ok(key_expr(&spec.key))
        }
    };
    let mut out = Vec::new();
    let mut push = |name: String, kind: Kind, vars: Vec<(&str, String)>| -> Result<(), ChecksError> {
        let (file, text) = template(kind);
        let sql = render(file, text, &vars)?;
        let count_sql = if vars.iter().any(|(k, v)| *k == "detail" && v != "NULL") {
            let plain: Vec<(&str, String)> = vars.iter().map(|(k, v)| (*k, if *k == "detail" { "NULL".to_string() } else { v.clone() })).collect();
            render(file, text, &plain)?
        } else {
            sql.clone()
        };
        out.push(Check { name, table: table.to_string(), kind, file, sql, count_sql });
        Ok(())
    };

    let mut keys: Vec<(String, &Vec<String>)> = Vec::new();
    if !spec.key.is_empty() {
        check_columns(table, "key", &spec.key)?;
        keys.push((format!("check.{table}_key"), &spec.key));
    }
    for cols in &spec.unique {
        check_columns(table, "unique", cols)?;
        keys.push((format!("check.{table}_{}_key", cols.join("_")), cols));
    }
    for (name, cols) in keys {
        let quoted: Vec<String> = cols.iter().map(|c| quote_ident(c)).collect();
        let any_null = format!("({})", quoted.iter().map(|c| format!("{c} IS NULL")).collect::<Vec<_>>().join(" OR "));
        let detail = spec.key_detail.clone().unwrap_or_else(|| "NULL".into());
        push(
            name,
            Kind::Key,
            vec![("table", t.clone()), ("columns", quoted.join(", ")), ("key", key_expr(cols)), ("any_null", any_null), ("detail", detail)],
        )?;
    }
    for col in &spec.not_null {
        check_columns(table, "not_null", std::slice::from_ref(col))?;
        push(
            format!("check.{table}_{col}_not_null"),
            Kind::NotNull,
            vec![("table", t.clone()), ("column", quote_ident(col)), ("row_key", row_key("not_null")?), ("column_name", quote_literal(col))],
        )?;
    }
    for rel in &spec.relationships {
        check_columns(table, "relationships", std::slice::from_ref(&rel.column))?;
        let Some((to_table, to_column)) = rel.to.split_once('.').filter(|(a, b)| !a.trim().is_empty() && !b.trim().is_empty()) else {
            return Err(invalid(table, "relationships", format!("`to = {:?}` must be `table.column`", rel.to)));
        };
        push(
            format!("check.{table}_{}_relationships", rel.column),
            Kind::Relationships,
            vec![
                ("table", t.clone()),
                ("column", quote_ident(&rel.column)),
                ("to_table", quote_ident(to_table)),
                ("to_column", quote_ident(to_column)),
                ("row_key", row_key("relationships")?),
                ("where", rel.filter.clone().unwrap_or_else(|| "true".into())),
                ("column_name", quote_literal(&rel.column)),
                ("to_name", quote_literal(&rel.to)),
            ],
        )?;
    }
    for av in &spec.accepted_values {
        check_columns(table, "accepted_values", std::slice::from_ref(&av.column))?;
        if av.values.is_empty() {
            return Err(invalid(table, "accepted_values", format!("column {} lists no value", av.column)));
        }
        push(
            format!("check.{table}_{}_accepted_values", av.column),
            Kind::AcceptedValues,
            vec![
                ("table", t.clone()),
                ("column", quote_ident(&av.column)),
                ("values", av.values.iter().map(|v| quote_literal(v)).collect::<Vec<_>>().join(", ")),
                ("values_text", quote_literal(&av.values.join(", "))),
                ("column_name", quote_literal(&av.column)),
            ],
        )?;
    }
    for name in &spec.checks {
        let Some((_, file, text)) = ONE_OFF.iter().find(|o| o.0 == name) else {
            let known: Vec<&str> = ONE_OFF.iter().map(|o| o.0).collect();
            return Err(invalid(table, "checks", format!("no one-off check {name:?} (known: {})", known.join(", "))));
        };
        let sql = render(file, text, &[])?;
        out.push(Check { name: format!("check.{name}"), table: table.to_string(), kind: Kind::OneOff, file, count_sql: sql.clone(), sql });
    }
    Ok(out)
}

/// The template without its comment lines, each `{{name}}` replaced by its value in one pass
/// (a value is never scanned for placeholders again). An unknown or unclosed placeholder is
/// an error naming the file.
fn render(file: &'static str, text: &str, vars: &[(&str, String)]) -> Result<String, ChecksError> {
    let body: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("--")).collect();
    let body = body.join("\n");
    let mut out = String::with_capacity(body.len() + 256);
    let mut rest = body.as_str();
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| ChecksError::Template { file, message: "a `{{` is never closed".into() })?;
        let name = after[..end].trim();
        let value = vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| ChecksError::Template { file, message: format!("unknown placeholder {{{{{name}}}}}") })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out.trim().trim_end_matches(';').trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> duckdb::Connection {
        duckdb::Connection::open_in_memory().unwrap()
    }

    /// The offending rows of a check, as the runner reads them.
    fn offending(conn: &duckdb::Connection, sql: &str) -> Vec<(String, i64, Option<String>)> {
        let mut stmt = conn.prepare(&format!("SELECT key, n, detail FROM ({sql})")).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    /// The output contract: key VARCHAR, n BIGINT, detail VARCHAR, whatever the input types.
    fn assert_contract(conn: &duckdb::Connection, c: &Check) {
        let mut stmt = conn.prepare(&format!("SELECT column_name, column_type FROM (DESCRIBE {})", c.sql)).unwrap();
        let cols: Vec<(String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
        let want = [("key", "VARCHAR"), ("n", "BIGINT"), ("detail", "VARCHAR")].map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(cols, want, "{}:\n{}", c.name, c.sql);
    }

    const TEST_SCHEMA: &str = r#"
        [parent]
        key = ["id"]

        [child]
        key = ["id"]
        not_null = ["parent_id"]
        relationships = [{ column = "parent_id", to = "parent.id", where = "kind <> 'skip'" }]
        accepted_values = [{ column = "kind", values = ["a", "it's", "skip"] }]

        [pairs]
        key = ["rank", "sid"]
        unique = [["sid"]]
        key_detail = "string_agg(source, ', ' ORDER BY source)"
    "#;

    fn fixture() -> (duckdb::Connection, Schema) {
        let c = conn();
        c.execute_batch(
            "CREATE TABLE parent (id INTEGER);
             INSERT INTO parent VALUES (1), (2);
             CREATE TABLE child (id VARCHAR, parent_id INTEGER, kind VARCHAR);
             INSERT INTO child VALUES ('c1', 1, 'a'), ('c2', 9, 'it''s'), ('c3', NULL, 'b'), ('c4', 8, 'skip'), (NULL, 2, 'a');
             CREATE TABLE pairs (rank INTEGER, sid VARCHAR, source VARCHAR);
             INSERT INTO pairs VALUES (1, 'x', 'f1'), (1, 'x', 'f2'), (2, 'x', 'f3'), (NULL, 'y', 'f4');",
        )
        .unwrap();
        (c, Schema::parse(TEST_SCHEMA).unwrap())
    }

    fn get<'a>(s: &'a Schema, name: &str) -> &'a Check {
        s.checks().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name}: {:?}", s.checks().map(|c| &c.name).collect::<Vec<_>>()))
    }

    #[test]
    fn names_follow_the_documented_scheme() {
        let (_, s) = fixture();
        let names: Vec<&str> = s.checks().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "check.child_key",
                "check.child_parent_id_not_null",
                "check.child_parent_id_relationships",
                "check.child_kind_accepted_values",
                "check.pairs_key",
                "check.pairs_sid_key",
                "check.parent_key",
            ]
        );
    }

    /// A NULL key is offending (two of the hand-written checks this replaces missed it), and a
    /// repeated one is named with its count.
    #[test]
    fn null_key_fails_the_key_check() {
        let (c, s) = fixture();
        assert_eq!(offending(&c, &get(&s, "check.child_key").sql), [("NULL".to_string(), 1, Some("NULL in the key".to_string()))]);
        assert!(offending(&c, &get(&s, "check.parent_key").sql).is_empty());
    }

    /// Several key columns are shown joined; `key_detail` fills detail.
    #[test]
    fn compound_key_is_shown_joined() {
        let (c, s) = fixture();
        assert_eq!(
            offending(&c, &get(&s, "check.pairs_key").sql),
            [
                ("rank=1, sid=x".to_string(), 2, Some("f1, f2".to_string())),
                ("rank=NULL, sid=y".to_string(), 1, Some("NULL in the key".to_string())),
            ]
        );
        assert_eq!(offending(&c, &get(&s, "check.pairs_sid_key").sql), [("x".to_string(), 3, Some("f1, f2, f3".to_string()))]);
    }

    /// The count a build runs first finds as many offending rows as the check itself.
    #[test]
    fn the_count_query_counts_the_check_rows() {
        let (c, s) = fixture();
        for check in s.checks() {
            assert_eq!(offending(&c, &check.count_sql).len(), offending(&c, &check.sql).len(), "{}", check.name);
        }
        let key = get(&s, "check.pairs_sid_key");
        assert!(key.sql.contains("string_agg") && !key.count_sql.contains("string_agg"), "{}", key.count_sql);
    }

    /// The relationships check names the child's key and the missing parent value; NULL
    /// children are not_null's business, and `where` restricts.
    #[test]
    fn relationships_name_the_child_key_and_the_missing_parent() {
        let (c, s) = fixture();
        assert_eq!(
            offending(&c, &get(&s, "check.child_parent_id_relationships").sql),
            [("c2".to_string(), 1, Some("parent_id 9 is not in parent.id".to_string()))]
        );
        assert_eq!(offending(&c, &get(&s, "check.child_parent_id_not_null").sql), [("c3".to_string(), 1, Some("parent_id is NULL".to_string()))]);
    }

    #[test]
    fn accepted_values_name_the_value() {
        let (c, s) = fixture();
        assert_eq!(
            offending(&c, &get(&s, "check.child_kind_accepted_values").sql),
            [("b".to_string(), 1, Some("kind is not one of a, it's, skip".to_string()))]
        );
    }

    /// Every generic kind and the one-off check return key VARCHAR, n BIGINT, detail VARCHAR.
    #[test]
    fn every_check_returns_the_three_typed_columns() {
        let (c, s) = fixture();
        for check in s.checks() {
            assert_contract(&c, check);
        }
        c.execute_batch(
            "CREATE TABLE clusters (cluster INTEGER, size BIGINT, name VARCHAR);
             CREATE TABLE track_clusters (track_id VARCHAR, cluster INTEGER);",
        )
        .unwrap();
        let one_off = schema().unwrap().checks().find(|c| c.kind == Kind::OneOff).unwrap();
        assert_contract(&c, one_off);
    }

    /// Identifiers are double-quoted and values single-quoted, inner quotes doubled.
    #[test]
    fn identifiers_and_values_are_quoted() {
        assert_eq!(quote_ident(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(quote_literal("it's"), "'it''s'");
        let s = Schema::parse(
            r#"[ 'odd "table"' ]
               key = ['a "col"']
               accepted_values = [{ column = 'a "col"', values = ["x'); DROP TABLE t; --"] }]"#,
        )
        .unwrap();
        let c = conn();
        c.execute_batch(r#"CREATE TABLE "odd ""table""" ("a ""col""" VARCHAR); INSERT INTO "odd ""table""" VALUES ('x'), ('x');"#).unwrap();
        let key = get(&s, r#"check.odd "table"_key"#);
        assert_eq!(offending(&c, &key.sql), [("x".to_string(), 2, None)]);
        let av = get(&s, r#"check.odd "table"_a "col"_accepted_values"#);
        assert_eq!(offending(&c, &av.sql).len(), 1);
    }

    #[test]
    fn mistakes_in_the_schema_are_errors_naming_the_table() {
        let err = |text: &str| Schema::parse(text).unwrap_err().to_string();
        assert!(err("[t]\nkey = [\"a\"]\nrelationships = [{ column = \"a\", to = \"nodot\" }]").contains("[t] relationships"));
        assert!(err("[t]\nnot_null = [\"a\"]").contains("needs the table's `key`"));
        assert!(err("[t]\nkey = [\"a\"]\nprimary = [\"a\"]").contains("unknown field"));
        assert!(err("[t]\nchecks = [\"nope\"]").contains("no one-off check \"nope\""));
        assert!(err("[t]\nkey = []\nunique = [[]]").contains("names no column"));
    }

    #[test]
    fn templates_with_unknown_placeholders_are_errors() {
        assert!(render("x.sql", "SELECT {{nope}}", &[]).unwrap_err().to_string().contains("unknown placeholder {{nope}}"));
        assert!(render("x.sql", "SELECT {{open", &[]).is_err());
        // A value is not scanned again: a column named `{{table}}` stays as it is.
        assert_eq!(render("x.sql", "-- {{ignored}}\nSELECT {{a}};", &[("a", "\"{{table}}\"".into())]).unwrap(), "SELECT \"{{table}}\"");
    }

    /// The compiled-in schema parses, and names the checks the README and the plan rely on.
    #[test]
    fn compiled_schema_parses() {
        let s = schema().unwrap();
        for name in ["check.stg_tracks_release_id_relationships", "check.stg_audio_features_key", "check.tracks_features_Track_id_key", "check.clusters_size"] {
            get(s, name);
        }
    }
}
