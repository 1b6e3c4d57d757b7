//! `selecta playlists spotify`: one Spotify playlist per cluster, kept in step with the
//! warehouse.
//!
//! [`load_clusters`] reads `cluster_playlists` (the ordered, de-duplicated tracks of each
//! cluster) into [`ClusterPlaylist`]s; [`changes`] compares them with the playlist IDs remembered in
//! `state.spotify_playlists` and yields one [`Change`] per cluster (create, or replace the
//! items of the known playlist). `--dry-run` prints them. Otherwise [`sync`] gets a user
//! token ([`auth::Tokens`]: cache, refresh, or Authorization Code with PKCE) and applies the
//! changes through [`api::Spotify`]: `POST /me/playlists` for a new playlist (its ID stored at
//! once), `PUT /playlists/{id}/items` with the first 100 URIs then `POST …/items` with the rest,
//! 100 per request, the result read back and compared ([`api::Spotify::fill`]). A rerun finds
//! every ID in the state and creates nothing — unless the user removed the playlist in the app
//! (which only unfollows it: the follow state is checked) — and `--prune` retires the playlists
//! of clusters that no longer exist.
//!
//! Before any of that, the build step [`order_step`] ([`order`]) puts each cluster's playlist in
//! the order of `[playlists] order` ([`PlaylistsConfig`]; `set`: [`sequence`], a DJ set) and
//! stores every transition in `playlist_transitions`.

pub mod api;
pub mod auth;
mod config;
mod error;
pub mod order;
pub mod sequence;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use duckdb::Connection;

pub use config::{Order, PlaylistsConfig, SpotifyConfig};
pub use error::PlaylistsError;
pub use order::{order_playlists, order_step};
use crate::db::duck;

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
    /// Of the created: remembered playlists the user no longer follows, or that are gone.
    pub recreated: usize,
    /// Playlists of clusters that no longer exist, emptied, renamed and unfollowed (`--prune`).
    pub pruned: Vec<(i64, String)>,
    pub tracks: usize,
    pub requests: u64,
    pub authorizations: u32,
    pub refreshes: u32,
}

/// DDL: `sql/state/spotify_playlists.sql`.
const STATE_DDL: &str = include_str!("../../sql/state/spotify_playlists.sql");

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
pub fn changes(clusters: &[ClusterPlaylist], known: &BTreeMap<i64, Known>, prefix: &str) -> Vec<Change> {
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
/// The state database (read-write) with the warehouse attached read-only as `wh`.
pub fn open(warehouse: &Path, state: &Path) -> Result<Connection, PlaylistsError> {
    let conn = crate::db::open_state(state)?;
    if !warehouse.exists() {
        return Err(crate::db::DbError::Missing { path: warehouse.to_path_buf() }.into());
    }
    conn.execute_batch(&format!("ATTACH {} AS wh (READ_ONLY)", crate::db::path_literal(warehouse))).map_err(duck("attaching the warehouse"))?;
    Ok(conn)
}

/// Options of a run.
pub struct SyncOptions<'a> {
    pub dry_run: bool,
    /// Shows the authorization URL to the user (prints it, opens a browser).
    pub open: &'a (dyn Fn(&str) + Sync),
}

/// The changes of this run (no network), and the remembered playlists of clusters that no longer exist.
pub fn current_changes(conn: &Connection, prefix: &str) -> Result<(Vec<Change>, Vec<(i64, String)>), PlaylistsError> {
    let clusters = load_clusters(conn, "wh")?.ok_or(PlaylistsError::NoClusters)?;
    let known = load_known(conn)?;
    let orphans = known.iter().filter(|(c, _)| !clusters.iter().any(|p| p.cluster == **c)).map(|(c, k)| (*c, k.playlist_id.clone())).collect();
    Ok((changes(&clusters, &known, prefix), orphans))
}

/// Applies the changes: one playlist per cluster, created or updated. A remembered playlist
/// the user no longer follows (removed in the app: Spotify only unfollows) or that is gone is
/// created anew, never refilled out of sight. Every playlist's name and description follow the
/// current clustering. With `prune`, the remembered playlists of clusters that no longer exist
/// are emptied, renamed and unfollowed, and forgotten.
pub async fn sync(conn: &Connection, sp: &SpotifyConfig, changes: &[Change], prune: bool, open: &(dyn Fn(&str) + Sync)) -> Result<SyncSummary, PlaylistsError> {
    let client_id = sp.client_id()?;
    let accounts = crate::http::Client::new("spotify-accounts", &sp.accounts_url, crate::http::RetryPolicy::default())?;
    let settings = auth::AuthSettings {
        client_id,
        redirect_port: sp.redirect_port,
        timeout: Duration::from_secs(sp.auth_timeout_secs),
        cache: sp.token_cache.clone(),
    };
    let tokens = auth::Tokens::new(&accounts, settings, open);
    let mut api = api::Spotify::new(&sp.api_url, tokens)?;
    let user = api.me().await?;
    let known = load_known(conn)?;
    let mut known_ids: Vec<String> = known.values().map(|k| k.playlist_id.clone()).collect();
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
        if let Some(id) = target.clone() {
            match api.follows(&id, &user).await? {
                Some(true) => match api.fill(&id, &p.uris).await? {
                    Some(snap) => {
                        snapshot = Some(snap);
                        api.change_details(&id, &change.title, &description).await?;
                        summary.updated += 1;
                        tracing::info!("[{}/{total}] updated {:?}: {} tracks", i + 1, change.title, p.uris.len());
                    }
                    None => target = None,
                },
                Some(false) => {
                    tracing::warn!("playlist {id} of cluster {} was removed in Spotify (you no longer follow it); creating a new one", p.cluster);
                    summary.recreated += 1;
                    target = None;
                }
                None => {
                    tracing::warn!("playlist {id} of cluster {} is gone from Spotify; creating a new one", p.cluster);
                    summary.recreated += 1;
                    target = None;
                }
            }
        }
        if target.is_none() {
            let id = api.create_playlist(&change.title, &description, sp.public, &known_ids).await?;
            // Remember it before filling it: a crash now cannot lead to a duplicate.
            remember(conn, p.cluster, &id, &change.title, &user, 0, None)?;
            known_ids.push(id.clone());
            snapshot = api.fill(&id, &p.uris).await?;
            summary.created += 1;
            tracing::info!("[{}/{total}] created {:?}: {} tracks", i + 1, change.title, p.uris.len());
            target = Some(id);
        }
        let id = target.expect("a playlist by now");
        remember(conn, p.cluster, &id, &change.title, &user, p.uris.len(), snapshot.as_deref())?;
        summary.tracks += p.uris.len();
    }
    if prune {
        for (cluster, k) in known.iter().filter(|(c, _)| !changes.iter().any(|ch| ch.playlist.cluster == **c)) {
            let old = k.name.clone().unwrap_or_else(|| format!("cluster {cluster}"));
            let name = format!("{} (retired)", old);
            let description = format!("Emptied by selecta --prune: cluster {cluster} is no longer in the clustering of {total} clusters.");
            if api.fill(&k.playlist_id, &[]).await?.is_some() {
                api.change_details(&k.playlist_id, &name, &description).await?;
                api.unfollow(&k.playlist_id).await?;
            }
            conn.execute("DELETE FROM state.spotify_playlists WHERE cluster = ?", [cluster]).map_err(duck("forgetting a pruned playlist"))?;
            tracing::info!("pruned {:?} ({}): emptied, renamed {:?}, unfollowed", old, k.playlist_id, name);
            summary.pruned.push((*cluster, k.playlist_id.clone()));
        }
    }
    summary.requests = api.requests_sent() + accounts.requests_sent();
    summary.authorizations = api.tokens.authorizations;
    summary.refreshes = api.tokens.refreshes;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pl(c: i64, n: usize) -> ClusterPlaylist {
        ClusterPlaylist { cluster: c, name: format!("c{c}"), uris: (0..n).map(|i| format!("spotify:track:{c}x{i}")).collect() }
    }

    /// Clusters without a known playlist are created; known ones are updated (renamed when their name changed).
    #[test]
    fn changes_create_unknown_clusters_and_update_known_ones() {
        let mut known = BTreeMap::new();
        known.insert(1, Known { playlist_id: "P1".into(), name: Some("x c1".into()), tracks: Some(3) });
        known.insert(2, Known { playlist_id: "P2".into(), name: Some("old".into()), tracks: None });
        let changes = changes(&[pl(0, 2), pl(1, 5), pl(2, 1)], &known, "x ");
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
