//! The HTML report: one self-contained file (inline CSS and SVG, no script, no network) that
//! shows what a build produced.
//!
//! [`Report::gather`] reads the warehouse into one [`Section`] per plot — the matching funnel,
//! the feature correlation heatmap, the elbow, the centroid heatmap, the PCA scatter, cluster
//! sizes and sample tracks per cluster. A section whose input tables are missing holds a
//! [`Section::Missing`] line saying which, so a partial warehouse still gives a report.
//! [`Report::to_html`] renders it with the charts of [`svg`]. The command `selecta report`
//! ([`report_command`]) and the build step [`report_step`] both end in [`write_report`].

pub mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use duckdb::Connection;
use serde::Deserialize;

use crate::config::Config;
use crate::warehouse::step::{StepContext, StepOutput};
use svg::{Bar, Heatmap, Point, esc, short, thousands};

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("report: {context}: {source}")]
    Duck { context: String, source: duckdb::Error },
    #[error("report: cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

fn duck(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> ReportError {
    let context = context.into();
    move |source| ReportError::Duck { context, source }
}

/// The `[report]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Where the build writes the report. Default: beside the warehouse, named after it with
    /// `-report.html` (`out/original_run.duckdb` → `out/original_run-report.html`).
    #[serde(default)]
    pub out: Option<PathBuf>,
    /// Tracks shown per cluster in the samples table (the closest to the centroid first).
    /// Default: 8.
    #[serde(default)]
    pub sample_tracks: Option<usize>,
}

impl ReportConfig {
    /// The report's path for this configuration.
    pub fn path(&self, config: &Config) -> PathBuf {
        match &self.out {
            Some(p) => config.resolve(p),
            None => {
                let stem = config.warehouse.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "selecta".into());
                config.warehouse.with_file_name(format!("{stem}-report.html"))
            }
        }
    }

    fn samples(&self) -> usize {
        self.sample_tracks.unwrap_or(8)
    }
}

/// `selecta report [--out FILE.html]`
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The HTML file to write. Default: `[report] out`, else beside the warehouse.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `selecta report`: reads the built warehouse (read-only) and writes the HTML file.
pub fn report_command(config: &Config, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let conn = crate::warehouse::open_read_only(config)?;
    let out = args.out.clone().unwrap_or_else(|| config.report.path(config));
    let report = Report::gather(&conn, config.report.samples())?;
    write_report(&report, &out)?;
    println!("report → {} ({} of {} parts drawn)", out.display(), report.drawn(), report.sections.len());
    for (title, why) in report.missing() {
        println!("  {title}: {why}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The build step: writes the report of the warehouse being built to `[report] out`.
/// Status WARN (not failure) when some parts had no input.
pub fn report_step(ctx: &StepContext<'_>) -> Result<StepOutput, crate::Error> {
    let out = ctx.config.report.path(ctx.config);
    let report = Report::gather(ctx.conn, ctx.config.report.samples())?;
    write_report(&report, &out)?;
    let drawn = report.drawn() as u64;
    let missing: Vec<String> = report.missing().map(|(t, _)| t.to_string()).collect();
    Ok(if missing.is_empty() {
        StepOutput::ok(drawn).with_note(format!("→ {}", out.display()))
    } else {
        StepOutput::warn(drawn, format!("→ {}; no input for: {}", out.display(), missing.join(", ")))
    })
}

/// Writes the report's HTML to `out` (through a side file, renamed into place).
pub fn write_report(report: &Report, out: &Path) -> Result<(), ReportError> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Write { path: dir.to_path_buf(), source })?;
    }
    let tmp = out.with_extension("html.tmp");
    std::fs::write(&tmp, report.to_html()).map_err(|source| ReportError::Write { path: tmp.clone(), source })?;
    std::fs::rename(&tmp, out).map_err(|source| ReportError::Write { path: out.to_path_buf(), source })
}

/// One part of the report: its drawing, or why it could not be drawn.
#[derive(Debug, Clone)]
pub enum Section {
    /// HTML (SVG and tables) ready to embed.
    Drawn(String),
    /// The input is missing; the text says which table.
    Missing(String),
}

/// The gathered report: titled sections in display order, plus a header summary.
#[derive(Debug, Clone)]
pub struct Report {
    pub summary: Vec<(String, String)>,
    pub sections: Vec<(&'static str, Section)>,
}

/// The audio features compared in the correlation heatmap, as named in `tracks_features`.
pub const FEATURES: [&str; 10] =
    ["Danceability", "Energy", "Loudness", "Speechiness", "Acousticness", "Instrumentalness", "Liveness", "Valence", "Tempo", "Popularity"];

const WIDTH: f64 = 1180.0;

impl Report {
    /// Reads everything the report shows from `conn` (a warehouse).
    pub fn gather(conn: &Connection, samples: usize) -> Result<Report, ReportError> {
        let db = Db { conn };
        let mut summary = Vec::new();
        for (label, table) in [("tracks", "tracks"), ("Spotify IDs", "tracks_features"), ("clustered tracks", "track_clusters")] {
            if let Some(n) = db.count(table)? {
                summary.push((label.to_string(), thousands(n)));
            }
        }
        if let Some(k) = db.count("clusters")? {
            summary.push(("clusters".into(), k.to_string()));
        }
        let sections = vec![
            ("Matching funnel", funnel(&db)?),
            ("Audio feature correlations", correlations(&db)?),
            ("Choosing k: elbow and silhouette", elbow(&db)?),
            ("Cluster centroids", centroids(&db)?),
            ("Tracks on the first two principal components", pca(&db)?),
            ("Cluster sizes", sizes(&db)?),
            ("Sample tracks per cluster", sample_tracks(&db, samples)?),
        ];
        Ok(Report { summary, sections })
    }

    /// How many sections were drawn.
    pub fn drawn(&self) -> usize {
        self.sections.iter().filter(|(_, s)| matches!(s, Section::Drawn(_))).count()
    }

    /// The sections that could not be drawn, with why.
    pub fn missing(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.sections.iter().filter_map(|(t, s)| match s {
            Section::Missing(why) => Some((*t, why.as_str())),
            Section::Drawn(_) => None,
        })
    }

    /// The whole report as one HTML document.
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        h.push_str("<title>selecta report</title><style>");
        h.push_str(CSS);
        h.push_str("</style></head><body><main>\n<h1>selecta — collection report</h1>\n");
        if !self.summary.is_empty() {
            h.push_str("<p class=\"summary\">");
            let parts: Vec<String> = self.summary.iter().map(|(k, v)| format!("<b>{}</b> {}", esc(v), esc(k))).collect();
            h.push_str(&parts.join(" · "));
            h.push_str("</p>\n");
        }
        h.push_str("<nav>");
        for (i, (title, _)) in self.sections.iter().enumerate() {
            let _ = write!(h, "<a href=\"#s{i}\">{}</a> ", esc(title));
        }
        h.push_str("</nav>\n");
        for (i, (title, section)) in self.sections.iter().enumerate() {
            let _ = write!(h, "<section id=\"s{i}\"><h2>{}</h2>\n", esc(title));
            match section {
                Section::Drawn(body) => h.push_str(body),
                Section::Missing(why) => {
                    let _ = write!(h, "<p class=\"missing\">Not drawn: {}</p>", esc(why));
                }
            }
            h.push_str("</section>\n");
        }
        h.push_str("</main></body></html>\n");
        h
    }
}

const CSS: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#222;margin:0;background:#fff}\
main{max-width:1200px;margin:0 auto;padding:16px 20px}h1{font-size:26px;margin:8px 0}h2{font-size:19px;margin:0 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
section{margin:26px 0}nav a{margin-right:12px;color:#3567a8;text-decoration:none}.summary{font-size:15px;color:#444}\
.missing{color:#8a5a00;background:#fff6e0;border:1px solid #f0d9a0;padding:8px 12px;border-radius:4px}\
.note{color:#555;margin:4px 0 10px}svg{display:block;max-width:100%;height:auto}svg text{font-family:inherit}\
.lbl{font-size:12px;fill:#333}.val{font-size:12px;fill:#555}.tick{font-size:11px;fill:#666}.cell{font-size:11px}.mark{font-size:12px;fill:#c00;font-weight:600}\
.row{display:flex;gap:20px;flex-wrap:wrap}table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:13px}\
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}th{background:#f4f4f4}\
h3{font-size:15px;margin:14px 0 2px}.sw{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px}";

/// Queries the warehouse with the tolerance the report needs: missing tables are `None`.
struct Db<'a> {
    conn: &'a Connection,
}

impl Db<'_> {
    /// The columns `(name, type)` of a table or view of the main schema, or `None` when absent.
    fn columns(&self, table: &str) -> Result<Option<Vec<(String, String)>>, ReportError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT column_name, data_type FROM information_schema.columns \
                 WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = lower(?) \
                 ORDER BY ordinal_position",
            )
            .map_err(duck("listing columns"))?;
        let cols = stmt
            .query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck(format!("listing the columns of {table}")))?;
        Ok(if cols.is_empty() { None } else { Some(cols) })
    }

    fn has(&self, table: &str, cols: &[&str]) -> Result<bool, ReportError> {
        Ok(match self.columns(table)? {
            None => false,
            Some(have) => cols.iter().all(|c| have.iter().any(|(n, _)| n.eq_ignore_ascii_case(c))),
        })
    }

    fn count(&self, table: &str) -> Result<Option<u64>, ReportError> {
        if self.columns(table)?.is_none() {
            return Ok(None);
        }
        let n: i64 = self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).map_err(duck(format!("counting {table}")))?;
        Ok(Some(n as u64))
    }

    fn opt_i64(&self, sql: &str) -> Result<Option<i64>, ReportError> {
        self.conn.query_row(sql, [], |r| r.get::<_, Option<i64>>(0)).map_err(duck(sql.to_string()))
    }

    /// Rows of text cells (every column cast to VARCHAR by the caller's SQL).
    fn strings(&self, sql: &str, n: usize) -> Result<Vec<Vec<Option<String>>>, ReportError> {
        let mut stmt = self.conn.prepare(sql).map_err(duck(sql.to_string()))?;
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Option<String>>(i)).collect::<Result<Vec<_>, _>>())
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck(sql.to_string()))?;
        Ok(rows)
    }

    /// Rows of float cells.
    fn floats(&self, sql: &str, n: usize) -> Result<Vec<Vec<Option<f64>>>, ReportError> {
        let mut stmt = self.conn.prepare(sql).map_err(duck(sql.to_string()))?;
        let rows = stmt
            .query_map([], |r| (0..n).map(|i| r.get::<_, Option<f64>>(i)).collect::<Result<Vec<_>, _>>())
            .and_then(|r| r.collect::<Result<Vec<_>, _>>())
            .map_err(duck(sql.to_string()))?;
        Ok(rows)
    }

    /// `cluster → name` from `clusters` (empty when the table is missing).
    fn cluster_names(&self) -> Result<BTreeMap<i64, String>, ReportError> {
        let mut names = BTreeMap::new();
        if self.has("clusters", &["cluster", "name"])? {
            for row in self.strings("SELECT CAST(cluster AS VARCHAR), name FROM clusters ORDER BY cluster", 2)? {
                if let Some(c) = row[0].as_deref().and_then(|c| c.parse::<i64>().ok()) {
                    names.insert(c, row[1].clone().unwrap_or_default());
                }
            }
        }
        Ok(names)
    }
}

fn label_of(names: &BTreeMap<i64, String>, c: i64) -> String {
    match names.get(&c) {
        Some(n) if !n.is_empty() => format!("{c}: {n}"),
        _ => format!("cluster {c}"),
    }
}

fn funnel(db: &Db<'_>) -> Result<Section, ReportError> {
    let mut bars = Vec::new();
    let mut notes = Vec::new();
    let tracks = db.count("tracks")?;
    let Some(total) = tracks else {
        return Ok(Section::Missing("no `tracks` table in the warehouse".into()));
    };
    let pct = |n: u64| if total > 0 { format!("{} ({:.1} %)", thousands(n), 100.0 * n as f64 / total as f64) } else { thousands(n) };
    let mut stage = |label: &str, n: u64, color: &str| bars.push(Bar { label: label.into(), value: n as f64, color: color.into(), note: Some(pct(n)) });
    stage("tracks in the collection", total, "#4e79a7");
    let matches = db.has("track_matches", &["track_id", "quality"])?;
    if db.has("track_spotify_ids", &["track_id"])? {
        let n = db.opt_i64("SELECT count(DISTINCT track_id) FROM track_spotify_ids")?.unwrap_or(0) as u64;
        stage("tracks with a Spotify ID", n, "#59a14f");
    } else {
        notes.push("no `track_spotify_ids` table".to_string());
    }
    if db.has("tracks_features", &["has_features", "Track_id"])? {
        let with = db.opt_i64("SELECT count(*) FILTER (WHERE has_features) FROM tracks_features")?.unwrap_or(0) as u64;
        let ids = db.count("tracks_features")?.unwrap_or(0);
        stage("distinct Spotify IDs", ids, "#76b7b2");
        stage("IDs with audio features", with, "#edc948");
    } else {
        notes.push("no `tracks_features` table".to_string());
    }
    if let Some(n) = db.count("track_clusters")? {
        stage("clustered", n, "#b07aa1");
    }
    let mut body = String::new();
    body.push_str(&svg::hbars(&bars, WIDTH));
    if matches {
        let has_id = db.has("track_matches", &["spotify_id"])?;
        let sql = format!(
            "SELECT coalesce(CAST(quality AS VARCHAR), '(no quality)'), count(*), {} FROM track_matches GROUP BY 1 ORDER BY 2 DESC, 1",
            if has_id { "count(spotify_id)" } else { "count(*)" }
        );
        let rows = db.strings(&format!("SELECT CAST(c0 AS VARCHAR), CAST(c1 AS VARCHAR), CAST(c2 AS VARCHAR) FROM ({sql}) t(c0, c1, c2)"), 3)?;
        let qbars: Vec<Bar> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let n = r[1].as_deref().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
                let with_id = r[2].as_deref().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                Bar {
                    label: format!("quality: {}", r[0].clone().unwrap_or_default()),
                    value: n,
                    color: svg::category_color(i as i64).into(),
                    note: Some(format!("{} tracks, {} with an ID", thousands(n as u64), thousands(with_id))),
                }
            })
            .collect();
        body.push_str("<h3>Matches by quality (track_matches)</h3>");
        body.push_str(&svg::hbars(&qbars, WIDTH));
    } else {
        notes.push("no `track_matches` table (matching not run): the stages come from tracks, track_spotify_ids and tracks_features".into());
    }
    // Which tracks did not match: a sample.
    let unmatched_sql = if matches && db.has("track_matches", &["spotify_id"])? && db.has("tracks", &["title", "artist", "album"])? {
        Some("SELECT t.artist, t.title, t.album, CAST(m.quality AS VARCHAR) FROM track_matches m JOIN tracks t USING (track_id) WHERE m.spotify_id IS NULL ORDER BY t.artist, t.album, t.title LIMIT 15")
    } else if db.has("track_spotify_ids", &["track_id"])? && db.has("tracks", &["title", "artist", "album"])? {
        Some("SELECT t.artist, t.title, t.album, CAST(NULL AS VARCHAR) FROM tracks t WHERE t.track_id NOT IN (SELECT track_id FROM track_spotify_ids) ORDER BY t.artist, t.album, t.title LIMIT 15")
    } else {
        None
    };
    if let Some(sql) = unmatched_sql {
        let rows = db.strings(sql, 4)?;
        if !rows.is_empty() {
            body.push_str("<h3>Tracks without a Spotify ID (first 15)</h3><table><tr><th>artist</th><th>title</th><th>album</th><th>quality</th></tr>");
            for r in rows {
                body.push_str("<tr>");
                for c in r {
                    let _ = write!(body, "<td>{}</td>", esc(c.as_deref().unwrap_or("")));
                }
                body.push_str("</tr>");
            }
            body.push_str("</table>");
        }
    }
    for n in notes {
        let _ = write!(body, "<p class=\"note\">{}</p>", esc(&n));
    }
    Ok(Section::Drawn(body))
}

/// Pearson's r over the pairs where both values are present; `None` with fewer than 3 pairs
/// or no variance.
pub fn pearson(xs: &[Option<f64>], ys: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = xs.iter().zip(ys).filter_map(|(x, y)| Some(((*x)?, (*y)?))).filter(|(x, y)| x.is_finite() && y.is_finite()).collect();
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

fn correlations(db: &Db<'_>) -> Result<Section, ReportError> {
    let Some(cols) = db.columns("tracks_features")? else {
        return Ok(Section::Missing("no `tracks_features` table in the warehouse".into()));
    };
    let present: Vec<&str> = FEATURES.iter().copied().filter(|f| cols.iter().any(|(n, _)| n.eq_ignore_ascii_case(f))).collect();
    let select: Vec<String> = present.iter().map(|f| format!("CAST({f} AS DOUBLE)")).collect();
    if select.is_empty() {
        return Ok(Section::Missing("`tracks_features` has none of the audio feature columns".into()));
    }
    let rows = db.floats(&format!("SELECT {} FROM tracks_features", select.join(", ")), present.len())?;
    let columns: Vec<Vec<Option<f64>>> = (0..present.len()).map(|c| rows.iter().map(|r| r[c]).collect()).collect();
    // Keep features with values that vary (Popularity is empty for new data).
    let keep: Vec<usize> = (0..present.len()).filter(|&i| pearson(&columns[i], &columns[i]).is_some()).collect();
    if keep.len() < 2 {
        return Ok(Section::Missing("fewer than two audio features have values in `tracks_features`".into()));
    }
    let names: Vec<String> = keep.iter().map(|&i| present[i].to_string()).collect();
    let m: Vec<Vec<Option<f64>>> = keep.iter().map(|&i| keep.iter().map(|&j| pearson(&columns[i], &columns[j])).collect()).collect();
    let n_rows = columns[keep[0]].iter().filter(|v| v.is_some()).count();
    let color = |r: usize, c: usize| svg::diverging(m[r][c].unwrap_or(0.0));
    let ink = |r: usize, c: usize| svg::ink_on(m[r][c].unwrap_or(0.0));
    let text = |r: usize, c: usize| m[r][c].map(|v| format!("{v:.2}")).unwrap_or_default();
    let hm = Heatmap { rows: &names, cols: &names, cell: 58.0, color: &color, ink: &ink, text: &text, row_label_w: 140.0 };
    let mut body = format!(
        "<p class=\"note\">Pearson's r between audio features over the {} tracks that have them (blue −1, white 0, red +1).</p>",
        thousands(n_rows as u64)
    );
    body.push_str(&svg::heatmap(&hm));
    Ok(Section::Drawn(body))
}

fn elbow(db: &Db<'_>) -> Result<Section, ReportError> {
    if !db.has("cluster_elbow", &["k", "inertia"])? {
        return Ok(Section::Missing("no `cluster_elbow` table (clustering not run)".into()));
    }
    let has_sil = db.has("cluster_elbow", &["silhouette"])?;
    let has_chosen = db.has("cluster_elbow", &["chosen"])?;
    let sql = format!(
        "SELECT CAST(k AS DOUBLE), CAST(inertia AS DOUBLE), {}, {} FROM cluster_elbow ORDER BY k",
        if has_sil { "CAST(silhouette AS DOUBLE)" } else { "CAST(NULL AS DOUBLE)" },
        if has_chosen { "CASE WHEN chosen THEN 1.0 ELSE 0.0 END" } else { "0.0" }
    );
    let rows = db.floats(&sql, 4)?;
    if rows.is_empty() {
        return Ok(Section::Missing("`cluster_elbow` is empty".into()));
    }
    let ks: Vec<f64> = rows.iter().map(|r| r[0].unwrap_or(f64::NAN)).collect();
    let inertia: Vec<f64> = rows.iter().map(|r| r[1].unwrap_or(f64::NAN)).collect();
    let sil: Vec<f64> = rows.iter().map(|r| r[2].unwrap_or(f64::NAN)).collect();
    let chosen = rows.iter().find(|r| r[3] == Some(1.0)).and_then(|r| r[0]);
    let label = chosen.map(|k| format!("chosen k = {k}")).unwrap_or_default();
    let mut body = String::from("<p class=\"note\">KMeans inertia (within-cluster sum of squares, lower is tighter) and mean silhouette (higher is better separated) for each k tried");
    if let Some(k) = chosen {
        let _ = write!(body, "; the dashed line marks the chosen k = {k}");
    }
    body.push_str(".</p><div class=\"row\">");
    body.push_str(&svg::line_chart(&ks, &inertia, 580.0, 330.0, "inertia", "#4e79a7", chosen, &label));
    if has_sil && sil.iter().any(|v| v.is_finite()) {
        body.push_str(&svg::line_chart(&ks, &sil, 580.0, 330.0, "silhouette", "#e15759", chosen, &label));
    } else {
        body.push_str("<p class=\"missing\">Not drawn: no silhouette values in `cluster_elbow`.</p>");
    }
    body.push_str("</div>");
    Ok(Section::Drawn(body))
}

fn centroids(db: &Db<'_>) -> Result<Section, ReportError> {
    let Some(cols) = db.columns("cluster_centroids")? else {
        return Ok(Section::Missing("no `cluster_centroids` table (clustering not run)".into()));
    };
    let names = db.cluster_names()?;
    let find = |n: &str| cols.iter().find(|(c, _)| c.eq_ignore_ascii_case(n)).map(|(c, _)| c.clone());
    // Long form (cluster, feature, value) or wide form (cluster, <one column per feature>).
    let mut grid: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
    let mut features: Vec<String> = Vec::new();
    if let (Some(cl), Some(fe), Some(va)) = (find("cluster"), find("feature"), find("value")) {
        let sql = format!("SELECT CAST({cl} AS VARCHAR), CAST({fe} AS VARCHAR), CAST({va} AS VARCHAR) FROM cluster_centroids ORDER BY 1, 2");
        for r in db.strings(&sql, 3)? {
            let (Some(c), Some(f)) = (r[0].as_deref().and_then(|c| c.parse::<i64>().ok()), r[1].clone()) else { continue };
            let v = r[2].as_deref().and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
            if !features.contains(&f) {
                features.push(f.clone());
            }
            grid.entry(c).or_default().insert(f, v);
        }
    } else if let Some(cl) = find("cluster") {
        const NUMERIC: [&str; 8] = ["DOUBLE", "FLOAT", "REAL", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "HUGEINT"];
        const NOT_FEATURES: [&str; 5] = ["cluster", "run_id", "k", "size", "n"];
        features = cols
            .iter()
            .filter(|(n, t)| NUMERIC.iter().any(|p| t.to_uppercase().starts_with(p)) && !NOT_FEATURES.iter().any(|x| n.eq_ignore_ascii_case(x)))
            .map(|(n, _)| n.clone())
            .collect();
        if !features.is_empty() {
            let sel: Vec<String> = std::iter::once(format!("CAST({cl} AS DOUBLE)")).chain(features.iter().map(|f| format!("CAST(\"{f}\" AS DOUBLE)"))).collect();
            for r in db.floats(&format!("SELECT {} FROM cluster_centroids ORDER BY 1", sel.join(", ")), sel.len())? {
                let Some(c) = r[0] else { continue };
                let row = grid.entry(c as i64).or_default();
                for (i, f) in features.iter().enumerate() {
                    row.insert(f.clone(), r[i + 1].unwrap_or(f64::NAN));
                }
            }
        }
    }
    if grid.is_empty() || features.is_empty() {
        return Ok(Section::Missing("`cluster_centroids` has no (cluster, feature) values".into()));
    }
    let clusters: Vec<i64> = grid.keys().copied().collect();
    let value = |r: usize, c: usize| grid[&clusters[r]].get(&features[c]).copied().unwrap_or(f64::NAN);
    // Colour by how far a centroid sits from the other clusters' on that feature (z over clusters).
    let z: Vec<Vec<f64>> = {
        let stats: Vec<(f64, f64)> = (0..features.len())
            .map(|c| {
                let v: Vec<f64> = (0..clusters.len()).map(|r| value(r, c)).filter(|x| x.is_finite()).collect();
                let n = v.len().max(1) as f64;
                let m = v.iter().sum::<f64>() / n;
                let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
                (m, sd)
            })
            .collect();
        (0..clusters.len())
            .map(|r| (0..features.len()).map(|c| if stats[c].1 > 0.0 { (value(r, c) - stats[c].0) / stats[c].1 / 2.0 } else { 0.0 }).collect())
            .collect()
    };
    let rows: Vec<String> = clusters.iter().map(|c| label_of(&names, *c)).collect();
    let color = |r: usize, c: usize| svg::diverging(z[r][c]);
    let ink = |r: usize, c: usize| svg::ink_on(z[r][c]);
    let text = |r: usize, c: usize| {
        let v = value(r, c);
        if v.is_finite() { short(v) } else { String::new() }
    };
    let cell = ((WIDTH - 330.0) / features.len() as f64).clamp(50.0, 78.0);
    let hm = Heatmap { rows: &rows, cols: &features, cell, color: &color, ink: &ink, text: &text, row_label_w: 320.0 };
    let mut body = String::from(
        "<p class=\"note\">Each cluster's centroid; cells show the centroid's value, coloured by how far it lies from the other clusters on that feature (blue below, red above).</p>",
    );
    body.push_str(&svg::heatmap(&hm));
    Ok(Section::Drawn(body))
}

fn pca(db: &Db<'_>) -> Result<Section, ReportError> {
    if !db.has("track_clusters", &["cluster", "pc1", "pc2"])? {
        return Ok(Section::Missing("no `track_clusters` table with pc1, pc2 (clustering not run)".into()));
    }
    let rows = db.floats("SELECT CAST(pc1 AS DOUBLE), CAST(pc2 AS DOUBLE), CAST(cluster AS DOUBLE) FROM track_clusters ORDER BY track_id", 3)?;
    let points: Vec<Point> = rows.iter().filter_map(|r| Some(Point { x: r[0]?, y: r[1]?, group: r[2]? as i64 })).collect();
    if points.is_empty() {
        return Ok(Section::Missing("`track_clusters` has no rows with pc1 and pc2".into()));
    }
    let names = db.cluster_names()?;
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for p in &points {
        *counts.entry(p.group).or_default() += 1;
    }
    let legend: Vec<(i64, String)> = counts.iter().map(|(c, n)| (*c, format!("{} ({})", label_of(&names, *c), thousands(*n)))).collect();
    let legend: Vec<(i64, String)> = legend.into_iter().map(|(c, l)| (c, truncate(&l, 40))).collect();
    let mut body = format!(
        "<p class=\"note\">{} tracks projected on the first two principal components of the scaled features, coloured by cluster.</p>",
        thousands(points.len() as u64)
    );
    body.push_str(&svg::scatter(&points, &legend, WIDTH, 640.0, "PC1", "PC2"));
    Ok(Section::Drawn(body))
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

fn sizes(db: &Db<'_>) -> Result<Section, ReportError> {
    let names = db.cluster_names()?;
    let rows = if db.has("clusters", &["cluster", "size"])? {
        db.floats("SELECT CAST(cluster AS DOUBLE), CAST(size AS DOUBLE) FROM clusters ORDER BY cluster", 2)?
    } else if db.has("track_clusters", &["cluster"])? {
        db.floats("SELECT CAST(cluster AS DOUBLE), CAST(count(*) AS DOUBLE) FROM track_clusters GROUP BY cluster ORDER BY cluster", 2)?
    } else {
        return Ok(Section::Missing("no `clusters` or `track_clusters` table (clustering not run)".into()));
    };
    let total: f64 = rows.iter().filter_map(|r| r[1]).sum();
    let bars: Vec<Bar> = rows
        .iter()
        .filter_map(|r| {
            let c = r[0]? as i64;
            let n = r[1].unwrap_or(0.0);
            Some(Bar {
                label: truncate(&label_of(&names, c), 38),
                value: n,
                color: svg::category_color(c).into(),
                note: Some(format!("{} ({:.1} %)", thousands(n as u64), if total > 0.0 { 100.0 * n / total } else { 0.0 })),
            })
        })
        .collect();
    if bars.is_empty() {
        return Ok(Section::Missing("no clusters".into()));
    }
    let mut body = svg::hbars(&bars, WIDTH);
    if db.has("clusters", &["cluster", "description"])? {
        body.push_str("<table><tr><th>cluster</th><th>name</th><th>description</th></tr>");
        for r in db.strings("SELECT CAST(cluster AS VARCHAR), name, description FROM clusters ORDER BY cluster", 3)? {
            let c = r[0].as_deref().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
            let _ = write!(
                body,
                "<tr><td><span class=\"sw\" style=\"background:{}\"></span>{}</td><td>{}</td><td>{}</td></tr>",
                svg::category_color(c),
                c,
                esc(r[1].as_deref().unwrap_or("")),
                esc(r[2].as_deref().unwrap_or(""))
            );
        }
        body.push_str("</table>");
    }
    Ok(Section::Drawn(body))
}

fn sample_tracks(db: &Db<'_>, n: usize) -> Result<Section, ReportError> {
    if !db.has("track_clusters", &["cluster", "spotify_id"])? {
        return Ok(Section::Missing("no `track_clusters` table (clustering not run)".into()));
    }
    if !db.has("tracks_features", &["spotify_id", "Title", "Artist", "Album", "Genre", "Style"])? {
        return Ok(Section::Missing("no `tracks_features` table to describe the tracks".into()));
    }
    let order = if db.has("track_clusters", &["distance"])? { "c.distance, f.Artist, f.Title" } else { "f.Artist, f.Title" };
    let sql = format!(
        "SELECT CAST(cluster AS VARCHAR), Title, Artist, Album, Genre, Style FROM ( \
           SELECT c.cluster, f.Title, f.Artist, f.Album, f.Genre, f.Style, \
                  row_number() OVER (PARTITION BY c.cluster ORDER BY {order}) AS rn \
           FROM track_clusters c JOIN tracks_features f ON f.spotify_id = c.spotify_id) \
         WHERE rn <= {n} ORDER BY cluster, rn"
    );
    let rows = db.strings(&sql, 6)?;
    if rows.is_empty() {
        return Ok(Section::Missing("`track_clusters` has no tracks found in `tracks_features`".into()));
    }
    let names = db.cluster_names()?;
    let mut body = format!("<p class=\"note\">Up to {n} tracks per cluster, the closest to its centroid first.</p>");
    let mut current: Option<String> = None;
    for r in rows {
        if current != r[0] {
            if current.is_some() {
                body.push_str("</table>");
            }
            let c = r[0].as_deref().and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
            let _ = write!(
                body,
                "<h3><span class=\"sw\" style=\"background:{}\"></span>{}</h3><table><tr><th>title</th><th>artist</th><th>album</th><th>genre</th><th>style</th></tr>",
                svg::category_color(c),
                esc(&label_of(&names, c))
            );
            current = r[0].clone();
        }
        body.push_str("<tr>");
        for c in &r[1..] {
            let _ = write!(body, "<td>{}</td>", esc(c.as_deref().unwrap_or("")));
        }
        body.push_str("</tr>");
    }
    body.push_str("</table>");
    Ok(Section::Drawn(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pearson's r is ±1 on a line, skips pairs with a missing side, and is undefined for a constant.
    #[test]
    fn pearson_of_a_line_is_one_and_ignores_missing_pairs() {
        let x = [Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)];
        let y = [Some(2.0), Some(4.0), Some(100.0), Some(6.0), Some(8.0)];
        assert!((pearson(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let neg: Vec<Option<f64>> = y.iter().map(|v| v.map(|v| -v)).collect();
        assert!((pearson(&x, &neg).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(pearson(&[Some(1.0), Some(1.0), Some(1.0)], &[Some(1.0), Some(2.0), Some(3.0)]), None);
    }

    /// The demo warehouse draws every part; markup in names is escaped and nothing is fetched.
    #[test]
    fn a_full_warehouse_draws_every_part_and_escapes_its_text() {
        let conn = Connection::open_in_memory().unwrap();
        crate::fakes::warehouse::fill_demo(&conn).unwrap();
        let report = Report::gather(&conn, 8).unwrap();
        let missing: Vec<_> = report.missing().collect();
        assert!(missing.is_empty(), "{missing:?}");
        let html = report.to_html();
        assert!(!html.contains("<script"), "track titles are escaped");
        assert!(html.contains("Loud &amp; &lt;fast&gt;"));
        assert!(html.contains("chosen k = 8"));
        assert!(html.contains("坂本龍一"));
        assert!(!html.contains("src=") && !html.contains("<link") && !html.contains("@import"), "self-contained: nothing to fetch");
    }

    /// With `track_matches`, the funnel counts tracks by match quality and lists the unmatched ones.
    #[test]
    fn the_funnel_counts_matches_by_quality_when_matching_ran() {
        let conn = Connection::open_in_memory().unwrap();
        crate::fakes::warehouse::fill_demo(&conn).unwrap();
        conn.execute_batch(
            "CREATE TABLE track_matches AS SELECT t.track_id, s.spotify_id,
                    CASE WHEN s.spotify_id IS NULL THEN 'none' WHEN hash(t.track_id) % 3 = 0 THEN 'fuzzy' ELSE 'exact' END AS quality
             FROM tracks t LEFT JOIN track_spotify_ids s USING (track_id)",
        )
        .unwrap();
        let html = Report::gather(&conn, 3).unwrap().to_html();
        assert!(html.contains("Matches by quality"), "{html}");
        for q in ["quality: exact", "quality: fuzzy", "quality: none"] {
            assert!(html.contains(q), "{q}");
        }
        // 1 000 tracks, every 20th without an ID: 50 unmatched, listed (first 15).
        assert!(html.contains("50 tracks, 0 with an ID"), "{html}");
        assert!(html.contains("Tracks without a Spotify ID (first 15)"));
    }

    /// An empty warehouse gives a report naming the missing table of each part.
    #[test]
    fn an_empty_warehouse_gives_a_report_that_says_what_is_missing() {
        let conn = Connection::open_in_memory().unwrap();
        let report = Report::gather(&conn, 5).unwrap();
        assert_eq!(report.drawn(), 0);
        let html = report.to_html();
        assert!(html.contains("Not drawn: no `tracks` table"), "{html}");
        assert!(html.contains("Not drawn: no `cluster_elbow` table"), "{html}");
    }
}
