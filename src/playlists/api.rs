//! The few Web API calls the playlists need, over the shared retrying [`crate::http::Client`]
//! (which waits out 429 `Retry-After`), with a user token from [`Tokens`]: a 401 renews the
//! token once and repeats the call.

use reqwest::Method;
use serde_json::{Value, json};

use super::PlaylistsError;
use super::auth::Tokens;
use crate::http::{Client, RetryPolicy};

/// URIs per items request (the Web API's maximum).
pub const MAX_URIS: usize = 100;

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

    /// `POST /me/playlists` → the new playlist's ID.
    pub async fn create_playlist(&mut self, name: &str, description: &str, public: bool) -> Result<String, PlaylistsError> {
        let body = json!({"name": name, "public": public, "description": description});
        let (status, v) = self.call(Method::POST, "/me/playlists", Some(&body)).await?;
        match (status, v.get("id").and_then(Value::as_str)) {
            (200 | 201, Some(id)) => Ok(id.to_string()),
            _ => Err(Self::fail("POST", "/me/playlists", status, &v)),
        }
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

    /// Appends `uris` with `POST /playlists/{id}/items`, 100 per request; the last snapshot ID.
    pub async fn add_items(&mut self, id: &str, uris: &[String]) -> Result<Option<String>, PlaylistsError> {
        let path = format!("/playlists/{id}/items");
        let mut snapshot = None;
        for chunk in uris.chunks(MAX_URIS) {
            let (status, v) = self.call(Method::POST, &path, Some(&json!({"uris": chunk}))).await?;
            if !(200..300).contains(&status) {
                return Err(Self::fail("POST", &path, status, &v));
            }
            snapshot = v.get("snapshot_id").and_then(Value::as_str).map(String::from);
        }
        Ok(snapshot)
    }

    /// Replaces the items with `uris`: `PUT` with the first 100, then `POST` the rest.
    /// `None` when the playlist no longer exists (404).
    pub async fn replace_items(&mut self, id: &str, uris: &[String]) -> Result<Option<String>, PlaylistsError> {
        let path = format!("/playlists/{id}/items");
        let first = &uris[..uris.len().min(MAX_URIS)];
        let (status, v) = self.call(Method::PUT, &path, Some(&json!({"uris": first}))).await?;
        if status == 404 {
            return Ok(None);
        }
        if !(200..300).contains(&status) {
            return Err(Self::fail("PUT", &path, status, &v));
        }
        let mut snapshot = v.get("snapshot_id").and_then(Value::as_str).map(String::from);
        if uris.len() > MAX_URIS {
            snapshot = self.add_items(id, &uris[MAX_URIS..]).await?.or(snapshot);
        }
        Ok(Some(snapshot.unwrap_or_default()))
    }

    /// Every item URI of a playlist (`GET /playlists/{id}/items`, paged).
    pub async fn items(&mut self, id: &str) -> Result<Vec<String>, PlaylistsError> {
        let mut out = Vec::new();
        let mut offset = 0usize;
        loop {
            let path = format!("/playlists/{id}/items?limit=100&offset={offset}");
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
