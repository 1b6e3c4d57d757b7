//! The few Web API calls the playlists need, over the shared retrying [`crate::http::Client`]
//! (which waits out 429 `Retry-After`), with a user token from [`Tokens`]: a 401 renews the
//! token once and repeats the call.
//!
//! Writes that are not idempotent (`POST`) are not retried after a 5xx by the client
//! ([`crate::http::HttpError::MaybeApplied`]): [`Spotify::create_playlist`] then looks for the
//! playlist among the user's before creating it again, and [`Spotify::fill`] re-reads the
//! playlist's count before appending again (or starts over from the replace). `fill` always
//! replaces then appends, and ends by reading the playlist back ([`Spotify::items`], 50 per page,
//! the API's maximum) to verify it holds exactly the tracks asked, in order.

use reqwest::Method;
use serde_json::{Value, json};

use super::PlaylistsError;
use super::auth::Tokens;
use crate::http::{Client, HttpError, RetryPolicy};

/// URIs per items request (the Web API's maximum).
pub const MAX_URIS: usize = 100;
/// Items or playlists per page when reading (the Web API's maximum for `/items` and `/me/playlists`).
pub const PAGE: usize = 50;
/// Times [`Spotify::fill`] starts over from the replace when an append's outcome is unclear.
const FILL_RESTARTS: usize = 3;

/// A user-authorized Web API session.
pub struct Spotify<'a> {
    http: Client,
    pub tokens: Tokens<'a>,
}

impl<'a> Spotify<'a> {
    pub fn new(api_url: &str, tokens: Tokens<'a>) -> Result<Self, PlaylistsError> {
        Ok(Spotify { http: Client::new("spotify", api_url, RetryPolicy::default())?, tokens })
    }

    pub fn requests_sent(&self) -> u64 {
        self.http.requests_sent()
    }

    /// One call; on 401 the token is renewed and the call repeated once. Returns the status
    /// and the JSON body (`Null` when empty).
    async fn call(&mut self, method: Method, path: &str, body: Option<&Value>) -> Result<(u16, Value), PlaylistsError> {
        let mut renewed = false;
        loop {
            let token = self.tokens.access().await?;
            let url = self.http.url(path);
            let resp = self
                .http
                .send(path, |c| {
                    let rb = c.request(method.clone(), &url).bearer_auth(&token);
                    match body {
                        Some(b) => rb.json(b),
                        None => rb,
                    }
                })
                .await?;
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            if status == 401 && !renewed {
                tracing::debug!(path, "401 from Spotify: renewing the access token");
                self.tokens.renew().await?;
                renewed = true;
                continue;
            }
            let value = if text.trim().is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
            return Ok((status, value));
        }
    }

    fn fail(method: &'static str, path: &str, status: u16, body: &Value) -> PlaylistsError {
        let message = body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| body.to_string().chars().take(200).collect());
        PlaylistsError::Api { method, path: path.to_string(), status, message }
    }

    /// `GET /me` → the user's ID.
    pub async fn me(&mut self) -> Result<String, PlaylistsError> {
        let (status, v) = self.call(Method::GET, "/me", None).await?;
        if status != 200 {
            return Err(Self::fail("GET", "/me", status, &v));
        }
        Ok(v.get("id").and_then(Value::as_str).unwrap_or_default().to_string())
    }

    /// `POST /me/playlists` → the new playlist's ID. When the answer is lost after the server
    /// may have created it, the user's playlists are read: one named `name` that is not in
    /// `known` is the one just created; else it is created once more.
    pub async fn create_playlist(&mut self, name: &str, description: &str, public: bool, known: &[String]) -> Result<String, PlaylistsError> {
        let body = json!({"name": name, "public": public, "description": description});
        for attempt in 0..2 {
            let (status, v) = match self.call(Method::POST, "/me/playlists", Some(&body)).await {
                Err(PlaylistsError::Http(HttpError::MaybeApplied { what, .. })) if attempt == 0 => {
                    tracing::warn!("POST /me/playlists: {what}; looking for the playlist before creating it again");
                    if let Some((id, _)) = self.my_playlists().await?.into_iter().find(|(id, n)| n == name && !known.contains(id)) {
                        return Ok(id);
                    }
                    continue;
                }
                other => other?,
            };
            return match (status, v.get("id").and_then(Value::as_str)) {
                (200 | 201, Some(id)) => Ok(id.to_string()),
                _ => Err(Self::fail("POST", "/me/playlists", status, &v)),
            };
        }
        unreachable!("the second attempt returns")
    }

    /// `GET /me/playlists`, every page: (ID, name) of each playlist the user follows.
    pub async fn my_playlists(&mut self) -> Result<Vec<(String, String)>, PlaylistsError> {
        let mut out = Vec::new();
        loop {
            let path = format!("/me/playlists?limit={PAGE}&offset={}", out.len());
            let (status, v) = self.call(Method::GET, &path, None).await?;
            if status != 200 {
                return Err(Self::fail("GET", &path, status, &v));
            }
            let items = v.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            for p in &items {
                if let (Some(id), Some(name)) = (p.get("id").and_then(Value::as_str), p.get("name").and_then(Value::as_str)) {
                    out.push((id.to_string(), name.to_string()));
                }
            }
            if v.get("next").is_none_or(Value::is_null) || items.is_empty() {
                return Ok(out);
            }
        }
    }

    /// Whether `user` follows the playlist (`GET /playlists/{id}/followers/contains`, which needs
    /// `playlist-read-private` for a private one); `None` when it no longer exists (404).
    pub async fn follows(&mut self, id: &str, user: &str) -> Result<Option<bool>, PlaylistsError> {
        let path = format!("/playlists/{id}/followers/contains?ids={user}");
        let (status, v) = self.call(Method::GET, &path, None).await?;
        match status {
            200 => Ok(Some(v.get(0).and_then(Value::as_bool).unwrap_or(false))),
            404 => Ok(None),
            _ => Err(Self::fail("GET", &path, status, &v)),
        }
    }

    /// `DELETE /playlists/{id}/followers`: the user unfollows it (what the app calls deleting).
    pub async fn unfollow(&mut self, id: &str) -> Result<(), PlaylistsError> {
        let path = format!("/playlists/{id}/followers");
        let (status, v) = self.call(Method::DELETE, &path, None).await?;
        if !(200..300).contains(&status) {
            return Err(Self::fail("DELETE", &path, status, &v));
        }
        Ok(())
    }

    /// The number of items of a playlist (`GET …/items?limit=1`: its `total`).
    pub async fn count(&mut self, id: &str) -> Result<usize, PlaylistsError> {
        let path = format!("/playlists/{id}/items?limit=1&offset=0");
        let (status, v) = self.call(Method::GET, &path, None).await?;
        if status != 200 {
            return Err(Self::fail("GET", &path, status, &v));
        }
        Ok(v.get("total").and_then(Value::as_u64).unwrap_or(0) as usize)
    }

    /// Makes the playlist hold exactly `uris`, in order: `PUT` the first 100 (replace), `POST`
    /// the rest 100 at a time; an append whose answer was lost is checked against the count
    /// (applied: go on; not applied: send it again; else start over from the replace); the
    /// result is read back and compared. `None` when the playlist no longer exists (404).
    pub async fn fill(&mut self, id: &str, uris: &[String]) -> Result<Option<String>, PlaylistsError> {
        let path = format!("/playlists/{id}/items");
        'restart: for _ in 0..=FILL_RESTARTS {
            let first = &uris[..uris.len().min(MAX_URIS)];
            let (status, v) = self.call(Method::PUT, &path, Some(&json!({"uris": first}))).await?;
            if status == 404 {
                return Ok(None);
            }
            if !(200..300).contains(&status) {
                return Err(Self::fail("PUT", &path, status, &v));
            }
            let mut snapshot = v.get("snapshot_id").and_then(Value::as_str).map(String::from);
            let mut done = first.len();
            while done < uris.len() {
                let chunk = &uris[done..(done + MAX_URIS).min(uris.len())];
                let mut sent_again = false;
                loop {
                    match self.call(Method::POST, &path, Some(&json!({"uris": chunk}))).await {
                        Ok((status, v)) if (200..300).contains(&status) => {
                            snapshot = v.get("snapshot_id").and_then(Value::as_str).map(String::from).or(snapshot);
                            break;
                        }
                        Ok((status, v)) => return Err(Self::fail("POST", &path, status, &v)),
                        Err(PlaylistsError::Http(HttpError::MaybeApplied { what, .. })) => {
                            let count = self.count(id).await?;
                            tracing::warn!("POST {path}: {what}; the playlist now has {count} tracks ({done} before the append)");
                            if count == done + chunk.len() {
                                break;
                            }
                            if count == done && !sent_again {
                                sent_again = true;
                                continue;
                            }
                            continue 'restart;
                        }
                        Err(e) => return Err(e),
                    }
                }
                done += chunk.len();
            }
            let held = self.items(id).await?;
            if held != uris {
                return Err(PlaylistsError::Verify { id: id.to_string(), expected: uris.len(), found: held.len() });
            }
            return Ok(Some(snapshot.unwrap_or_default()));
        }
        Err(PlaylistsError::Verify { id: id.to_string(), expected: uris.len(), found: self.count(id).await? })
    }

    /// `PUT /playlists/{id}` (name and description).
    pub async fn change_details(&mut self, id: &str, name: &str, description: &str) -> Result<(), PlaylistsError> {
        let path = format!("/playlists/{id}");
        let (status, v) = self.call(Method::PUT, &path, Some(&json!({"name": name, "description": description}))).await?;
        if !(200..300).contains(&status) {
            return Err(Self::fail("PUT", &path, status, &v));
        }
        Ok(())
    }

    /// Every item URI of a playlist (`GET /playlists/{id}/items`, 50 per page: the API's maximum).
    pub async fn items(&mut self, id: &str) -> Result<Vec<String>, PlaylistsError> {
        let mut out = Vec::new();
        let mut offset = 0usize;
        loop {
            let path = format!("/playlists/{id}/items?limit={PAGE}&offset={offset}");
            let (status, v) = self.call(Method::GET, &path, None).await?;
            if status != 200 {
                return Err(Self::fail("GET", &path, status, &v));
            }
            let items = v.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
            for it in &items {
                if let Some(uri) = it.pointer("/item/uri").and_then(Value::as_str) {
                    out.push(uri.to_string());
                }
            }
            if v.get("next").is_none_or(Value::is_null) || items.is_empty() {
                return Ok(out);
            }
            offset += items.len();
        }
    }
}
