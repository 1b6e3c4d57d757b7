//! Tempo: BPM and confidence from the onset envelope.
//!
//! The envelope (mean removed) is compared with pulse trains of every tempo from 40 to
//! 240 BPM: the score of a tempo `f` (beats per second) is
//! `Σ_{h=1..4} |X(h·f)| − Σ_{h=1..4} (|X((h − ½)·f)| + ½|X((h − ⅓)·f)| + ½|X((h − ⅔)·f)|)`,
//! where `X(ν)` is the envelope's Fourier transform at frequency ν (one FFT of the envelope
//! zero-padded to at least [`OVERSAMPLE`] × its length, read with linear interpolation between
//! bins: 0.02 BPM apart at the fundamental of a 3-minute track). The first sum is the energy
//! a beat grid at `f` explains; the others are energy *between* its beats, which means the true
//! pulse is slower (a half or a third) — this is what keeps a 60 BPM click from reading 120 or
//! 180. The grid is searched every 0.5 BPM, then
//! refined to 0.01 BPM around the best three.
//!
//! **Half/double prior.** Real music puts energy on both the beat and its subdivisions, so the
//! score is multiplied by a log-normal prior on tempo, centred at 120 BPM with a spread of one
//! octave (`exp(−½·log2(bpm/120)²)`) — librosa's default prior, which also stands behind
//! Spotify's tempo range. A clear pulse wins over the prior: the prior changes a score by at
//! most ×0.6 across 60–240 BPM, while missing the between-beat energy halves it.
//!
//! **Confidence** is `1 − second/best`, where `second` is the best score of a tempo that is not
//! within 3 % of the winner or of its half, double, ⅔ or 3⁄2 (0: no clear pulse, 1: one tempo).
//!
//! Only the central 240 s of the envelope are read: a long file's tempo is that of its middle,
//! and an 8-hour mix costs no more than a song.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex32;

use super::frames::frame_rate;

pub const MIN_BPM: f64 = 40.0;
pub const MAX_BPM: f64 = 240.0;
/// Centre of the prior (BPM).
pub const PRIOR_CENTRE: f64 = 120.0;
/// Spread of the prior, in octaves.
pub const PRIOR_OCTAVES: f64 = 1.0;
/// The longest stretch of envelope read, seconds.
pub const WINDOW_SECS: f64 = 240.0;
/// The envelope's spectrum is sampled this many times finer than its length resolves.
pub const OVERSAMPLE: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tempo {
    pub bpm: f64,
    pub confidence: f64,
}

/// `|X(ν)|` of an envelope, from its zero-padded FFT.
struct Spectrum {
    /// Magnitudes of bins `0 ..= n/2`.
    mag: Vec<f32>,
    /// Bins per Hz.
    per_hz: f64,
}

impl Spectrum {
    fn new(env: &[f32], fps: f64) -> Spectrum {
        let n = (env.len() * OVERSAMPLE).next_power_of_two();
        let mut buf: Vec<Complex32> = env.iter().map(|v| Complex32::new(*v, 0.0)).collect();
        buf.resize(n, Complex32::default());
        FftPlanner::new().plan_fft_forward(n).process(&mut buf);
        let mag = buf[..=n / 2].iter().map(|c| (c.re * c.re + c.im * c.im).sqrt()).collect();
        Spectrum { mag, per_hz: n as f64 / fps }
    }

    fn at(&self, hz: f64) -> f64 {
        let pos = (hz * self.per_hz).abs();
        let i = pos.floor() as usize;
        let frac = pos - i as f64;
        match (self.mag.get(i), self.mag.get(i + 1)) {
            (Some(a), Some(b)) => *a as f64 + frac * (*b as f64 - *a as f64),
            (Some(a), None) => *a as f64,
            _ => 0.0,
        }
    }
}

fn prior(bpm: f64) -> f64 {
    let o = (bpm / PRIOR_CENTRE).log2() / PRIOR_OCTAVES;
    (-0.5 * o * o).exp()
}

fn raw_score(x: &Spectrum, fps: f64, bpm: f64) -> f64 {
    let f = bpm / 60.0;
    let mut s = 0.0;
    for h in 1..=4 {
        let h = h as f64;
        if h * f < fps / 2.0 {
            s += x.at(h * f);
        }
        s -= x.at((h - 0.5) * f);
        s -= 0.5 * (x.at((h - 1.0 / 3.0) * f) + x.at((h - 2.0 / 3.0) * f));
    }
    s
}

fn score(x: &Spectrum, fps: f64, bpm: f64) -> f64 {
    raw_score(x, fps, bpm) * prior(bpm)
}

/// The tempo of an onset envelope sampled at [`frame_rate`]; `None` when it has no pulse.
pub fn estimate(envelope: &[f32]) -> Option<Tempo> {
    let fps = frame_rate();
    let max_len = (WINDOW_SECS * fps) as usize;
    let env = if envelope.len() > max_len {
        let start = (envelope.len() - max_len) / 2;
        &envelope[start..start + max_len]
    } else {
        envelope
    };
    if env.len() < (4.0 * fps) as usize {
        return None;
    }
    let mean = env.iter().map(|v| *v as f64).sum::<f64>() / env.len() as f64;
    let centred: Vec<f32> = env.iter().map(|v| (*v as f64 - mean) as f32).collect();
    let spectrum = Spectrum::new(&centred, fps);
    let coarse: Vec<(f64, f64)> = (0..=((MAX_BPM - MIN_BPM) / 0.5) as usize)
        .map(|i| {
            let bpm = MIN_BPM + 0.5 * i as f64;
            (bpm, score(&spectrum, fps, bpm))
        })
        .collect();
    // local maxima of the coarse grid, best first
    let mut peaks: Vec<(f64, f64)> = (0..coarse.len())
        .filter(|&i| (i == 0 || coarse[i].1 >= coarse[i - 1].1) && (i + 1 == coarse.len() || coarse[i].1 >= coarse[i + 1].1))
        .map(|i| coarse[i])
        .collect();
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut refined: Vec<(f64, f64)> = peaks
        .iter()
        .take(3)
        .map(|&(bpm, _)| {
            (0..=100)
                .map(|j| {
                    let b = bpm - 0.5 + 0.01 * j as f64;
                    (b, score(&spectrum, fps, b))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap_or((bpm, f64::MIN))
        })
        .collect();
    refined.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (bpm, best) = *refined.first()?;
    if best <= 0.0 {
        return None;
    }
    let related = |b: f64| [1.0, 0.5, 2.0, 2.0 / 3.0, 1.5].iter().any(|r| (b / (bpm * r) - 1.0).abs() < 0.03);
    let second = peaks.iter().filter(|(b, _)| !related(*b)).map(|(_, s)| *s).fold(0.0f64, f64::max);
    Some(Tempo { bpm, confidence: (1.0 - second / best).clamp(0.0, 1.0) })
}
