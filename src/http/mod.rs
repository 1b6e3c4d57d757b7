//! One HTTP client for every external API (Spotify, Discogs, ReccoBeats).
//!
//! [`Client`] wraps `reqwest` with what all three need: a base URL from the configuration (so
//! tests point it at fake servers on 127.0.0.1), a User-Agent naming selecta, a count of the
//! requests actually sent, and one retry policy ([`RetryPolicy`]):
//! - `429` waits for `Retry-After` (seconds; the policy's backoff when absent), then retries;
//!   a `429` whose body says `QUOTA_EXCEEDED` is not retried: it ends in [`HttpError::QuotaExceeded`]
//!   so the caller can stop cleanly and resume later;
//! - `5xx`, timeouts and connection errors retry with bounded exponential backoff — for an
//!   idempotent request (GET, HEAD, PUT, DELETE, OPTIONS). A non-idempotent one (POST, PATCH) is
//!   retried only where the server cannot have applied it: a `429`, or a connection that was
//!   never made. After a `5xx`, a timeout or a broken connection it ends in
//!   [`HttpError::MaybeApplied`]: the caller re-reads the state before writing again (a `502`
//!   after an applied `POST …/items` would otherwise add the tracks twice);
//! - any other status is handed back to the caller, who knows what a `401` or `404` means for it.
//!
//! Nothing here logs a header or a query string: tokens travel in headers, and logs name only
//! the service, the method and the URL path.
//!
//! A [`Pacer`] (optional, [`Client::with_pacer`]) sees every attempt: it may hold a request
//! back before it goes out (a rate limiter), reads every response's status and headers (rate-limit
//! headers, 429s) and performs the client's retry waits, so a test clock can skip them;
//! [`ClockPacer`] is the one that only routes those waits through a [`crate::clock::Clock`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{RequestBuilder, Response, StatusCode};

/// How hard to try before giving up. Defaults: 5 attempts, backoff 0.5 s doubling up to 30 s,
/// a `Retry-After` longer than 120 s is an error rather than a silent long sleep, 30 s timeout.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    pub max_retry_after: Duration,
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{service}: cannot build the HTTP client: {source}")]
    Build { service: &'static str, source: reqwest::Error },
    #[error("{service}: {path}: {source} (after {attempts} attempts)")]
    Transport { service: &'static str, path: String, attempts: u32, source: reqwest::Error },
    #[error("{service}: {path}: HTTP {status} after {attempts} attempts: {body}")]
    GaveUp { service: &'static str, path: String, status: u16, attempts: u32, body: String },
    #[error("{service}: quota exceeded ({path}); rerun later, finished work is kept: {body}")]
    QuotaExceeded { service: &'static str, path: String, body: String },
    #[error("{service}: {path}: Retry-After asks for {seconds} s, more than the {max} s allowed")]
    RetryAfterTooLong { service: &'static str, path: String, seconds: u64, max: u64 },
    #[error("{service}: {path}: HTTP {status}: {body}")]
    Status { service: &'static str, path: String, status: u16, body: String },
    #[error("{service}: {path}: malformed JSON: {source}")]
    Json { service: &'static str, path: String, source: serde_json::Error },
    /// A non-idempotent request that the server may have applied (a 5xx, a timeout, a broken
    /// connection): not retried.
    #[error("{service}: {method} {path}: {what}; not retried, the server may have applied it")]
    MaybeApplied { service: &'static str, method: String, path: String, what: String },
}

/// Whether repeating the request cannot change more than sending it once (RFC 9110, 9.2.2).
pub fn idempotent(method: &reqwest::Method) -> bool {
    use reqwest::Method;
    [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS, Method::TRACE].contains(method)
}

/// A retrying client for one service.
pub struct Client {
    inner: reqwest::Client,
    service: &'static str,
    base_url: String,
    policy: RetryPolicy,
    sent: AtomicU64,
    pacer: Option<Arc<dyn Pacer>>,
}

/// A boxed future, as [`Pacer`] methods return.
pub type PacerFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A hook around every attempt [`Client::send`] makes (retries included).
pub trait Pacer: Send + Sync {
    /// Waits until the next request may go out (and counts it as sent).
    fn before_send(&self) -> PacerFuture<'_>;
    /// Sees the status and headers of every response, 429s and 5xx included.
    fn on_response(&self, status: StatusCode, headers: &reqwest::header::HeaderMap);
    /// Waits `wait` before a retry (`Retry-After` or backoff).
    fn sleep(&self, wait: Duration) -> PacerFuture<'_>;
}

/// A pacer that only routes retry waits through a clock (no limit): for APIs without published
/// limits (ReccoBeats, the Spotify search), so tests can skip `Retry-After` waits.
pub struct ClockPacer(pub Arc<dyn crate::clock::Clock>);

impl Pacer for ClockPacer {
    fn before_send(&self) -> PacerFuture<'_> {
        Box::pin(std::future::ready(()))
    }
    fn on_response(&self, _status: StatusCode, _headers: &reqwest::header::HeaderMap) {}
    fn sleep(&self, wait: Duration) -> PacerFuture<'_> {
        self.0.sleep(wait)
    }
}

impl Client {
    /// `base_url` without a trailing slash, e.g. `https://api.spotify.com/v1`.
    pub fn new(service: &'static str, base_url: &str, policy: RetryPolicy) -> Result<Self, HttpError> {
        let inner = reqwest::Client::builder()
            .user_agent(concat!("selecta/", env!("CARGO_PKG_VERSION"), " +https://github.com/selecta"))
            .timeout(policy.timeout)
            .build()
            .map_err(|source| HttpError::Build { service, source })?;
        Ok(Client { inner, service, base_url: base_url.trim_end_matches('/').to_string(), policy, sent: AtomicU64::new(0), pacer: None })
    }

    /// Routes every attempt through `pacer` (see [`Pacer`]).
    pub fn with_pacer(mut self, pacer: Arc<dyn Pacer>) -> Self {
        self.pacer = Some(pacer);
        self
    }

    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The full URL of a path under the base URL (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The underlying reqwest client, to build requests in [`Client::send`]'s closure.
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.inner
    }

    /// Sends the request that `build` makes (called again for each attempt) under the retry
    /// policy. `path` names the request in errors and logs; it must not carry secrets.
    /// Returns the response for any status other than 429 and 5xx.
    pub async fn send<F>(&self, path: &str, build: F) -> Result<Response, HttpError>
    where
        F: Fn(&reqwest::Client) -> RequestBuilder,
    {
        self.send_with(path, build, false).await
    }

    /// [`Client::send`] for a request that is safe to repeat whatever its method (a
    /// client-credentials token `POST`): retried like a `GET`.
    pub async fn send_repeatable<F>(&self, path: &str, build: F) -> Result<Response, HttpError>
    where
        F: Fn(&reqwest::Client) -> RequestBuilder,
    {
        self.send_with(path, build, true).await
    }

    async fn send_with<F>(&self, path: &str, build: F, repeatable: bool) -> Result<Response, HttpError>
    where
        F: Fn(&reqwest::Client) -> RequestBuilder,
    {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(pacer) = &self.pacer {
                pacer.before_send().await;
            }
            self.sent.fetch_add(1, Ordering::Relaxed);
            let (method, result) = match build(&self.inner).build() {
                Ok(request) => (request.method().clone(), self.inner.execute(request).await),
                Err(e) => (reqwest::Method::GET, Err(e)),
            };
            let may_retry = repeatable || idempotent(&method);
            let maybe_applied = |what: String| HttpError::MaybeApplied { service: self.service, method: method.to_string(), path: path.into(), what };
            if let (Some(pacer), Ok(resp)) = (&self.pacer, &result) {
                pacer.on_response(resp.status(), resp.headers());
            }
            let wait = match result {
                Ok(resp) if resp.status() == StatusCode::TOO_MANY_REQUESTS => {
                    let retry_after = retry_after(&resp);
                    let body = resp.text().await.unwrap_or_default();
                    if body.contains("QUOTA_EXCEEDED") {
                        return Err(HttpError::QuotaExceeded { service: self.service, path: path.into(), body });
                    }
                    if attempt >= self.policy.max_attempts {
                        return Err(self.gave_up(path, 429, attempt, body));
                    }
                    match retry_after {
                        Some(wait) if wait > self.policy.max_retry_after => {
                            return Err(HttpError::RetryAfterTooLong {
                                service: self.service,
                                path: path.into(),
                                seconds: wait.as_secs(),
                                max: self.policy.max_retry_after.as_secs(),
                            });
                        }
                        Some(wait) => wait,
                        None => self.backoff(attempt),
                    }
                }
                Ok(resp) if resp.status().is_server_error() => {
                    let status = resp.status().as_u16();
                    let body = resp.text().await.unwrap_or_default();
                    if !may_retry {
                        return Err(maybe_applied(format!("HTTP {status}")));
                    }
                    if attempt >= self.policy.max_attempts {
                        return Err(self.gave_up(path, status, attempt, body));
                    }
                    tracing::debug!(service = self.service, path, status, attempt, "server error, retrying");
                    self.backoff(attempt)
                }
                Ok(resp) => return Ok(resp),
                Err(source) => {
                    // A connection never made cannot have been applied; anything later may have.
                    if !may_retry && !source.is_connect() && (source.is_timeout() || source.is_request()) {
                        return Err(maybe_applied(source.without_url().to_string()));
                    }
                    if attempt >= self.policy.max_attempts || !(source.is_timeout() || source.is_connect() || source.is_request()) {
                        return Err(HttpError::Transport { service: self.service, path: path.into(), attempts: attempt, source: source.without_url() });
                    }
                    tracing::debug!(service = self.service, path, attempt, error = %source.without_url(), "transport error, retrying");
                    self.backoff(attempt)
                }
            };
            tracing::debug!(service = self.service, path, attempt, wait_ms = wait.as_millis() as u64, "waiting before retry");
            match &self.pacer {
                Some(pacer) => pacer.sleep(wait).await,
                None => tokio::time::sleep(wait).await,
            }
        }
    }

    /// [`Client::send`], then the body parsed as JSON when the status is a success; any other
    /// status becomes [`HttpError::Status`] with the body.
    pub async fn get_json<T, F>(&self, path: &str, build: F) -> Result<T, HttpError>
    where
        T: serde::de::DeserializeOwned,
        F: Fn(&reqwest::Client) -> RequestBuilder,
    {
        let resp = self.send(path, build).await?;
        self.json(path, resp).await
    }

    /// Reads a response's body as JSON of type `T`, or its status and body as an error.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, path: &str, resp: Response) -> Result<T, HttpError> {
        let status = resp.status();
        let body = resp.text().await.map_err(|source| HttpError::Transport {
            service: self.service,
            path: path.into(),
            attempts: 1,
            source: source.without_url(),
        })?;
        if !status.is_success() {
            return Err(HttpError::Status { service: self.service, path: path.into(), status: status.as_u16(), body });
        }
        serde_json::from_str(&body).map_err(|source| HttpError::Json { service: self.service, path: path.into(), source })
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        (self.policy.base_backoff * factor).min(self.policy.max_backoff)
    }

    fn gave_up(&self, path: &str, status: u16, attempts: u32, body: String) -> HttpError {
        HttpError::GaveUp { service: self.service, path: path.into(), status, attempts, body }
    }
}

/// `Retry-After` in seconds (the form Spotify and ReccoBeats send).
fn retry_after(resp: &Response) -> Option<Duration> {
    let value = resp.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
