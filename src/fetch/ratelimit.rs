//! Client-side rate limiting over a replaceable clock.
//!
//! [`Clock`] (in [`crate::clock`], re-exported here) is the time source: [`SystemClock`] in real
//! runs, [`ManualClock`] in tests (its `sleep` advances the clock at once, so ten minutes of
//! Discogs traffic run in milliseconds and the fake server, sharing the same clock, sees the
//! timestamps a real server would).
//! [`RateLimiter`] is an [`http::Pacer`](crate::http::Pacer): every attempt of the shared
//! `http::Client` (retries included) waits for a slot in a sliding window, and every response's
//! `X-Discogs-Ratelimit*` headers and 429s tighten it.
//!
//! The rules, in order:
//! 1. at most `limit` requests in any `window` (60 s) plus [`SAFETY_MARGIN`] (1 s): the
//!    configured limit, lowered to the server's `X-Discogs-Ratelimit` when that is smaller. The
//!    margin is there because the server counts on its own clock, when our requests arrive: a
//!    request sent exactly one window after the first of the last `limit` would land inside a
//!    server window that counts its ends (and draw a 429);
//! 2. when the server says `X-Discogs-Ratelimit-Remaining: 0`, or answers 429, the next request
//!    waits at least `window / limit` (one slot's worth) on top of rule 1 — the server counts
//!    requests we did not make (other programs on the same IP);
//! 3. the 429 itself is retried by `http::Client` after `Retry-After` (or its backoff), the wait
//!    going through this clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::http::ClockPacer;
use crate::http::{Pacer, PacerFuture};

/// How much longer than the window a request waits for its slot (rule 1).
pub const SAFETY_MARGIN: Duration = Duration::from_secs(1);

/// A sliding-window rate limiter honouring Discogs' rate-limit headers (see the module doc).
pub struct RateLimiter {
    clock: Arc<dyn Clock>,
    configured: u32,
    window: Duration,
    state: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    /// When our requests inside the current window went out (oldest first).
    sent: VecDeque<Duration>,
    /// The server's own limit, from `X-Discogs-Ratelimit`.
    server_limit: Option<u32>,
    /// No request before this instant (rule 2).
    hold_until: Duration,
    /// Total time spent waiting for a slot.
    waited: Duration,
}

impl RateLimiter {
    /// `requests_per_window` requests at most in any `window` (≥ 1 request).
    pub fn new(clock: Arc<dyn Clock>, requests_per_window: u32, window: Duration) -> Self {
        RateLimiter { clock, configured: requests_per_window.max(1), window, state: Mutex::new(LimiterState::default()) }
    }

    /// The limit in force: the configured one, or the server's when lower.
    pub fn limit(&self) -> u32 {
        let s = self.state.lock().unwrap();
        Self::effective(self.configured, &s)
    }

    /// Total time requests were held back so far.
    pub fn waited(&self) -> Duration {
        self.state.lock().unwrap().waited
    }

    fn effective(configured: u32, s: &LimiterState) -> u32 {
        s.server_limit.map_or(configured, |l| configured.min(l.max(1)))
    }

    /// Takes a slot now, or says how long to wait for one.
    fn try_acquire(&self) -> Result<(), Duration> {
        let now = self.clock.now();
        let window = self.window + SAFETY_MARGIN;
        let mut s = self.state.lock().unwrap();
        while s.sent.front().is_some_and(|&t| now.saturating_sub(t) >= window) {
            s.sent.pop_front();
        }
        if s.hold_until > now {
            return Err(s.hold_until - now);
        }
        let limit = Self::effective(self.configured, &s) as usize;
        if s.sent.len() >= limit {
            // The slot frees when the request `limit` places back leaves the window.
            let oldest = s.sent[s.sent.len() - limit];
            return Err((oldest + window).saturating_sub(now).max(Duration::from_millis(1)));
        }
        s.sent.push_back(now);
        Ok(())
    }

    /// Waits for a slot (the async form of [`Pacer::before_send`]).
    pub async fn acquire(&self) {
        loop {
            match self.try_acquire() {
                Ok(()) => return,
                Err(wait) => {
                    self.state.lock().unwrap().waited += wait;
                    self.clock.sleep(wait).await;
                }
            }
        }
    }

    /// Reads a response's rate-limit headers and status (rules 1 and 2).
    pub fn observe(&self, status: StatusCode, headers: &HeaderMap) {
        let num = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u32>().ok());
        let now = self.clock.now();
        let mut s = self.state.lock().unwrap();
        if let Some(limit) = num("x-discogs-ratelimit") {
            if s.server_limit != Some(limit) {
                tracing::debug!(limit, "server rate limit");
            }
            s.server_limit = Some(limit);
        }
        let exhausted = num("x-discogs-ratelimit-remaining") == Some(0) || status == StatusCode::TOO_MANY_REQUESTS;
        if exhausted {
            let slot = self.window / Self::effective(self.configured, &s);
            s.hold_until = s.hold_until.max(now + slot);
        }
    }
}

impl Pacer for RateLimiter {
    fn before_send(&self) -> PacerFuture<'_> {
        Box::pin(self.acquire())
    }
    fn on_response(&self, status: StatusCode, headers: &HeaderMap) {
        self.observe(status, headers);
    }
    fn sleep(&self, wait: Duration) -> PacerFuture<'_> {
        self.clock.sleep(wait)
    }
}

/// The largest number of instants in `times` (sorted) within `window` of each other, the ends
/// included: what a server counting a strict window (a request exactly one window after
/// another still counts with it) sees.
pub fn max_in_window_inclusive(times: &[Duration], window: Duration) -> usize {
    max_in_window(times, window + Duration::from_nanos(1))
}

/// The largest number of instants in `times` (sorted) that fall inside any window of `window`:
/// what a request log must keep at or under the limit.
pub fn max_in_window(times: &[Duration], window: Duration) -> usize {
    let mut best = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end].saturating_sub(times[start]) >= window {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
    }

    /// 150 requests at 60/min on a manual clock: never more than 60 in any 60 s, and the run
    /// takes the two minutes it must plus the margin (the 61st request waits for the first to
    /// leave the window, and one second more).
    #[test]
    fn sliding_window_holds_the_limit() {
        let clock = Arc::new(ManualClock::new());
        let limiter = RateLimiter::new(clock.clone(), 60, Duration::from_secs(60));
        let mut times = Vec::new();
        rt().block_on(async {
            for _ in 0..150 {
                limiter.acquire().await;
                times.push(clock.now());
                clock.advance(Duration::from_millis(100));
            }
        });
        assert_eq!(max_in_window(&times, Duration::from_secs(60)), 60);
        assert_eq!(times[60], Duration::from_secs(61), "the 61st waits for the 1st to age out, and the margin");
        assert_eq!(times[120], Duration::from_secs(122));
        assert_eq!(max_in_window_inclusive(&times, Duration::from_secs(60)), 60, "a window that counts its ends sees 60 too");
    }

    /// The server's `X-Discogs-Ratelimit: 25` lowers a configured 60.
    #[test]
    fn server_header_lowers_the_limit() {
        let clock = Arc::new(ManualClock::new());
        let limiter = RateLimiter::new(clock.clone(), 60, Duration::from_secs(60));
        let mut h = HeaderMap::new();
        h.insert("x-discogs-ratelimit", "25".parse().unwrap());
        h.insert("x-discogs-ratelimit-remaining", "24".parse().unwrap());
        limiter.observe(StatusCode::OK, &h);
        assert_eq!(limiter.limit(), 25);
        let mut times = Vec::new();
        rt().block_on(async {
            for _ in 0..60 {
                limiter.acquire().await;
                times.push(clock.now());
            }
        });
        assert_eq!(max_in_window(&times, Duration::from_secs(60)), 25);
    }

    /// `Remaining: 0` (someone else used the quota) holds the next request for one slot.
    #[test]
    fn remaining_zero_holds_the_next_request() {
        let clock = Arc::new(ManualClock::new());
        let limiter = RateLimiter::new(clock.clone(), 60, Duration::from_secs(60));
        let mut h = HeaderMap::new();
        h.insert("x-discogs-ratelimit-remaining", "0".parse().unwrap());
        limiter.observe(StatusCode::OK, &h);
        rt().block_on(limiter.acquire());
        assert_eq!(clock.now(), Duration::from_secs(1));
    }

    /// The sliding-window count treats instants a full window apart as separate windows.
    #[test]
    fn max_in_window_counts_a_sliding_window() {
        let s = |v: &[u64]| v.iter().map(|&x| Duration::from_secs(x)).collect::<Vec<_>>();
        // 10, 59, 60 and 61 fall within 51 s; 0 and 60 are a full window apart.
        assert_eq!(max_in_window(&s(&[0, 10, 59, 60, 61]), Duration::from_secs(60)), 4);
        assert_eq!(max_in_window(&s(&[0, 60, 120]), Duration::from_secs(60)), 1);
        assert_eq!(max_in_window(&[], Duration::from_secs(60)), 0);
    }
}
