//! The pages and the actions, one handler each, rendered with the Jinja templates of
//! `templates/serve/` (minijinja, embedded in the binary; HTML-escaped since their names end
//! in `.html`; only the report's own drawings are inserted as they are).

use std::sync::Arc;

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::App;
use super::clusters::{self, ClusterView};
use super::decisions::{DecisionError, DecisionFiles};
use super::rebuild::Status;
use super::review::{self, Filter};
use super::search;
use super::warehouse::tables;
use crate::db::DbError;
use crate::report::{Report, Section};

/// What every page shows around its content.
#[derive(Serialize)]
pub struct Layout {
    pub title: &'static str,
    pub page: &'static str,
    pub csrf: String,
    pub flash: String,
    pub flash_kind: &'static str,
    pub warehouse: String,
    pub built: String,
}

impl App {
    fn layout(&self, title: &'static str, page: &'static str) -> Layout {
        let (flash, flash_kind) = self.take_flash();
        let built = match std::fs::metadata(self.warehouse.path()).and_then(|m| m.modified()) {
            Ok(t) => format!("warehouse built {}", clock_utc(t)),
            Err(_) => "no warehouse yet".into(),
        };
        Layout { title, page, csrf: self.csrf.clone(), flash, flash_kind, warehouse: self.warehouse.path().display().to_string(), built }
    }
}

/// `HH:MM:SS UTC` of a file time (the day is rarely in doubt on a page one is looking at).
fn clock_utc(t: std::time::SystemTime) -> String {
    let s = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) % 86_400;
    format!("{:02}:{:02}:{:02} UTC", s / 3600, s / 60 % 60, s % 60)
}

/// A page that could not be produced, with its status.
pub struct Failure {
    status: StatusCode,
    heading: &'static str,
    message: String,
    back: String,
}

impl Failure {
    fn new(status: StatusCode, heading: &'static str, message: impl Into<String>, back: &str) -> Failure {
        Failure { status, heading, message: message.into(), back: back.to_string() }
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Failure {
        let status = if matches!(e, DbError::Missing { .. }) { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::INTERNAL_SERVER_ERROR };
        Failure::new(status, "The warehouse cannot be read", e.to_string(), "/rebuild")
    }
}

impl From<DecisionError> for Failure {
    fn from(e: DecisionError) -> Failure {
        let status = match e {
            DecisionError::Conflict { .. } => StatusCode::CONFLICT,
            DecisionError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            DecisionError::NotConfigured { .. } | DecisionError::Invalid { .. } => StatusCode::BAD_REQUEST,
        };
        Failure::new(status, "Nothing was saved", e.to_string(), "/")
    }
}

/// The templates, parsed once.
fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, text) in [
            ("base.html", include_str!("../../templates/serve/base.html")),
            ("overview.html", include_str!("../../templates/serve/overview.html")),
            ("clusters.html", include_str!("../../templates/serve/clusters.html")),
            ("review.html", include_str!("../../templates/serve/review.html")),
            ("search.html", include_str!("../../templates/serve/search.html")),
            ("rebuild.html", include_str!("../../templates/serve/rebuild.html")),
            ("message.html", include_str!("../../templates/serve/message.html")),
        ] {
            env.add_template(name, text).expect("the templates of templates/serve/ parse (test: every_template_renders)");
        }
        env
    })
}

/// Renders template `name` with `ctx`, or a plain 500 naming the template error.
fn render(name: &str, ctx: impl Serialize) -> Response {
    match templates().get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("rendering the page {name}: {e:#}\n")).into_response(),
    }
}

type Page = Result<Response, (Arc<App>, Failure)>;

/// Turns a handler's failure into its page.
pub fn finish(r: Page) -> Response {
    match r {
        Ok(r) => r,
        Err((app, f)) => {
            let mut resp = render("message.html", minijinja::context! { l => app.layout("Error", "error"), heading => f.heading, message => f.message, back => f.back });
            *resp.status_mut() = f.status;
            resp
        }
    }
}

/// Runs warehouse reads off the async threads.
async fn read<T: Send + 'static>(app: &Arc<App>, f: impl FnOnce(&App) -> Result<T, Failure> + Send + 'static) -> Result<T, (Arc<App>, Failure)> {
    let a = Arc::clone(app);
    match tokio::task::spawn_blocking(move || f(&a)).await {
        Ok(r) => r.map_err(|e| (Arc::clone(app), e)),
        Err(e) => Err((Arc::clone(app), Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", e.to_string(), "/"))),
    }
}

fn csrf_ok(app: &App, token: &str) -> Result<(), Response> {
    if super::guard::same_token(token, &app.csrf) {
        Ok(())
    } else {
        Err((StatusCode::FORBIDDEN, "refused: this form has no valid CSRF token (reload the page it came from)\n").into_response())
    }
}

// ---------------------------------------------------------------- overview

/// One report section, as HTML.
#[derive(Serialize)]
pub struct SectionView {
    pub title: &'static str,
    pub html: String,
}

pub async fn overview(State(app): State<Arc<App>>) -> Response {
    finish(
        async {
            let (report, pending) = read(&app, |a| {
                let report = a.warehouse.with(|conn| Report::gather(conn, a.samples).map_err(|e| DbError::Io { path: a.warehouse.path().to_path_buf(), source: std::io::Error::other(e.to_string()) }))?;
                Ok((report, a.pending_note()))
            })
            .await?;
            let sections: Vec<SectionView> = report
                .sections
                .into_iter()
                .map(|(title, s)| SectionView {
                    title,
                    html: match s {
                        Section::Drawn(h) => h,
                        Section::Missing(why) => format!("<p class=\"missing\">Not drawn: {}</p>", crate::report::svg::esc(&why)),
                    },
                })
                .collect();
            Ok(render("overview.html", minijinja::context! { l => app.layout("Overview", "overview"), summary => report.summary, sections, pending }))
        }
        .await,
    )
}

// ---------------------------------------------------------------- clusters

/// A cluster with what its names-file entry says now (sent back as `was`).
#[derive(Serialize)]
pub struct ClusterRow {
    pub cluster: i64,
    pub name: String,
    pub computed: String,
    pub size: i64,
    pub description: String,
    pub file_name: String,
    pub tracks: Vec<clusters::TrackRow>,
}

/// The clusters page's data.
fn cluster_rows(a: &App) -> Result<(Option<Vec<ClusterRow>>, Result<(), String>), Failure> {
    let list: Option<Vec<ClusterView>> = a.warehouse.with(|conn| clusters::clusters(conn, &tables(conn)?))?;
    let (entries, names_ok) = match (&a.decisions.names, a.decisions.names()) {
        (None, _) => (Default::default(), Err("set `[cluster] names` in the configuration to the TOML file names should go to.".to_string())),
        (Some(_), Ok(e)) => (e, Ok(())),
        (Some(_), Err(e)) => (Default::default(), Err(e.to_string())),
    };
    let rows = list.map(|l| {
        l.into_iter()
            .map(|c| ClusterRow {
                file_name: DecisionFiles::name_of(&entries, c.cluster, &c.computed),
                cluster: c.cluster,
                name: c.name,
                computed: c.computed,
                size: c.size,
                description: c.description,
                tracks: c.tracks,
            })
            .collect()
    });
    Ok((rows, names_ok))
}

pub async fn clusters_page(State(app): State<Arc<App>>) -> Response {
    finish(
        async {
            let (rows, names) = read(&app, cluster_rows).await?;
            let total = rows.as_ref().map_or(0, |r| r.iter().map(|c| c.tracks.len()).sum());
            let (names_ok, names_note) = (names.is_ok(), names.err().unwrap_or_default());
            Ok(render("clusters.html", minijinja::context! { l => app.layout("Clusters", "clusters"), clusters => rows, total, names_ok, names_note }))
        }
        .await,
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    csrf: String,
    cluster: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    was: String,
}

pub async fn rename(State(app): State<Arc<App>>, Form(form): Form<RenameForm>) -> Response {
    if let Err(r) = csrf_ok(&app, &form.csrf) {
        return r;
    }
    finish(
        async {
            let cluster = form.cluster;
            let saved = read(&app, move |a| {
                let list = a.warehouse.with(|conn| clusters::clusters(conn, &tables(conn)?))?.unwrap_or_default();
                let Some(me) = list.iter().find(|c| c.cluster == cluster) else {
                    return Err(Failure::new(StatusCode::NOT_FOUND, "No such cluster", format!("the warehouse has no cluster {cluster}"), "/clusters"));
                };
                let entries = a.decisions.names().map_err(Failure::from)?;
                let others: Vec<String> = list
                    .iter()
                    .filter(|c| c.cluster != cluster)
                    .map(|c| Some(DecisionFiles::name_of(&entries, c.cluster, &c.computed)).filter(|n| !n.is_empty()).unwrap_or_else(|| c.computed.clone()))
                    .collect();
                a.decisions.set_name(cluster, &me.computed, &form.name, &form.was, &others).map_err(|e| {
                    let mut f = Failure::from(e);
                    f.back = format!("/clusters#c{cluster}");
                    f
                })?;
                Ok(if form.name.trim().is_empty() { format!("Cluster {cluster} gets its computed name “{}” back", me.computed) } else { format!("Cluster {cluster} is named “{}”", form.name.trim()) })
            })
            .await?;
            app.set_flash(format!("{saved} in the names file: rebuild to apply."), "ok");
            Ok(Redirect::to(&format!("/clusters#c{cluster}")).into_response())
        }
        .await,
    )
}

// ---------------------------------------------------------------- review

pub async fn review_page(State(app): State<Arc<App>>, Query(filter): Query<Filter>) -> Response {
    finish(
        async {
            let f = filter.clone();
            let (queue, note) = read(&app, move |a| {
                let (decided, note) = match (&a.decisions.overrides, a.decisions.overrides()) {
                    (None, _) => (Default::default(), Err("set `[match] overrides` in the configuration to the CSV file decisions should go to.".to_string())),
                    (Some(_), Ok(d)) => (d, Ok(())),
                    (Some(_), Err(e)) => (Default::default(), Err(e.to_string())),
                };
                let q = a.warehouse.with(|conn| review::queue(conn, &tables(conn)?, &f, &decided))?;
                Ok((q, note))
            })
            .await?;
            let qualities: Vec<(String, String, bool)> = review::QUALITIES.iter().map(|q| (q.to_string(), q.to_string(), filter.quality == *q)).collect();
            let releases = queue.as_ref().map_or_else(Vec::new, |q| q.releases.iter().map(|(id, album)| (id.clone(), format!("{album} ({id})"), filter.release == *id)).collect());
            let back = format!("/review?{}", filter_query(&filter));
            let (overrides_ok, overrides_note) = (note.is_ok(), note.err().unwrap_or_default());
            Ok(render("review.html", minijinja::context! { l => app.layout("Review", "review"), queue, qualities, releases, filter, back, overrides_ok, overrides_note }))
        }
        .await,
    )
}

/// `quality=…&release=…&artist=…`, percent-encoded.
fn filter_query(f: &Filter) -> String {
    [("quality", &f.quality), ("release", &f.release), ("artist", &f.artist)].iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
}

/// Percent-encodes everything but letters, digits and `-_.`.
fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[derive(Debug, serde::Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    csrf: String,
    track_id: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    pasted: String,
    #[serde(default)]
    was: String,
    #[serde(default)]
    back: String,
}

pub async fn decide(State(app): State<Arc<App>>, Form(form): Form<DecideForm>) -> Response {
    if let Err(r) = csrf_ok(&app, &form.csrf) {
        return r;
    }
    // Back to the queue as it was filtered: only our own page's address is followed.
    let back = if form.back.starts_with("/review?") && !form.back.contains("//") && !form.back.contains('\\') { form.back.clone() } else { "/review".into() };
    finish(
        async {
            let text = if form.choice == "pasted" { form.pasted.as_str() } else { form.choice.as_str() };
            let Some(value) = review::parse_choice(text) else {
                let msg = if text.trim().is_empty() { "choose a candidate, “none”, or paste a Spotify link".to_string() } else { format!("“{}” is not a Spotify track ID, URI (spotify:track:…) or URL (open.spotify.com/track/…)", text.trim()) };
                return Err((Arc::clone(&app), Failure::new(StatusCode::BAD_REQUEST, "Nothing was saved", msg, &back)));
            };
            let track = form.track_id.clone();
            let was = form.was.clone();
            let v = value.clone();
            let b = back.clone();
            read(&app, move |a| {
                if !a.warehouse.with(|conn| review::track_exists(conn, &track))? {
                    return Err(Failure::new(StatusCode::NOT_FOUND, "Nothing was saved", format!("the warehouse has no track {track}"), &b));
                }
                a.decisions.set_override(&track, &v, &was).map_err(|e| {
                    let mut f = Failure::from(e);
                    f.back = b.clone();
                    f
                })
            })
            .await?;
            app.set_flash(format!("Saved: track {} → {value} in the overrides file; rebuild to apply.", form.track_id), "ok");
            Ok(Redirect::to(&format!("{back}#t-{}", encode(&form.track_id))).into_response())
        }
        .await,
    )
}

// ---------------------------------------------------------------- search

#[derive(Debug, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search_page(State(app): State<Arc<App>>, Query(sq): Query<SearchQuery>) -> Response {
    finish(
        async {
            let q = sq.q.clone();
            let hits = read(&app, move |a| Ok(a.warehouse.with(|conn| search::search(conn, &tables(conn)?, &q))?)).await?;
            Ok(render("search.html", minijinja::context! { l => app.layout("Search", "search"), q => sq.q, hits, limit => search::LIMIT }))
        }
        .await,
    )
}

// ---------------------------------------------------------------- rebuild

fn outcome(s: &Status) -> (&'static str, &'static str) {
    if s.running {
        ("Rebuilding…", "running")
    } else if s.failed() {
        ("Rebuild failed: the previous warehouse is still served.", "failed")
    } else if s.exit == Some(0) {
        ("Rebuilt: the new warehouse is served.", "ok")
    } else {
        ("No rebuild since the server started.", "")
    }
}

pub async fn rebuild_page(State(app): State<Arc<App>>) -> Response {
    let status = app.rebuild.status();
    let failure = if status.failed() { status.failure_lines() } else { Vec::new() };
    let (outcome, outcome_class) = outcome(&status);
    render("rebuild.html", minijinja::context! { l => app.layout("Rebuild", "rebuild"), status, failure, outcome, outcome_class })
}

#[derive(Debug, serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

pub async fn rebuild_start(State(app): State<Arc<App>>, Form(form): Form<TokenForm>) -> Response {
    if let Err(r) = csrf_ok(&app, &form.csrf) {
        return r;
    }
    if !app.rebuild.start() {
        app.set_flash("A rebuild is already running.".into(), "error");
    }
    Redirect::to("/rebuild").into_response()
}

#[derive(Debug, serde::Deserialize)]
pub struct Since {
    #[serde(default)]
    from: usize,
}

/// The lines since `from`, for the page's polling: `{run, running, exit, lines, next, failure}`.
pub async fn rebuild_status(State(app): State<Arc<App>>, Query(since): Query<Since>) -> Response {
    let (s, next) = app.rebuild.since(since.from);
    let failure = if s.failed() { app.rebuild.status().failure_lines() } else { Vec::new() };
    let body = serde_json::json!({ "run": s.run, "running": s.running, "exit": s.exit, "lines": s.lines, "next": next, "failure": failure });
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

// ---------------------------------------------------------------- assets

pub async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("assets/app.css")).into_response()
}

pub async fn js() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("assets/app.js")).into_response()
}

pub async fn not_found(State(app): State<Arc<App>>) -> Response {
    finish(Err((Arc::clone(&app), Failure::new(StatusCode::NOT_FOUND, "Not found", "no such page", "/"))))
}
