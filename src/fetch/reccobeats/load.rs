//! The build step `ingest.reccobeats`: every cached feature row appended to `raw_audio_features`.

use duckdb::{Connection, params};
use serde_json::Value;

use super::ensure_state_tables;
use crate::fetch::{FetchError, state_err};
use crate::step::{StepContext, StepOutput};

/// DDL: `sql/ingest/reccobeats_load.sql`.
const LOAD_TABLE: &str = include_str!("../../../sql/ingest/reccobeats_load.sql");

/// What [`load_features`] appended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FeaturesLoad {
    pub rows: u64,
    pub missing: u64,
}

fn num(item: &Value, key: &str) -> Option<String> {
    match item.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Appends every cached ReccoBeats feature row to `raw_audio_features` with `source_rank = rank`.
pub fn load_features(conn: &Connection, rank: i32) -> Result<FeaturesLoad, FetchError> {
    ensure_state_tables(conn)?;
    let mut stmt = conn
        .prepare("SELECT spotify_id, found, item, request_id FROM state.reccobeats_features ORDER BY request_id, spotify_id")
        .map_err(state_err("reading cached features"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?, r.get::<_, Option<String>>(2)?, r.get::<_, i64>(3)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(state_err("reading cached features"))?;
    conn.execute_batch(LOAD_TABLE).map_err(state_err("creating the load table"))?;
    let mut load = FeaturesLoad::default();
    {
        let mut app = conn.appender("reccobeats_load").map_err(state_err("appending features"))?;
        let mut line_in_request: (i64, i64) = (0, 0);
        for (spotify_id, found, item, request_id) in rows {
            let (Some(item), true) = (item, found) else {
                load.missing += 1;
                continue;
            };
            let source_file = format!("reccobeats:/v1/audio-features#{request_id}");
            let item: Value = serde_json::from_str(&item).map_err(|e| FetchError::Cached { source_file: source_file.clone(), message: e.to_string() })?;
            line_in_request = if line_in_request.0 == request_id { (request_id, line_in_request.1 + 1) } else { (request_id, 1) };
            app.append_row(params![
                source_file,
                line_in_request.1,
                "reccobeats",
                rank,
                spotify_id,
                num(&item, "danceability"),
                num(&item, "energy"),
                num(&item, "key"),
                num(&item, "loudness"),
                num(&item, "mode"),
                num(&item, "speechiness"),
                num(&item, "acousticness"),
                num(&item, "instrumentalness"),
                num(&item, "liveness"),
                num(&item, "valence"),
                num(&item, "tempo"),
            ])
            .map_err(state_err("appending features"))?;
            load.rows += 1;
        }
        app.flush().map_err(state_err("appending features"))?;
    }
    conn.execute_batch("INSERT INTO raw_audio_features BY NAME SELECT * FROM reccobeats_load; DROP TABLE reccobeats_load;")
        .map_err(state_err("inserting into raw_audio_features"))?;
    Ok(load)
}

/// The build step (after ingest created the raw tables, before staging): appends the cached
/// ReccoBeats features (planned when `[reccobeats] input = true`); `rank` is their
/// `source_rank` ([`ReccoBeatsConfig::source_rank`]).
pub fn reccobeats_ingest_step(ctx: &StepContext<'_>, rank: i32) -> Result<StepOutput, FetchError> {
    if !crate::db::table_exists(ctx.conn, "state", "reccobeats_features")? {
        return Err(FetchError::NotFetched { what: "ReccoBeats features".into(), command: "selecta fetch features --source reccobeats".into() });
    }
    let load = load_features(ctx.conn, rank)?;
    Ok(StepOutput::ok(load.rows).with_note(format!("{} IDs with features, {} recorded missing (source_rank {rank})", load.rows, load.missing)))
}

