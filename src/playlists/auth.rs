//! Spotify user authorization: Authorization Code with PKCE, and the token cache.
//!
//! [`Pkce`] makes the verifier/challenge pair; [`authorize`] runs the flow — a listener on
//! `http://127.0.0.1:PORT/callback`, the authorize URL handed to an opener (print + browser),
//! the code exchanged at `/api/token`. [`Tokens`] owns the current token: it loads the cache
//! file, refreshes before expiry or after a 401 (storing the rotated refresh token), falls back
//! to a new authorization when the refresh token is refused, and writes the cache with mode
//! 0600. Tokens never reach logs or error messages.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::PlaylistsError;
use crate::http::Client;

/// The scopes the playlists need: writing them, and reading whether the user still follows a
/// private one (a playlist removed in the app is only unfollowed).
pub const SCOPES: &str = "playlist-modify-private playlist-modify-public playlist-read-private";

/// Whether a token granted `scope` has every scope of [`SCOPES`].
pub fn has_scopes(scope: &str) -> bool {
    SCOPES.split(' ').all(|s| scope.split(' ').any(|g| g == s))
}

/// A PKCE pair: `verifier` stays here, `challenge` = base64url(SHA-256(verifier)) goes out.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

fn random_string(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| UNRESERVED[rng.random_range(0..UNRESERVED.len())] as char).collect()
}

impl Pkce {
    pub fn new() -> Pkce {
        Pkce::from_verifier(random_string(64))
    }
    pub fn from_verifier(verifier: String) -> Pkce {
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Pkce { verifier, challenge }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// The cached token (the file's JSON).
#[derive(Clone, Serialize, Deserialize)]
pub struct Token {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Unix seconds after which the access token is stale.
    pub expires_at: u64,
    #[serde(default)]
    pub scope: String,
    /// The app the token belongs to; a token of another client ID is not used.
    pub client_id: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("expires_at", &self.expires_at).field("scope", &self.scope).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    expires_in: u64,
    #[serde(default)]
    scope: String,
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> String {
    let hexval = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() && hexval(bytes[i + 1]).is_some() && hexval(bytes[i + 2]).is_some() => {
                out.push(hexval(bytes[i + 1]).unwrap_or(0) * 16 + hexval(bytes[i + 2]).unwrap_or(0));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where and how to authorize.
pub struct AuthSettings {
    pub client_id: String,
    /// Port of the loopback redirect listener; 0 picks a free one.
    pub redirect_port: u16,
    pub timeout: Duration,
    pub cache: PathBuf,
}

/// Runs the Authorization Code + PKCE flow: listens on 127.0.0.1, hands the authorize URL to
/// `open`, waits for the redirect, exchanges the code.
pub async fn authorize(accounts: &Client, s: &AuthSettings, open: &(dyn Fn(&str) + Sync)) -> Result<Token, PlaylistsError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", s.redirect_port))
        .await
        .map_err(|source| PlaylistsError::Listen { port: s.redirect_port, source })?;
    let port = listener.local_addr().map_err(|source| PlaylistsError::Listen { port: s.redirect_port, source })?.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let pkce = Pkce::new();
    let state = random_string(24);
    let url = format!(
        "{}?client_id={}&response_type=code&redirect_uri={}&scope={}&state={}&code_challenge_method=S256&code_challenge={}",
        accounts.url("/authorize"),
        encode(&s.client_id),
        encode(&redirect_uri),
        encode(SCOPES),
        state,
        pkce.challenge
    );
    open(&url);
    let params = tokio::time::timeout(s.timeout, wait_for_callback(&listener))
        .await
        .map_err(|_| PlaylistsError::AuthTimeout { seconds: s.timeout.as_secs() })??;
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if let Some(err) = get("error") {
        return Err(PlaylistsError::AuthDenied { reason: err });
    }
    if get("state").as_deref() != Some(state.as_str()) {
        return Err(PlaylistsError::AuthDenied { reason: "the callback's state does not match (another login attempt?)".into() });
    }
    let code = get("code").ok_or_else(|| PlaylistsError::AuthDenied { reason: "no code in the callback".into() })?;
    let form = vec![
        ("grant_type", "authorization_code".to_string()),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", s.client_id.clone()),
        ("code_verifier", pkce.verifier),
    ];
    let token = token_request(accounts, &form, &s.client_id, None).await?;
    Ok(token)
}

/// Accepts connections until one asks for `/callback`; answers it with a short page.
async fn wait_for_callback(listener: &tokio::net::TcpListener) -> Result<Vec<(String, String)>, PlaylistsError> {
    loop {
        let (mut sock, _) = listener.accept().await.map_err(|source| PlaylistsError::Listen { port: 0, source })?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 2048];
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let head = String::from_utf8_lossy(&buf);
        let target = head.lines().next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or("").to_string();
        let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
        if path != "/callback" {
            let _ = sock.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
            continue;
        }
        let params: Vec<(String, String)> =
            query.split('&').filter(|kv| !kv.is_empty()).map(|kv| kv.split_once('=').unwrap_or((kv, ""))).map(|(k, v)| (decode(k), decode(v))).collect();
        let ok = params.iter().any(|(k, _)| k == "code");
        let body = if ok {
            "<!DOCTYPE html><title>selecta</title><p>selecta is authorized. You can close this window.</p>"
        } else {
            "<!DOCTYPE html><title>selecta</title><p>Authorization was not granted. See the terminal.</p>"
        };
        let resp = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        let _ = sock.write_all(resp.as_bytes()).await;
        let _ = sock.shutdown().await;
        return Ok(params);
    }
}

/// POSTs a token request; `old_refresh` is kept when the answer carries no new refresh token.
async fn token_request(accounts: &Client, form: &[(&str, String)], client_id: &str, old_refresh: Option<&str>) -> Result<Token, PlaylistsError> {
    let resp = accounts.send("/api/token", |c| c.post(accounts.url("/api/token")).form(form)).await?;
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    if !status.is_success() {
        // The body of a token error names the error (`invalid_grant`), never a token.
        let reason = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(String::from))
            .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
        return Err(PlaylistsError::TokenRefused { status: status.as_u16(), reason });
    }
    let t: TokenResponse =
        serde_json::from_str(&body).map_err(|e| PlaylistsError::TokenRefused { status: status.as_u16(), reason: format!("malformed token response: {e}") })?;
    Ok(Token {
        access_token: t.access_token,
        refresh_token: t.refresh_token.or_else(|| old_refresh.map(String::from)),
        expires_at: now() + t.expires_in,
        scope: t.scope,
        client_id: client_id.to_string(),
    })
}

/// Reads the token cache; a missing or unreadable file is no token.
pub fn load_cache(path: &Path) -> Option<Token> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes the token cache with mode 0600 (through a side file created 0600, renamed in place).
pub fn save_cache(path: &Path, token: &Token) -> Result<(), PlaylistsError> {
    let io = |source| PlaylistsError::TokenCache { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("json.tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    {
        use std::io::Write;
        let mut f = opts.open(&tmp).map_err(io)?;
        let json = serde_json::to_string_pretty(token).expect("a token serializes");
        f.write_all(json.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// The current token, kept fresh.
pub struct Tokens<'a> {
    accounts: &'a Client,
    settings: AuthSettings,
    token: Option<Token>,
    open: &'a (dyn Fn(&str) + Sync),
    /// Authorizations run (0 when the cache sufficed).
    pub authorizations: u32,
    /// Refreshes done.
    pub refreshes: u32,
}

impl<'a> Tokens<'a> {
    pub fn new(accounts: &'a Client, settings: AuthSettings, open: &'a (dyn Fn(&str) + Sync)) -> Self {
        // A token of another app, or granted fewer scopes (an older selecta), means a new authorization.
        let token = load_cache(&settings.cache).filter(|t| t.client_id == settings.client_id && has_scopes(&t.scope));
        Tokens { accounts, settings, token, open, authorizations: 0, refreshes: 0 }
    }

    /// An access token valid for at least another minute.
    pub async fn access(&mut self) -> Result<String, PlaylistsError> {
        match &self.token {
            Some(t) if t.expires_at > now() + 60 => Ok(t.access_token.clone()),
            _ => {
                self.renew().await?;
                Ok(self.token.as_ref().expect("renewed").access_token.clone())
            }
        }
    }

    /// A new access token: by refresh when possible, else by a new authorization.
    pub async fn renew(&mut self) -> Result<(), PlaylistsError> {
        if let Some(rt) = self.token.as_ref().and_then(|t| t.refresh_token.clone()) {
            let form = vec![("grant_type", "refresh_token".to_string()), ("refresh_token", rt.clone()), ("client_id", self.settings.client_id.clone())];
            match token_request(self.accounts, &form, &self.settings.client_id, Some(&rt)).await {
                Ok(t) => {
                    self.refreshes += 1;
                    tracing::debug!("Spotify access token refreshed");
                    return self.store(t);
                }
                Err(PlaylistsError::TokenRefused { status: 400 | 401, reason }) => {
                    tracing::warn!("the cached Spotify refresh token was refused ({reason}); authorizing again");
                }
                Err(e) => return Err(e),
            }
        }
        let t = authorize(self.accounts, &self.settings, self.open).await?;
        self.authorizations += 1;
        self.store(t)
    }

    fn store(&mut self, t: Token) -> Result<(), PlaylistsError> {
        save_cache(&self.settings.cache, &t)?;
        self.token = Some(t);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PKCE challenge of RFC 7636's example verifier is the RFC's; fresh verifiers are valid.
    #[test]
    fn pkce_challenge_matches_rfc7636_example() {
        // RFC 7636, appendix B.
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let fresh = Pkce::new();
        assert!(fresh.verifier.len() >= 43 && fresh.verifier.len() <= 128);
        assert!(fresh.verifier.bytes().all(|b| UNRESERVED.contains(&b)));
        assert_eq!(fresh.challenge.len(), 43);
    }

    /// Query values survive encoding and decoding; `+` decodes to a space.
    #[test]
    fn query_values_round_trip_through_encoding() {
        let s = "http://127.0.0.1:8888/callback?a=b c&d=é";
        assert_eq!(decode(&encode(s)), s);
        assert_eq!(encode("a b"), "a%20b");
        assert_eq!(decode("a+b%2"), "a b%2");
    }

    /// The token cache is written mode 0600 and `Debug` never shows a token.
    #[cfg(unix)]
    #[test]
    fn the_token_cache_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/token.json");
        let t = Token { access_token: "a".into(), refresh_token: Some("r".into()), expires_at: 1, scope: String::new(), client_id: "c".into() };
        save_cache(&path, &t).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(load_cache(&path).unwrap().refresh_token.as_deref(), Some("r"));
        assert!(!format!("{t:?}").contains("access_token"), "Debug must not show tokens");
    }
}
