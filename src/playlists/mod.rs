//! `selecta playlists spotify`: one Spotify playlist per cluster, kept in step with the
//! warehouse.
//!
//! [`load_clusters`] reads `cluster_playlists` (the ordered, de-duplicated tracks of each
//! cluster) into [`ClusterPlaylist`]s; [`plan`] compares them with the playlist IDs remembered in
//! `state.spotify_playlists` and yields one [`Change`] per cluster (create, or replace the
//! items of the known playlist). `--dry-run` prints the plan. Otherwise [`sync`] gets a user
//! token ([`auth::Tokens`]: cache, refresh, or Authorization Code with PKCE) and applies the
//! plan through [`api::Spotify`]: `POST /me/playlists` for a new playlist (its ID stored at
//! once), `PUT /playlists/{id}/items` with the first 100 URIs then `POST …/items` with the rest,
//! 100 per request. A rerun finds every ID in the state and creates nothing.

pub mod api;
pub mod auth;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use duckdb::Connection;
use serde::Deserialize;

use crate::config::Config;

/// Errors of the playlists command.
#[derive(Debug, thiserror::Error)]
pub enum PlaylistsError {
    #[error("no Spotify client ID: set `[spotify] client_id` or SPOTIFY_CLIENT_ID (the app's ID; PKCE needs no secret)")]
    NoClientId,
    #[error("the warehouse has no `cluster_playlists` table: run `selecta build` with clustering enabled first")]
    NoClusters,
    #[error("playlists: {context}: {source}")]
    Duck { context: String, source: duckdb::Error },
    #[error(transparent)]
    Warehouse(#[from] crate::warehouse::WarehouseError),
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    #[error("cannot listen on 127.0.0.1:{port} for the authorization redirect: {source}")]
    Listen { port: u16, source: std::io::Error },
    #[error("no authorization within {seconds} s (open the printed URL in a browser)")]
    AuthTimeout { seconds: u64 },
    #[error("authorization not granted: {reason}")]
    AuthDenied { reason: String },
    #[error("Spotify refused the token request (HTTP {status}): {reason}")]
    TokenRefused { status: u16, reason: String },
    #[error("token cache {path}: {source}")]
    TokenCache { path: PathBuf, source: std::io::Error },
    #[error("Spotify {method} {path}: HTTP {status}: {message}")]
    Api { method: &'static str, path: String, status: u16, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
}

fn duck(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> PlaylistsError {
    let context = context.into();
    move |source| PlaylistsError::Duck { context, source }
}

/// The `[spotify]` section (user-authorized calls: playlists).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotifyConfig {
    /// Accounts service base URL. Default: `https://accounts.spotify.com`.
    #[serde(default = "default_accounts_url")]
    pub accounts_url: String,
    /// Web API base URL. Default: `https://api.spotify.com/v1`.
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The app's client ID (public; PKCE needs no secret). Default: the `SPOTIFY_CLIENT_ID`
    /// environment variable. Register `http://127.0.0.1:PORT/callback` as its redirect URI.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Port of the loopback redirect `http://127.0.0.1:PORT/callback`; 0 picks a free one.
    /// Default: 8888.
    #[serde(default = "default_redirect_port")]
    pub redirect_port: u16,
    /// The token cache (mode 0600). Default: beside the state file, named after the warehouse
    /// with `.spotify-token.json`.
    #[serde(default)]
    pub token_cache: Option<PathBuf>,
    /// Prefix of the playlists' names. Default: `selecta · `.
    #[serde(default = "default_prefix")]
    pub playlist_prefix: String,
    /// Whether new playlists are public. Default: false.
    #[serde(default)]
    pub public: bool,
    /// Seconds to wait for the browser's redirect. Default: 300.
    #[serde(default = "default_auth_timeout")]
    pub auth_timeout_secs: u64,
}

fn default_accounts_url() -> String {
    "https://accounts.spotify.com".into()
}
fn default_api_url() -> String {
    "https://api.spotify.com/v1".into()
}
fn default_redirect_port() -> u16 {
    8888
}
fn default_prefix() -> String {
    "selecta · ".into()
}
fn default_auth_timeout() -> u64 {
    300
}

impl Default for SpotifyConfig {
    fn default() -> Self {
        SpotifyConfig {
            accounts_url: default_accounts_url(),
            api_url: default_api_url(),
            client_id: None,
            redirect_port: default_redirect_port(),
            token_cache: None,
            playlist_prefix: default_prefix(),
            public: false,
            auth_timeout_secs: default_auth_timeout(),
        }
    }
}

impl SpotifyConfig {
    /// The token cache's path.
    pub fn token_cache_path(&self, config: &Config) -> PathBuf {
        match &self.token_cache {
            Some(p) => config.resolve(p),
            None => {
                let stem = config.warehouse.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "selecta".into());
                config.state.with_file_name(format!("{stem}.spotify-token.json"))
            }
        }
    }

    fn client_id(&self) -> Result<String, PlaylistsError> {
        self.client_id
            .clone()
            .or_else(|| std::env::var("SPOTIFY_CLIENT_ID").ok())
            .filter(|c| !c.trim().is_empty())
            .ok_or(PlaylistsError::NoClientId)
    }
}

/// `selecta playlists <service>`
#[derive(Debug, clap::Args)]
pub struct PlaylistsArgs {
    #[command(subcommand)]
    pub service: PlaylistsService,
}

#[derive(Debug, clap::Subcommand)]
pub enum PlaylistsService {
    /// One Spotify playlist per cluster: created on the first run, updated in place after.
    Spotify(SpotifyArgs),
}

/// `selecta playlists spotify [--dry-run]`
#[derive(Debug, clap::Args)]
pub struct SpotifyArgs {
    /// Print what would change (from the remembered playlist IDs) without calling Spotify.
    #[arg(long)]
    pub dry_run: bool,
}

/// One cluster's playlist as the warehouse wants it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterPlaylist {
    pub cluster: i64,
    pub name: String,
    /// `spotify:track:…` URIs in playlist order.
    pub uris: Vec<String>,
}

/// A playlist remembered in `state.spotify_playlists`.
#[derive(Debug, Clone)]
pub struct Known {
    pub playlist_id: String,
    pub name: Option<String>,
    pub tracks: Option<i64>,
}

/// What a run does to one cluster's playlist.
#[derive(Debug, Clone)]
pub enum Action {
    Create,
    Update { playlist_id: String, was_tracks: Option<i64>, renamed_from: Option<String> },
}

#[derive(Debug, Clone)]
pub struct Change {
    pub playlist: ClusterPlaylist,
    /// The full playlist name (prefix + cluster name).
    pub title: String,
    pub action: Action,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct SyncSummary {
    pub created: usize,
    pub updated: usize,
    pub tracks: usize,
    /// Remembered playlists of clusters that no longer exist (left alone).
    pub orphans: Vec<(i64, String)>,
    pub requests: u64,
    pub authorizations: u32,
    pub refreshes: u32,
}

const STATE_DDL: &str = "CREATE TABLE IF NOT EXISTS state.spotify_playlists (
    cluster INTEGER PRIMARY KEY,
    playlist_id VARCHAR NOT NULL,
    name VARCHAR,
    user_id VARCHAR,
    tracks INTEGER,
    snapshot_id VARCHAR,
    updated_at TIMESTAMP
)";

/// The clusters' playlists from the warehouse attached as `wh` (or `None` when the table is missing).
pub fn load_clusters(conn: &Connection, catalog: &str) -> Result<Option<Vec<ClusterPlaylist>>, PlaylistsError> {
    let exists: i64 = conn
        .query_row(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' AND table_name = 'cluster_playlists'",
            [catalog],
            |r| r.get(0),
        )
        .map_err(duck("looking for cluster_playlists"))?;
    if exists == 0 {
        return Ok(None);
    }
    let sql = format!(
        "SELECT CAST(cluster AS BIGINT), CAST(cluster_name AS VARCHAR), CAST(spotify_id AS VARCHAR) \
         FROM {catalog}.main.cluster_playlists WHERE spotify_id IS NOT NULL ORDER BY cluster, position"
    );
    let mut stmt = conn.prepare(&sql).map_err(duck("reading cluster_playlists"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?)))
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(duck("reading cluster_playlists"))?;
    let mut by: BTreeMap<i64, ClusterPlaylist> = BTreeMap::new();
    for (cluster, name, id) in rows {
        let p = by.entry(cluster).or_insert_with(|| ClusterPlaylist {
            cluster,
            name: name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| format!("cluster {cluster}")),
            uris: Vec::new(),
        });
        let uri = if id.starts_with("spotify:track:") { id } else { format!("spotify:track:{id}") };
        if !p.uris.contains(&uri) {
            p.uris.push(uri);
        }
    }
    Ok(Some(by.into_values().collect()))
}

/// The remembered playlists, by cluster.
pub fn load_known(conn: &Connection) -> Result<BTreeMap<i64, Known>, PlaylistsError> {
    conn.execute_batch(STATE_DDL).map_err(duck("creating state.spotify_playlists"))?;
    let mut stmt = conn.prepare("SELECT cluster, playlist_id, name, tracks FROM state.spotify_playlists ORDER BY cluster").map_err(duck("reading state.spotify_playlists"))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, Known { playlist_id: r.get(1)?, name: r.get(2)?, tracks: r.get(3)? })))
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(duck("reading state.spotify_playlists"))?;
    Ok(rows.into_iter().collect())
}

/// One change per cluster: create when no playlist is remembered, else update it.
pub fn plan(clusters: &[ClusterPlaylist], known: &BTreeMap<i64, Known>, prefix: &str) -> Vec<Change> {
    clusters
        .iter()
        .map(|p| {
            let title = format!("{prefix}{}", p.name);
            let action = match known.get(&p.cluster) {
                None => Action::Create,
                Some(k) => Action::Update {
                    playlist_id: k.playlist_id.clone(),
                    was_tracks: k.tracks,
                    renamed_from: k.name.clone().filter(|n| *n != title),
                },
            };
            Change { playlist: p.clone(), title, action }
        })
        .collect()
}

fn remember(conn: &Connection, cluster: i64, id: &str, name: &str, user: &str, tracks: usize, snapshot: Option<&str>) -> Result<(), PlaylistsError> {
    conn.execute(
        "INSERT OR REPLACE INTO state.spotify_playlists VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        duckdb::params![cluster, id, name, user, tracks as i64, snapshot],
    )
    .map_err(duck("storing a playlist ID in state.spotify_playlists"))?;
    Ok(())
}

/// The state database with the warehouse attached read-only as `wh`.
pub fn open(config: &Config) -> Result<Connection, PlaylistsError> {
    let conn = crate::warehouse::open_state(config)?;
    if !config.warehouse.exists() {
        return Err(crate::warehouse::WarehouseError::Missing { path: config.warehouse.clone() }.into());
    }
    let path = config.warehouse.display().to_string().replace('\'', "''");
    conn.execute_batch(&format!("ATTACH '{path}' AS wh (READ_ONLY)")).map_err(duck("attaching the warehouse"))?;
    Ok(conn)
}

/// Options of a run.
pub struct SyncOptions<'a> {
    pub dry_run: bool,
    /// Shows the authorization URL to the user (prints it, opens a browser).
    pub open: &'a (dyn Fn(&str) + Sync),
}

/// The plan of this run (no network).
pub fn current_plan(conn: &Connection, config: &Config) -> Result<(Vec<Change>, Vec<(i64, String)>), PlaylistsError> {
    let clusters = load_clusters(conn, "wh")?.ok_or(PlaylistsError::NoClusters)?;
    let known = load_known(conn)?;
    let orphans = known.iter().filter(|(c, _)| !clusters.iter().any(|p| p.cluster == **c)).map(|(c, k)| (*c, k.playlist_id.clone())).collect();
    Ok((plan(&clusters, &known, &config.spotify.playlist_prefix), orphans))
}

/// Applies the plan: one playlist per cluster, created or updated.
pub async fn sync(conn: &Connection, config: &Config, changes: &[Change], open: &(dyn Fn(&str) + Sync)) -> Result<SyncSummary, PlaylistsError> {
    let sp = &config.spotify;
    let client_id = sp.client_id()?;
    let accounts = crate::http::Client::new("spotify-accounts", &sp.accounts_url, crate::http::RetryPolicy::default())?;
    let settings = auth::AuthSettings {
        client_id,
        redirect_port: sp.redirect_port,
        timeout: Duration::from_secs(sp.auth_timeout_secs),
        cache: sp.token_cache_path(config),
    };
    let tokens = auth::Tokens::new(&accounts, settings, open);
    let mut api = api::Spotify::new(&sp.api_url, tokens)?;
    let user = api.me().await?;
    let mut summary = SyncSummary::default();
    let total = changes.len();
    for (i, change) in changes.iter().enumerate() {
        let p = &change.playlist;
        let description = format!("Cluster {} of {} from selecta: {} tracks.", p.cluster, total, p.uris.len());
        let mut target = match &change.action {
            Action::Update { playlist_id, .. } => Some(playlist_id.clone()),
            Action::Create => None,
        };
        let mut snapshot = None;
        if let Some(id) = &target {
            match api.replace_items(id, &p.uris).await? {
                Some(snap) => {
                    snapshot = Some(snap);
                    if let Action::Update { renamed_from: Some(_), .. } = &change.action {
                        api.change_details(id, &change.title, &description).await?;
                    }
                    summary.updated += 1;
                    tracing::info!("[{}/{total}] updated {:?}: {} tracks", i + 1, change.title, p.uris.len());
                }
                None => {
                    tracing::warn!("playlist {id} of cluster {} is gone from Spotify; creating a new one", p.cluster);
                    target = None;
                }
            }
        }
        if target.is_none() {
            let id = api.create_playlist(&change.title, &description, sp.public).await?;
            // Remember it before filling it: a crash now cannot lead to a duplicate.
            remember(conn, p.cluster, &id, &change.title, &user, 0, None)?;
            snapshot = api.add_items(&id, &p.uris).await?;
            summary.created += 1;
            tracing::info!("[{}/{total}] created {:?}: {} tracks", i + 1, change.title, p.uris.len());
            target = Some(id);
        }
        let id = target.expect("a playlist by now");
        remember(conn, p.cluster, &id, &change.title, &user, p.uris.len(), snapshot.as_deref())?;
        summary.tracks += p.uris.len();
    }
    summary.requests = api.requests_sent() + accounts.requests_sent();
    summary.authorizations = api.tokens.authorizations;
    summary.refreshes = api.tokens.refreshes;
    Ok(summary)
}

/// Prints the authorization URL and opens it in a browser when one can be started.
pub fn open_in_browser(url: &str) {
    eprintln!("Authorize selecta in your browser:\n  {url}");
    let has_display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    if cfg!(target_os = "macos") || has_display {
        let _ = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }
}

/// `selecta playlists spotify [--dry-run]`
pub fn playlists_command(config: &Config, args: &PlaylistsArgs) -> anyhow::Result<ExitCode> {
    let PlaylistsService::Spotify(args) = &args.service;
    let conn = open(config)?;
    let (changes, orphans) = current_plan(&conn, config)?;
    if args.dry_run {
        for c in &changes {
            match &c.action {
                Action::Create => println!("create  {:<40} {:>5} tracks", c.title, c.playlist.uris.len()),
                Action::Update { playlist_id, was_tracks, renamed_from } => {
                    let was = was_tracks.map(|n| format!(" (was {n})")).unwrap_or_default();
                    let renamed = renamed_from.as_ref().map(|n| format!(", renamed from {n:?}")).unwrap_or_default();
                    println!("replace {:<40} {:>5} tracks{was} in playlist {playlist_id}{renamed}", c.title, c.playlist.uris.len());
                }
            }
        }
        for (c, id) in &orphans {
            println!("keep    playlist {id} of cluster {c}, which no longer exists (not deleted)");
        }
        let creates = changes.iter().filter(|c| matches!(c.action, Action::Create)).count();
        println!("dry run: {creates} to create, {} to update; nothing sent", changes.len() - creates);
        return Ok(ExitCode::SUCCESS);
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(PlaylistsError::Runtime)?;
    let summary = rt.block_on(sync(&conn, config, &changes, &open_in_browser))?;
    println!(
        "{} playlists created, {} updated, {} tracks; {} requests",
        summary.created, summary.updated, summary.tracks, summary.requests
    );
    for (c, id) in &orphans {
        println!("playlist {id} of cluster {c} left alone: the cluster no longer exists");
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pl(c: i64, n: usize) -> ClusterPlaylist {
        ClusterPlaylist { cluster: c, name: format!("c{c}"), uris: (0..n).map(|i| format!("spotify:track:{c}x{i}")).collect() }
    }

    /// Clusters without a known playlist are created; known ones are updated (renamed when their name changed).
    #[test]
    fn plan_creates_unknown_clusters_and_updates_known_ones() {
        let mut known = BTreeMap::new();
        known.insert(1, Known { playlist_id: "P1".into(), name: Some("x c1".into()), tracks: Some(3) });
        known.insert(2, Known { playlist_id: "P2".into(), name: Some("old".into()), tracks: None });
        let changes = plan(&[pl(0, 2), pl(1, 5), pl(2, 1)], &known, "x ");
        assert!(matches!(changes[0].action, Action::Create));
        assert!(matches!(&changes[1].action, Action::Update { playlist_id, renamed_from: None, was_tracks: Some(3) } if playlist_id == "P1"));
        assert!(matches!(&changes[2].action, Action::Update { renamed_from: Some(n), .. } if n == "old"));
        assert_eq!(changes[1].title, "x c1");
    }

    /// Playlist entries load per cluster in position order, duplicates and missing IDs dropped.
    #[test]
    fn clusters_load_in_position_order_without_duplicates() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE cluster_playlists (cluster INTEGER, cluster_name VARCHAR, position INTEGER, track_id VARCHAR, spotify_id VARCHAR, title VARCHAR, artist VARCHAR, album VARCHAR);
             INSERT INTO cluster_playlists VALUES (1, 'B', 2, 't3', 'id3', '', '', ''), (0, 'A', 1, 't1', 'id1', '', '', ''),
               (1, 'B', 1, 't2', 'id2', '', '', ''), (1, 'B', 3, 't4', 'id2', '', '', ''), (1, 'B', 4, 't5', NULL, '', '', '');",
        )
        .unwrap();
        let catalog: String = conn.query_row("SELECT current_database()", [], |r| r.get(0)).unwrap();
        let got = load_clusters(&conn, &catalog).unwrap().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].uris, vec!["spotify:track:id2", "spotify:track:id3"]);
        assert_eq!(got[0].name, "A");
    }
}
