//! Fake external services for tests and benches: our own axum servers on 127.0.0.1, port 0,
//! started in-process (`selecta::fakes::<service>::start(...)` → a handle with its base URLs).
//!
//! - [`spotify_playlists`]: Spotify's accounts service (PKCE authorization, token refresh) and
//!   the Web API's playlist endpoints;
//! - [`warehouse`]: a small deterministic warehouse with every stage's tables.

pub mod spotify_playlists;
pub mod warehouse;
