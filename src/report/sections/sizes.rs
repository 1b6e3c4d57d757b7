//! The size of each cluster.

use std::fmt::Write as _;

use super::super::gather::{Db, label_of};
use super::super::svg::{self, Bar, esc, thousands};
use super::super::{ReportError, Section};
use super::{WIDTH, truncate};

pub(in crate::report) fn sizes(db: &Db<'_>) -> Result<Section, ReportError> {
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

