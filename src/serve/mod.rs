//! `selecta serve`: a local web app over the built warehouse, to listen to the clusters and fix
//! what the job decided.
//!
//! Pages ([`pages`], templates in `templates/serve/`): the overview (the report's content, read
//! live), the clusters with their playlists, Spotify links and an embedded player, renamed in
//! place ([`clusters`]); the review queue of doubtful matches with their candidates ([`review`]);
//! search over tracks ([`search`]); and the rebuild, which runs `selecta build` as a child and
//! streams its lines ([`rebuild`]).
//!
//! Decisions go to the files the build reads, `[match] overrides` and `[cluster] names`
//! ([`decisions`]): the only files written. The warehouse is opened read-only and reopened when
//! a build swaps a new one in ([`warehouse`]). Safe by default ([`guard`]): bound to 127.0.0.1
//! only, a Host that is not a loopback name is refused (DNS rebinding), every POST carries a
//! CSRF token, and no path or SQL is taken from a request.

pub mod clusters;
pub mod decisions;
mod error;
pub mod guard;
mod pages;
pub mod rebuild;
pub mod review;
pub mod search;
pub mod warehouse;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use error::ServeError;

use crate::config::Config;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The port on 127.0.0.1 (0: any free one). Default 8765.
    pub port: u16,
    /// The selecta binary the Rebuild action runs.
    pub exe: PathBuf,
}

/// Default port of `selecta serve`.
pub const DEFAULT_PORT: u16 = 8765;

/// What the handlers share.
pub struct App {
    warehouse: warehouse::Warehouse,
    decisions: decisions::DecisionFiles,
    rebuild: rebuild::Rebuild,
    csrf: String,
    samples: usize,
    /// One message for the next page shown (after a redirect).
    flash: Mutex<Option<(String, &'static str)>>,
}

impl App {
    fn set_flash(&self, message: String, kind: &'static str) {
        *self.flash.lock().unwrap_or_else(|p| p.into_inner()) = Some((message, kind));
    }

    fn take_flash(&self) -> (String, &'static str) {
        self.flash.lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_default()
    }

    /// A note when a decision file changed after the warehouse was built.
    fn pending_note(&self) -> String {
        let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let Some(built) = modified(self.warehouse.path()) else { return String::new() };
        let newer: Vec<String> = [&self.decisions.overrides, &self.decisions.names]
            .into_iter()
            .flatten()
            .filter(|p| modified(p).is_some_and(|m| m > built))
            .map(|p| p.display().to_string())
            .collect();
        if newer.is_empty() { String::new() } else { format!("Decisions saved since this warehouse was built ({}): rebuild to apply them.", newer.join(", ")) }
    }
}

/// The server, bound and ready: [`Bound::url`] to show, [`Bound::serve`] to run.
pub struct Bound {
    listener: TcpListener,
    app: Arc<App>,
    /// The decision files created at start because they were absent.
    pub created: Vec<PathBuf>,
}

/// Binds 127.0.0.1:`port` and prepares the app over `config`'s warehouse and decision files.
pub fn bind(config: &Config, opts: &ServeOptions) -> Result<Bound, ServeError> {
    let decisions = decisions::DecisionFiles::new(config.matching.as_ref().and_then(|m| m.overrides.clone()), config.cluster.names.clone());
    let created = decisions.ensure_files().map_err(|e| ServeError::Decision { path: config.path.clone(), message: e.to_string() })?;
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, opts.port))).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse { ServeError::PortTaken { port: opts.port } } else { ServeError::Bind { port: opts.port, source } }
    })?;
    listener.set_nonblocking(true)?;
    let app = App {
        warehouse: warehouse::Warehouse::new(config.warehouse.clone()),
        decisions,
        rebuild: rebuild::Rebuild::new(opts.exe.clone(), config.path.clone()),
        csrf: guard::new_token(),
        samples: config.report.sample_tracks,
        flash: Mutex::new(None),
    };
    Ok(Bound { listener, app: Arc::new(app), created })
}

impl Bound {
    pub fn addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr())
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), ServeError> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        axum::serve(listener, router(self.app)).with_graceful_shutdown(shutdown).await?;
        Ok(())
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(pages::overview))
        .route("/clusters", get(pages::clusters_page))
        .route("/clusters/rename", post(pages::rename))
        .route("/review", get(pages::review_page))
        .route("/review/decide", post(pages::decide))
        .route("/search", get(pages::search_page))
        .route("/rebuild", get(pages::rebuild_page).post(pages::rebuild_start))
        .route("/rebuild/status", get(pages::rebuild_status))
        .route("/assets/app.css", get(pages::css))
        .route("/assets/app.js", get(pages::js))
        .fallback(pages::not_found)
        .with_state(app)
        .layer(middleware::from_fn(guarded))
}

/// Refuses foreign Hosts before any handler runs, and sets the pages' security headers: only
/// our own scripts and styles, Spotify's player as the one frame, never framed ourselves.
async fn guarded(req: Request, next: Next) -> Response {
    if let Some(refusal) = guard::refuse(req.method(), req.headers()) {
        return refusal.into_response();
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src https://open.spotify.com; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}
