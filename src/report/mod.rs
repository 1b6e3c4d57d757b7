//! The HTML report: one self-contained file (inline CSS and SVG, no script, no network) that
//! shows what a build produced.
//!
//! [`Report::gather`] reads the warehouse into one [`Section`] per plot — the matching funnel,
//! the feature correlation heatmap, the elbow, the centroid heatmap, the PCA scatter, cluster
//! sizes and sample tracks per cluster. A section whose input tables are missing holds a
//! [`Section::Missing`] line saying which, so a partial warehouse still gives a report.
//! [`Report::to_html`] ([`html`]) renders it with the charts of [`svg`]; [`gather`] reads the
//! warehouse; [`sections`] holds one file per drawing. The command `selecta report` ends in
//! [`write_report`]; the build step [`report_step`] writes the file's staged copy
//! ([`write_file`]), which the runner publishes once the build has succeeded. [`ReportConfig`]
//! is `[report]`.

mod config;
mod error;
mod gather;
mod html;
mod sections;
pub mod svg;

use duckdb::Connection;

pub use config::ReportConfig;
pub use error::ReportError;
pub use html::{write_file, write_report};
pub use sections::FEATURES;
pub use sections::correlations::pearson;
use svg::thousands;

use crate::step::{StepContext, StepOutput};

/// The build step: writes the report of the warehouse being built to `[report] out`.
/// `absent`: the tables the report reads that this build does not make (not looked up).
/// Status WARN (not failure) when some parts had no input.
pub fn report_step(ctx: &StepContext<'_>, config: &ReportConfig, absent: &[&str]) -> Result<StepOutput, ReportError> {
    let out = &config.out;
    let report = Report::gather_knowing(ctx.conn, config.sample_tracks, absent)?;
    // Published (renamed to `out`) by the runner once the build has succeeded.
    write_file(&report, &crate::step::staged_path(out))?;
    let drawn = report.drawn() as u64;
    let missing: Vec<String> = report.missing().map(|(t, _)| t.to_string()).collect();
    Ok(if missing.is_empty() {
        StepOutput::ok(drawn).with_note(format!("→ {}", out.display()))
    } else {
        StepOutput::warn(drawn, format!("→ {}; no input for: {}", out.display(), missing.join(", ")))
    })
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

impl Report {
    /// Reads everything the report shows from `conn` (a warehouse).
    pub fn gather(conn: &Connection, samples: usize) -> Result<Report, ReportError> {
        Report::gather_knowing(conn, samples, &[])
    }

    /// [`Report::gather`], knowing that the tables of `absent` are not there.
    pub fn gather_knowing(conn: &Connection, samples: usize, absent: &[&str]) -> Result<Report, ReportError> {
        let known = gather::Known::new(conn, absent)?;
        let db = gather::Db::new(conn, &known);
        let mut summary = Vec::new();
        for (label, table) in [("tracks", "tracks"), ("Spotify IDs", "tracks_features"), ("clustered tracks", "track_clusters")] {
            if let Some(n) = db.count(table)? {
                summary.push((label.to_string(), thousands(n)));
            }
        }
        if let Some(k) = db.count("clusters")? {
            summary.push(("clusters".into(), k.to_string()));
        }
        type Draw = fn(&gather::Db<'_>, usize) -> Result<Section, ReportError>;
        let parts: [(&'static str, Draw); 7] = [
            ("Matching funnel", |db, _| sections::funnel::funnel(db)),
            ("Audio feature correlations", |db, _| sections::correlations::correlations(db)),
            ("Choosing k: elbow and silhouette", |db, _| sections::elbow::elbow(db)),
            ("Cluster centroids", |db, _| sections::centroids::centroids(db)),
            ("Tracks on the first two principal components", |db, _| sections::pca::pca(db)),
            ("Cluster sizes", |db, _| sections::sizes::sizes(db)),
            ("Sample tracks per cluster", sections::samples::sample_tracks),
        ];
        // The sections are drawn on all cores, each thread with its own connection.
        let threads = crate::parallel::threads(0, parts.len());
        let conns = (0..threads).map(|_| crate::db::clone_session(conn)).collect::<Result<Vec<_>, _>>().map_err(ReportError::from)?;
        let drawn = crate::parallel::map_owned(parts.len(), conns, |conn, j| (parts[j].1)(&gather::Db::new(conn, &known), samples));
        let sections = parts.iter().zip(drawn).map(|((title, _), s)| s.map(|s| (*title, s))).collect::<Result<Vec<_>, _>>()?;
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

    /// A table the caller names absent is taken as missing without a lookup (a build passes the
    /// tables its plan does not make): here `cluster_elbow` is there but not read.
    #[test]
    fn tables_known_absent_are_not_looked_up() {
        let conn = Connection::open_in_memory().unwrap();
        crate::fakes::warehouse::fill_demo(&conn).unwrap();
        let report = Report::gather_knowing(&conn, 8, &["Cluster_Elbow"]).unwrap();
        let missing: Vec<_> = report.missing().collect();
        assert_eq!(missing, [("Choosing k: elbow and silhouette", "no `cluster_elbow` table (clustering not run)")]);
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
