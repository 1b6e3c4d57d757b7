//! The report as one HTML document (inline CSS and SVG, no script, no network), written through
//! a side file renamed into place.

use std::fmt::Write as _;
use std::path::Path;

use super::svg::esc;
use super::{Report, ReportError, Section};

impl Report {
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

/// Writes the report's HTML to `out` (through its staged copy, [`crate::step::staged_path`],
/// renamed into place).
pub fn write_report(report: &Report, out: &Path) -> Result<(), ReportError> {
    let staged = crate::step::staged_path(out);
    write_file(report, &staged)?;
    std::fs::rename(&staged, out).map_err(|source| ReportError::Write { path: out.to_path_buf(), source })
}

/// The report's HTML written at `path` (its folder created), as it is.
pub fn write_file(report: &Report, path: &Path) -> Result<(), ReportError> {
    crate::db::create_parent(path)?;
    std::fs::write(path, report.to_html()).map_err(|source| ReportError::Write { path: path.to_path_buf(), source })
}

