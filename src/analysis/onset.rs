//! The onset envelope and the onset rate.
//!
//! The envelope is the spectral flux of the log-compressed magnitude spectrum: per short frame,
//! `Σ_k max(0, log(1 + 100·|X_k|) − log(1 + 100·|X'_k|))` against the previous frame — one
//! value per hop (86.13 per second). Tempo and danceability read it; it is 4 bytes per hop
//! (1.2 MB for an 8-hour file).
//!
//! Onsets are the envelope's peaks: a local maximum within ±50 ms, above 1.5 × the mean of the
//! surrounding second plus 5 % of the track's 99th-percentile flux and above an absolute
//! [`MIN_FLUX`] (a steady tone's numerical jitter is no onset), at least 50 ms after the
//! previous onset. The onset rate is onsets per second of the analysed duration.

use super::frames::frame_rate;

/// The least flux an onset has (a note starting at −40 dBFS has about 50).
pub const MIN_FLUX: f64 = 2.0;
/// Log compression factor of the flux.
const GAMMA: f32 = 100.0;

/// Builds the envelope frame by frame.
#[derive(Debug, Default, Clone)]
pub struct OnsetEnvelope {
    prev: Vec<f32>,
    pub values: Vec<f32>,
}

impl OnsetEnvelope {
    pub fn frame(&mut self, mag: &[f32]) {
        if self.prev.len() != mag.len() {
            self.prev = vec![0.0; mag.len()];
        }
        let mut flux = 0.0f32;
        for (p, m) in self.prev.iter_mut().zip(mag) {
            let l = (1.0 + GAMMA * m).ln();
            let d = l - *p;
            if d > 0.0 {
                flux += d;
            }
            *p = l;
        }
        // the first frame compares with silence: not an onset of its own
        self.values.push(if self.values.is_empty() { 0.0 } else { flux });
    }
}

/// The frame indices of the onsets of `env`.
pub fn onsets(env: &[f32]) -> Vec<usize> {
    let fps = frame_rate();
    let near = (0.05 * fps).round() as usize;
    let second = fps.round() as usize;
    if env.len() < 3 {
        return Vec::new();
    }
    let mut sorted: Vec<f32> = env.to_vec();
    sorted.sort_by(f32::total_cmp);
    let p99 = sorted[((sorted.len() - 1) as f64 * 0.99) as usize] as f64;
    if p99 <= 0.0 {
        return Vec::new();
    }
    // prefix sums for the moving mean
    let mut prefix = vec![0f64; env.len() + 1];
    for (i, v) in env.iter().enumerate() {
        prefix[i + 1] = prefix[i] + *v as f64;
    }
    let mut out: Vec<usize> = Vec::new();
    for i in 0..env.len() {
        let v = env[i] as f64;
        let (lo, hi) = (i.saturating_sub(near), (i + near + 1).min(env.len()));
        if env[lo..hi].iter().any(|x| (*x as f64) > v) {
            continue;
        }
        let (mlo, mhi) = (i.saturating_sub(second / 2), (i + second / 2 + 1).min(env.len()));
        let mean = (prefix[mhi] - prefix[mlo]) / (mhi - mlo) as f64;
        if v <= 1.5 * mean + 0.05 * p99 || v < MIN_FLUX {
            continue;
        }
        if out.last().is_some_and(|&last| i - last < near) {
            continue;
        }
        out.push(i);
    }
    out
}

/// Onsets per second.
pub fn onset_rate(env: &[f32]) -> f64 {
    if env.is_empty() {
        return 0.0;
    }
    onsets(env).len() as f64 / (env.len() as f64 / frame_rate())
}
