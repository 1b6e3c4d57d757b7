//! The build step `playlists.order`: each cluster's playlist (`cluster_playlists`, written by
//! the cluster step by distance to the centroid) put in the order `[playlists] order` names —
//! `set` through [`super::sequence`], `centroid` as it is — and every transition of it written
//! to `playlist_transitions` with its harmonic and tempo compatibility and its cost.

use duckdb::{Connection, params};

use super::sequence::{self, SetTrack};
use super::{Order, PlaylistsConfig, PlaylistsError};
use crate::db::duck;
use crate::step::{StepContext, StepOutput};

/// DDL: `sql/outputs/playlist_transitions.sql`.
const TRANSITIONS_DDL: &str = include_str!("../../sql/outputs/playlist_transitions.sql");

/// DDL: `sql/outputs/cluster_playlists.sql` (the cluster step's table, replaced here by the
/// same table in the new order: a new table takes the rows faster than one whose every key is
/// deleted and inserted again, its primary key built once).
const PLAYLISTS_DDL: &str = include_str!("../../sql/outputs/cluster_playlists.sql");

/// What an ordering gave.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OrderSummary {
    pub transitions: u64,
    /// Transitions harmonically compatible, and within the tempo tolerance.
    pub harmonic: u64,
    pub tempo: u64,
    /// The same, counted only in playlists of at least 20 tracks.
    pub big_transitions: u64,
    pub big_harmonic: u64,
}

impl OrderSummary {
    pub fn share(part: u64, whole: u64) -> f64 {
        if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
    }
}

struct Entry {
    cluster: i64,
    name: Option<String>,
    track_id: String,
    spotify_id: Option<String>,
    title: Option<String>,
    artist: Option<String>,
    album: Option<String>,
    camelot: Option<String>,
    set: SetTrack,
}

/// Reorders `cluster_playlists` of `conn` as `cfg` says and rewrites `playlist_transitions`.
pub fn order_playlists(conn: &Connection, cfg: &PlaylistsConfig) -> Result<OrderSummary, PlaylistsError> {
    let e = || duck("reading cluster_playlists with the tracks' key, tempo and energy");
    let mut stmt = conn
        .prepare(
            "SELECT p.cluster, p.cluster_name, p.track_id, p.spotify_id, p.title, p.artist, p.album,
                    f.Camelot, CAST(f.Tempo AS DOUBLE), CAST(f.Energy AS DOUBLE)
             FROM cluster_playlists p
             LEFT JOIN track_clusters c ON c.track_id = p.track_id
             LEFT JOIN tracks_features f ON f.Track_id = p.track_id
             ORDER BY p.cluster, c.distance NULLS LAST, p.position",
        )
        .map_err(e())?;
    let rows = stmt
        .query_map([], |r| {
            let camelot: Option<String> = r.get(7)?;
            Ok(Entry {
                cluster: r.get(0)?,
                name: r.get(1)?,
                track_id: r.get(2)?,
                spotify_id: r.get(3)?,
                title: r.get(4)?,
                artist: r.get(5)?,
                album: r.get(6)?,
                set: SetTrack { camelot: camelot.as_deref().and_then(sequence::parse_camelot), tempo: r.get(8)?, energy: r.get(9)? },
                camelot,
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(e())?;
    let mut clusters: Vec<Vec<Entry>> = Vec::new();
    for entry in rows {
        match clusters.last_mut() {
            Some(c) if c[0].cluster == entry.cluster => c.push(entry),
            _ => clusters.push(vec![entry]),
        }
    }
    let tol = cfg.tempo_tolerance;
    // Each cluster's order, the clusters spread over the cores.
    let orders: Vec<Vec<usize>> = match cfg.order {
        Order::Set => {
            let sets: Vec<Vec<SetTrack>> = clusters.iter().map(|c| c.iter().map(|e| e.set.clone()).collect()).collect();
            crate::parallel::map(sets.len(), crate::parallel::threads(0, sets.len()), |c| sequence::sequence(&sets[c], tol))
        }
        Order::Centroid => clusters.iter().map(|c| (0..c.len()).collect()).collect(),
    };
    let mut summary = OrderSummary::default();
    let w = || duck("writing cluster_playlists and playlist_transitions");
    conn.execute_batch("BEGIN TRANSACTION").map_err(w())?;
    let result = (|| {
        conn.execute_batch(PLAYLISTS_DDL)?;
        conn.execute_batch(TRANSITIONS_DDL)?;
        let mut pl = conn.appender("cluster_playlists")?;
        let mut tr = conn.appender("playlist_transitions")?;
        for (entries, order) in clusters.iter().zip(&orders) {
            let big = entries.len() >= 20;
            for (pos, &i) in order.iter().enumerate() {
                let t = &entries[i];
                pl.append_row(params![t.cluster, t.name, pos as i64 + 1, t.track_id, t.spotify_id, t.title, t.artist, t.album])?;
                let Some(&j) = order.get(pos + 1) else { continue };
                let (a, b) = (&entries[i], &entries[j]);
                let harmonic = sequence::harmonic(a.set.camelot, b.set.camelot);
                let tempo_ok = sequence::tempo_ok(a.set.tempo, b.set.tempo, tol);
                let step = a.set.tempo.zip(b.set.tempo).and_then(|(x, y)| sequence::tempo_step(x, y));
                let energy = a.set.energy.zip(b.set.energy).map(|(x, y)| y - x);
                tr.append_row(params![
                    t.cluster,
                    pos as i64 + 1,
                    a.track_id,
                    b.track_id,
                    a.camelot,
                    b.camelot,
                    a.set.tempo,
                    b.set.tempo,
                    step,
                    energy,
                    harmonic,
                    tempo_ok,
                    sequence::transition(&a.set, &b.set, tol)
                ])?;
                summary.transitions += 1;
                summary.harmonic += u64::from(harmonic);
                summary.tempo += u64::from(tempo_ok);
                if big {
                    summary.big_transitions += 1;
                    summary.big_harmonic += u64::from(harmonic);
                }
            }
        }
        pl.flush()?;
        tr.flush()?;
        Ok::<(), duckdb::Error>(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(w())?,
        Err(err) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(w()(err).into());
        }
    }
    Ok(summary)
}

/// The run log's line.
pub fn summary_note(s: &OrderSummary, cfg: &PlaylistsConfig) -> String {
    format!(
        "order = \"{}\": {} of {} transitions harmonically compatible ({:.0} %; {:.0} % in playlists of 20+), {} within ±{:.0} % tempo ({:.0} %)",
        cfg.order.as_str(),
        s.harmonic,
        s.transitions,
        OrderSummary::share(s.harmonic, s.transitions),
        OrderSummary::share(s.big_harmonic, s.big_transitions),
        s.tempo,
        cfg.tempo_tolerance * 100.0,
        OrderSummary::share(s.tempo, s.transitions),
    )
}

/// The build step (after `cluster`).
pub fn order_step(ctx: &StepContext<'_>, cfg: &PlaylistsConfig) -> Result<StepOutput, PlaylistsError> {
    let s = order_playlists(ctx.conn, cfg)?;
    Ok(StepOutput::ok(s.transitions).with_note(summary_note(&s, cfg)))
}
