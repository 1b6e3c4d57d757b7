//! The time source every waiting client shares: [`Clock`] is "how long since the start" and
//! "wait this long". [`SystemClock`] is the real, monotonic one (tokio sleeps); [`ManualClock`]
//! stands still until someone sleeps, and `sleep` moves it forward at once, so tests run minutes
//! of rate-limited or token-expiring traffic in milliseconds, the fake servers stamping their
//! logs with the same clock.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

/// A boxed wait, as [`Clock::sleep`] returns (the same type as `http::PacerFuture`).
pub type Sleep<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A time source: time elapsed since the clock started, and a way to wait.
pub trait Clock: Send + Sync {
    fn now(&self) -> Duration;
    fn sleep(&self, wait: Duration) -> Sleep<'_>;
}

/// The real clock (monotonic), sleeping with tokio.
#[derive(Debug)]
pub struct SystemClock {
    start: std::time::Instant,
}

impl SystemClock {
    pub fn new() -> Self {
        SystemClock { start: std::time::Instant::now() }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn sleep(&self, wait: Duration) -> Sleep<'_> {
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A test clock: stands still until someone sleeps, and `sleep` moves it forward at once.
#[derive(Debug, Default)]
pub struct ManualClock {
    now: Mutex<Duration>,
}

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }
    /// Moves the clock forward (time passing between requests).
    pub fn advance(&self, by: Duration) {
        *self.now.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap()
    }
    fn sleep(&self, wait: Duration) -> Sleep<'_> {
        self.advance(wait);
        Box::pin(tokio::task::yield_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manual clock moves only when told to or slept on, by exactly that much.
    #[test]
    fn manual_clock_moves_only_by_advance_and_sleep() {
        let c = ManualClock::new();
        assert_eq!(c.now(), Duration::ZERO);
        c.advance(Duration::from_millis(250));
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(c.sleep(Duration::from_secs(7)));
        assert_eq!(c.now(), Duration::from_millis(7250));
    }
}
