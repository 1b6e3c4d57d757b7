//! The input of a run: the selected feature columns of `tracks_features` (matched
//! case-insensitively), keyed by `Track_id` and sorted by it, so neither the input's row order
//! nor rows without features can move a label. Rows lacking a feature are excluded and listed;
//! NaN / infinite values are errors.

use super::ClusterError;
use super::matrix::Matrix;
use crate::db::{duck, ident};

/// A clustered track (the key, its metadata, its feature row in [`Loaded::x`]).
#[derive(Debug, Clone)]
pub struct TrackRow {
    pub track_id: String,
    pub spotify_id: Option<String>,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
}

/// A track left out because a selected feature is missing.
#[derive(Debug, Clone)]
pub struct Excluded {
    pub track_id: String,
    pub spotify_id: Option<String>,
    pub missing: Vec<String>,
}

/// The input of a run, sorted by track key.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The feature columns as named in the table.
    pub features: Vec<String>,
    pub tracks: Vec<TrackRow>,
    /// n × d, original units; row i is `tracks[i]`.
    pub x: Matrix,
    pub excluded: Vec<Excluded>,
}

/// Reads the selected features of `tracks_features`.
pub fn load(conn: &duckdb::Connection, features: &[String]) -> Result<Loaded, ClusterError> {
    load_from(conn, "tracks_features", features)
}

/// Reads the selected features of `table` (a table shaped like `tracks_features`).
pub fn load_from(conn: &duckdb::Connection, table: &str, features: &[String]) -> Result<Loaded, ClusterError> {
    // DESCRIBE, not information_schema: the first query of information_schema makes DuckDB
    // create every default system view of the connection.
    let columns: Vec<String> = match conn.prepare(&format!("DESCRIBE main.{}", ident(table))) {
        Ok(mut stmt) => stmt
            .query_map([], |r| r.get(0))
            .and_then(|m| m.collect::<Result<Vec<String>, _>>())
            .map_err(duck("listing the columns of tracks_features"))?,
        Err(e) if e.to_string().contains("does not exist") => Vec::new(),
        Err(e) => return Err(duck("listing the columns of tracks_features")(e).into()),
    };
    if columns.is_empty() {
        return Err(ClusterError::MissingTable);
    }
    let find = |name: &str| columns.iter().find(|c| c.eq_ignore_ascii_case(name)).cloned();
    let mut feature_cols = Vec::with_capacity(features.len());
    for f in features {
        match find(f) {
            Some(c) => feature_cols.push(c),
            None => return Err(ClusterError::UnknownFeature { feature: f.clone(), available: columns.join(", ") }),
        }
    }
    let key = find("track_id").ok_or_else(|| ClusterError::MissingColumn { column: "Track_id".into(), role: "track key".into() })?;
    let optional = |name: &str| find(name).map(|c| ident(&c)).unwrap_or_else(|| "NULL".into());
    let mut select = vec![
        format!("CAST({} AS VARCHAR)", ident(&key)),
        format!("CAST({} AS VARCHAR)", optional("spotify_id")),
        format!("CAST({} AS VARCHAR)", optional("title")),
        format!("CAST({} AS VARCHAR)", optional("artist")),
        format!("CAST({} AS VARCHAR)", optional("album")),
    ];
    select.extend(feature_cols.iter().map(|c| format!("CAST({} AS DOUBLE)", ident(c))));
    let sql = format!(
        "SELECT {} FROM {} WHERE {} IS NOT NULL ORDER BY 1, 2 NULLS LAST",
        select.join(", "),
        ident(table),
        ident(&key)
    );
    let d = feature_cols.len();
    let mut stmt = conn.prepare(&sql).map_err(duck("reading the features of tracks_features"))?;
    let mut rows = stmt.query([]).map_err(duck("reading the features of tracks_features"))?;
    let mut tracks = Vec::new();
    let mut data = Vec::new();
    let mut excluded = Vec::new();
    let mut values = vec![None; d];
    while let Some(r) = rows.next().map_err(duck("reading the features of tracks_features"))? {
        let get = |i: usize| -> Result<Option<String>, ClusterError> { Ok(r.get(i).map_err(duck("reading tracks_features"))?) };
        let track = TrackRow { track_id: get(0)?.unwrap_or_default(), spotify_id: get(1)?, title: get(2)?, artist: get(3)?, album: get(4)? };
        for (j, v) in values.iter_mut().enumerate() {
            *v = r.get::<_, Option<f64>>(5 + j).map_err(duck("reading tracks_features"))?;
        }
        let missing: Vec<String> = (0..d).filter(|&j| values[j].is_none()).map(|j| feature_cols[j].clone()).collect();
        if !missing.is_empty() {
            excluded.push(Excluded { track_id: track.track_id, spotify_id: track.spotify_id, missing });
            continue;
        }
        for (j, v) in values.iter().enumerate() {
            let v = v.expect("checked");
            if !v.is_finite() {
                return Err(ClusterError::NonFinite { key: track.track_id.clone(), feature: feature_cols[j].clone(), value: v });
            }
            data.push(v);
        }
        if let Some(prev) = tracks.last().map(|t: &TrackRow| &t.track_id) {
            if *prev == track.track_id {
                let count = 1 + tracks.iter().rev().take_while(|t| t.track_id == track.track_id).count();
                return Err(ClusterError::DuplicateKey { key: track.track_id, count });
            }
        }
        tracks.push(track);
    }
    let n = tracks.len();
    Ok(Loaded { features: feature_cols, tracks, x: Matrix::new(n, d, data), excluded })
}

