//! The Discogs personal access token: read from `DISCOGS_TOKEN`, sent only as a sensitive header,
//! never printed.

use reqwest::header::HeaderValue;

use crate::fetch::FetchError;

/// The personal access token; never printed.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(token: impl Into<String>) -> Token {
        Token(token.into())
    }
    /// From `DISCOGS_TOKEN` (the environment, which `.env` was loaded into).
    pub fn from_env() -> Result<Token, FetchError> {
        match std::env::var("DISCOGS_TOKEN") {
            Ok(t) if !t.trim().is_empty() => Ok(Token(t.trim().to_string())),
            _ => Err(FetchError::MissingToken),
        }
    }
    pub(super) fn header(&self) -> Result<HeaderValue, FetchError> {
        let mut v = HeaderValue::from_str(&format!("Discogs token={}", self.0))
            .map_err(|_| FetchError::Shape { service: "discogs", path: "DISCOGS_TOKEN".into(), message: "the token holds characters a header cannot".into() })?;
        v.set_sensitive(true);
        Ok(v)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

