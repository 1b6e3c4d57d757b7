//! Inline SVG charts drawn by hand: horizontal bars, heatmaps, line charts with a marked x,
//! and a scatter plot with a legend. Every function returns one `<svg>` element as a string;
//! every piece of text that reaches the output goes through [`esc`].

use std::fmt::Write;

/// Escapes text for HTML and SVG (element content and attribute values alike).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The opening `<svg>` tag of a drawing `width` × `height` pixels.
fn svg_open(width: impl std::fmt::Display, height: impl std::fmt::Display) -> String {
    format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#)
}

/// A number with thousands separators (`4 108`), as the run log prints them.
pub fn thousands(n: u64) -> String {
    crate::fmt::group_digits(n, '\u{202f}')
}

/// A short human form of a float: 3 significant digits, no exponent for usual magnitudes.
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// An axis tick label: integers without decimals, others without trailing zeros (`0.25`, `-1`).
pub fn tick(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let s = short(v);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Ten distinguishable colours (Tableau 10), then ten more.
const PALETTE: [&str; 20] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    "#1f3b73", "#a0522d", "#7a1f3d", "#2e7d6f", "#3a5f0b", "#b8860b", "#5e3c99", "#c71585", "#4b3621", "#5a5a5a",
];

/// The colour of category `i` (clusters), cycling after twenty.
pub fn category_color(i: i64) -> &'static str {
    PALETTE[i.rem_euclid(PALETTE.len() as i64) as usize]
}

fn lerp_rgb(a: (f64, f64, f64), b: (f64, f64, f64), t: f64) -> (f64, f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, a.2 + (b.2 - a.2) * t)
}

fn hex(c: (f64, f64, f64)) -> String {
    let f = |x: f64| x.round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", f(c.0), f(c.1), f(c.2))
}

/// A diverging colour for `t` in [-1, 1]: blue (−1), white (0), red (+1).
pub fn diverging(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let white = (247.0, 247.0, 247.0);
    if t < 0.0 { hex(lerp_rgb(white, (33.0, 102.0, 172.0), -t)) } else { hex(lerp_rgb(white, (178.0, 24.0, 43.0), t)) }
}

/// Text colour readable on [`diverging`]`(t)`.
pub fn ink_on(t: f64) -> &'static str {
    if t.abs() > 0.6 { "#fff" } else { "#222" }
}

/// One horizontal bar.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub color: String,
    /// Text after the bar (defaults to the value).
    pub note: Option<String>,
}

/// Horizontal bars, one per item, labels on the left, values after the bars.
pub fn hbars(bars: &[Bar], width: f64) -> String {
    let label_w = 260.0;
    let note_w = 170.0;
    let row_h = 26.0;
    let height = row_h * bars.len() as f64 + 10.0;
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max).max(1e-12);
    let plot_w = (width - label_w - note_w).max(50.0);
    let mut s = svg_open(width, height);
    for (i, b) in bars.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let w = (b.value / max * plot_w).max(if b.value > 0.0 { 1.0 } else { 0.0 });
        let note = b.note.clone().unwrap_or_else(|| short(b.value));
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="lbl">{label}</text><rect x="{label_w}" y="{ry}" width="{w:.1}" height="{bh}" fill="{color}"/><text x="{nx:.1}" y="{ty}" class="val">{note}</text>"#,
            lx = label_w - 8.0,
            ty = y + row_h * 0.62,
            label = esc(&b.label),
            ry = y + 3.0,
            bh = row_h - 6.0,
            color = esc(&b.color),
            nx = label_w + w + 6.0,
            note = esc(&note),
        );
    }
    s.push_str("</svg>");
    s
}

/// A heatmap: `values[r][c]` coloured by `color(r, c)`, annotated by `text(r, c)`.
pub struct Heatmap<'a> {
    pub rows: &'a [String],
    pub cols: &'a [String],
    pub cell: f64,
    pub color: &'a dyn Fn(usize, usize) -> String,
    pub ink: &'a dyn Fn(usize, usize) -> &'static str,
    pub text: &'a dyn Fn(usize, usize) -> String,
    pub row_label_w: f64,
}

pub fn heatmap(h: &Heatmap<'_>) -> String {
    let col_label_h = 120.0;
    // Room on the right for the last column's label, drawn rotated up and to the right.
    let width = h.row_label_w + h.cell * h.cols.len() as f64 + 90.0;
    let height = col_label_h + h.cell * h.rows.len() as f64 + 10.0;
    let mut s = svg_open(width, height);
    for (c, name) in h.cols.iter().enumerate() {
        let x = h.row_label_w + (c as f64 + 0.5) * h.cell;
        let y = col_label_h - 6.0;
        let _ = write!(s, r#"<text x="{x:.1}" y="{y}" transform="rotate(-45 {x:.1} {y})" class="lbl">{}</text>"#, esc(name));
    }
    for (r, name) in h.rows.iter().enumerate() {
        let y = col_label_h + r as f64 * h.cell;
        let _ = write!(s, r#"<text x="{x}" y="{ty:.1}" text-anchor="end" class="lbl">{}</text>"#, esc(name), x = h.row_label_w - 6.0, ty = y + h.cell * 0.6);
        for c in 0..h.cols.len() {
            let x = h.row_label_w + c as f64 * h.cell;
            let _ = write!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{w}" height="{w}" fill="{fill}" stroke="#fff"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" class="cell" fill="{ink}">{t}</text>"##,
                w = h.cell,
                fill = esc(&(h.color)(r, c)),
                tx = x + h.cell / 2.0,
                ty = y + h.cell * 0.58,
                ink = (h.ink)(r, c),
                t = esc(&(h.text)(r, c)),
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Axis ticks: about `n` round values covering [lo, hi].
pub fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(raw);
    let mut v = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while v <= hi + step * 1e-9 {
        out.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    out
}

/// A line chart of `ys` against integer `xs`, with points, axes, and `mark` (an x) drawn as a
/// dashed vertical line labelled `mark_label`.
pub fn line_chart(xs: &[f64], ys: &[f64], width: f64, height: f64, y_label: &str, color: &str, mark: Option<f64>, mark_label: &str) -> String {
    let (ml, mr, mt, mb) = (70.0, 20.0, 20.0, 45.0);
    let pw = width - ml - mr;
    let ph = height - mt - mb;
    let finite = |v: &&f64| v.is_finite();
    let xmin = xs.iter().filter(finite).cloned().fold(f64::INFINITY, f64::min);
    let xmax = xs.iter().filter(finite).cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut ymin = ys.iter().filter(finite).cloned().fold(f64::INFINITY, f64::min);
    let mut ymax = ys.iter().filter(finite).cloned().fold(f64::NEG_INFINITY, f64::max);
    if !(ymin.is_finite() && ymax.is_finite()) {
        ymin = 0.0;
        ymax = 1.0;
    }
    let pad = ((ymax - ymin) * 0.08).max(1e-9);
    ymin -= pad;
    ymax += pad;
    let (xmin, xmax) = if xmax > xmin { (xmin - 0.5, xmax + 0.5) } else { (xmin - 1.0, xmin + 1.0) };
    let sx = |x: f64| ml + (x - xmin) / (xmax - xmin) * pw;
    let sy = |y: f64| mt + (1.0 - (y - ymin) / (ymax - ymin)) * ph;
    let mut s = svg_open(width, height);
    let _ = write!(s, r##"<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>"##);
    for t in ticks(ymin, ymax, 5) {
        let y = sy(t);
        let _ = write!(s, r##"<line x1="{ml}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#e4e4e4"/><text x="{tx}" y="{ty:.1}" text-anchor="end" class="tick">{}</text>"##, esc(&tick(t)), x2 = ml + pw, tx = ml - 6.0, ty = y + 4.0);
    }
    // Every k labelled while they fit (about 28 px each), else every second or third.
    let n = xs.iter().filter(|v| v.is_finite()).count().max(1);
    let every = ((n as f64 * 28.0) / pw).ceil().max(1.0) as usize;
    for (i, &x) in xs.iter().filter(|v| v.is_finite()).enumerate() {
        if i % every == 0 || Some(x) == mark {
            let _ = write!(s, r#"<text x="{:.1}" y="{}" text-anchor="middle" class="tick">{}</text>"#, sx(x), mt + ph + 16.0, esc(&tick(x)));
        }
    }
    let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="middle" class="lbl">k (number of clusters)</text>"#, ml + pw / 2.0, height - 6.0);
    let _ = write!(s, r#"<text x="14" y="{y}" transform="rotate(-90 14 {y})" text-anchor="middle" class="lbl">{}</text>"#, esc(y_label), y = mt + ph / 2.0);
    if let Some(m) = mark {
        let x = sx(m);
        let _ = write!(s, r##"<line x1="{x:.1}" x2="{x:.1}" y1="{mt}" y2="{y2}" stroke="#c00" stroke-dasharray="5,4" stroke-width="1.5"/><text x="{tx:.1}" y="{ty}" class="mark">{}</text>"##, esc(mark_label), y2 = mt + ph, tx = x + 5.0, ty = mt + 14.0);
    }
    let pts: Vec<(f64, f64)> = xs.iter().zip(ys).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(&x, &y)| (sx(x), sy(y))).collect();
    if pts.len() > 1 {
        let d: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(s, r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#, d.join(" "), esc(color));
    }
    for (x, y) in &pts {
        let _ = write!(s, r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{}"/>"#, esc(color));
    }
    s.push_str("</svg>");
    s
}

/// One point of a scatter plot: its hover text (an SVG `<title>`) and the page it links to.
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub group: i64,
    pub title: Option<String>,
    pub href: Option<String>,
}

/// The Spotify page of a track.
pub fn spotify_track_url(id: &str) -> String {
    format!("https://open.spotify.com/track/{id}")
}

/// A scatter plot coloured by group, with a legend of `(group, label)` on the right.
pub fn scatter(points: &[Point], legend: &[(i64, String)], width: f64, height: f64, x_label: &str, y_label: &str) -> String {
    let legend_w = 300.0;
    let (ml, mr, mt, mb) = (60.0, 20.0 + legend_w, 15.0, 45.0);
    let pw = width - ml - mr;
    let ph = height - mt - mb;
    let fin = points.iter().filter(|p| p.x.is_finite() && p.y.is_finite());
    let (mut xmin, mut xmax, mut ymin, mut ymax) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in fin {
        xmin = xmin.min(p.x);
        xmax = xmax.max(p.x);
        ymin = ymin.min(p.y);
        ymax = ymax.max(p.y);
    }
    if !(xmin.is_finite() && xmax > xmin) {
        xmin = -1.0;
        xmax = 1.0;
    }
    if !(ymin.is_finite() && ymax > ymin) {
        ymin = -1.0;
        ymax = 1.0;
    }
    let (px, py) = ((xmax - xmin) * 0.04, (ymax - ymin) * 0.04);
    let (xmin, xmax, ymin, ymax) = (xmin - px, xmax + px, ymin - py, ymax + py);
    let sx = |x: f64| ml + (x - xmin) / (xmax - xmin) * pw;
    let sy = |y: f64| mt + (1.0 - (y - ymin) / (ymax - ymin)) * ph;
    let mut s = svg_open(width, height);
    let _ = write!(s, r##"<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>"##);
    for t in ticks(xmin, xmax, 8) {
        let x = sx(t);
        let _ = write!(s, r##"<line x1="{x:.1}" x2="{x:.1}" y1="{mt}" y2="{y2}" stroke="#e8e8e8"/><text x="{x:.1}" y="{ty}" text-anchor="middle" class="tick">{}</text>"##, esc(&tick(t)), y2 = mt + ph, ty = mt + ph + 16.0);
    }
    for t in ticks(ymin, ymax, 6) {
        let y = sy(t);
        let _ = write!(s, r##"<line x1="{ml}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#e8e8e8"/><text x="{tx}" y="{ty:.1}" text-anchor="end" class="tick">{}</text>"##, esc(&tick(t)), x2 = ml + pw, tx = ml - 6.0, ty = y + 4.0);
    }
    let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="middle" class="lbl">{}</text>"#, ml + pw / 2.0, height - 8.0, esc(x_label));
    let _ = write!(s, r#"<text x="14" y="{y}" transform="rotate(-90 14 {y})" text-anchor="middle" class="lbl">{}</text>"#, esc(y_label), y = mt + ph / 2.0);
    for p in points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()) {
        let title = p.title.as_deref().map(|t| format!("<title>{}</title>", esc(t))).unwrap_or_default();
        let circle = format!(r#"<circle cx="{:.1}" cy="{:.1}" r="2.6" fill="{}" fill-opacity="0.7">{title}</circle>"#, sx(p.x), sy(p.y), category_color(p.group));
        match &p.href {
            Some(href) => {
                let _ = write!(s, r#"<a href="{}" target="_blank">{circle}</a>"#, esc(href));
            }
            None => s.push_str(&circle),
        }
    }
    let lx = width - legend_w + 10.0;
    for (i, (g, label)) in legend.iter().enumerate() {
        let y = mt + 10.0 + i as f64 * 22.0;
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{y}" width="14" height="14" fill="{}"/><text x="{tx}" y="{ty}" class="lbl">{}</text>"#,
            category_color(*g),
            esc(label),
            tx = lx + 20.0,
            ty = y + 11.5
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SVG/HTML text escapes `<`, `>`, `&` and both quotes, and leaves other characters alone.
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc(r#"<b>"Rock" & 'Roll'</b>"#), "&lt;b&gt;&quot;Rock&quot; &amp; &#39;Roll&#39;&lt;/b&gt;");
        assert_eq!(esc("Sigur Rós — ( )"), "Sigur Rós — ( )");
    }

    /// Axis ticks are round numbers inside the range (0, 0.2, …, 1 for 0..1).
    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let t = ticks(0.0, 1.0, 5);
        assert_eq!(t.len(), 6, "{t:?}");
        assert!((t[1] - 0.2).abs() < 1e-12 && (t[5] - 1.0).abs() < 1e-12, "{t:?}");
        let t = ticks(-3.7, 12.2, 5);
        assert!(t.first().unwrap() >= &-3.7 && t.last().unwrap() <= &12.2 && t.len() >= 3, "{t:?}");
    }

    /// Tick labels carry no trailing zeros.
    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(-1.0), "-1");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(12500.0), "12500");
        assert_eq!(tick(0.5), "0.5");
    }

    /// The correlation scale maps −1, 0, 1 to blue, white, red, and NaN to white.
    #[test]
    fn diverging_runs_blue_white_red() {
        assert_eq!(diverging(-1.0), "#2166ac");
        assert_eq!(diverging(0.0), "#f7f7f7");
        assert_eq!(diverging(1.0), "#b2182b");
        assert_eq!(diverging(f64::NAN), "#f7f7f7");
    }

    /// Bar labels are escaped.
    #[test]
    fn bars_escape_labels() {
        let svg = hbars(&[Bar { label: "a<b".into(), value: 2.0, color: "#000".into(), note: None }], 800.0);
        assert!(svg.contains("a&lt;b") && !svg.contains("a<b"), "{svg}");
    }

    /// The report groups digits by three with a narrow no-break space.
    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(4108), "4\u{202f}108");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1\u{202f}234\u{202f}567");
    }
}
