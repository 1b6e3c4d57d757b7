//! Danceability: detrended-fluctuation analysis of the onset envelope, after Streich & Herrera
//! (2005), "Detrended fluctuation analysis of music signals: danceability estimation and
//! further semantic characterization".
//!
//! The envelope (mean removed) is integrated into a profile `y`. For 12 window lengths τ spaced
//! geometrically from 0.31 s to 8.8 s (the range of the paper), `y` is cut into windows of τ,
//! a straight line is fitted in each, and `F(τ)` is the RMS of the residuals. The DFA exponents
//! `α` are the slopes of `log F` over `log τ` between neighbouring window lengths. A steady
//! pulse makes the profile bounded beyond one beat, so `F` stops growing (α → 0); unrelated
//! events behave like noise (α ≈ 0.5 or more). Danceability is `mean over τ of 1 / (1 + 2α)`
//! (α clamped at 0), in 0..1: 1 for a perfectly steady pulse, 0.5 for white noise.

use super::frames::frame_rate;

const TAU_MIN_S: f64 = 0.31;
const TAU_MAX_S: f64 = 8.8;
const TAUS: usize = 12;

/// Fluctuation of `profile` at window length `tau` frames.
fn fluctuation(profile: &[f64], tau: usize) -> f64 {
    let windows = profile.len() / tau;
    if windows == 0 {
        return 0.0;
    }
    let n = tau as f64;
    let mean_x = (n - 1.0) / 2.0;
    let sxx: f64 = (0..tau).map(|i| (i as f64 - mean_x).powi(2)).sum();
    let mut total = 0.0;
    for w in 0..windows {
        let seg = &profile[w * tau..(w + 1) * tau];
        let mean_y = seg.iter().sum::<f64>() / n;
        let sxy: f64 = seg.iter().enumerate().map(|(i, y)| (i as f64 - mean_x) * (y - mean_y)).sum();
        let slope = sxy / sxx;
        total += seg.iter().enumerate().map(|(i, y)| (y - mean_y - slope * (i as f64 - mean_x)).powi(2)).sum::<f64>();
    }
    (total / (windows * tau) as f64).sqrt()
}

/// The DFA exponents of `envelope` between neighbouring window lengths.
pub fn exponents(envelope: &[f32]) -> Vec<f64> {
    let fps = frame_rate();
    let mean = envelope.iter().map(|v| *v as f64).sum::<f64>() / envelope.len().max(1) as f64;
    let mut acc = 0.0;
    let profile: Vec<f64> = envelope
        .iter()
        .map(|v| {
            acc += *v as f64 - mean;
            acc
        })
        .collect();
    let taus: Vec<usize> = (0..TAUS)
        .map(|i| (TAU_MIN_S * (TAU_MAX_S / TAU_MIN_S).powf(i as f64 / (TAUS - 1) as f64) * fps).round() as usize)
        .filter(|&t| t >= 3 && t * 2 <= profile.len())
        .collect();
    let f: Vec<(f64, f64)> = taus.iter().map(|&t| (t as f64, fluctuation(&profile, t))).filter(|(_, f)| *f > 0.0).collect();
    f.windows(2).map(|w| (w[1].1.ln() - w[0].1.ln()) / (w[1].0.ln() - w[0].0.ln())).collect()
}

/// Danceability in 0..1; `None` for an envelope too short to analyse (under 2 × 0.31 s).
pub fn danceability(envelope: &[f32]) -> Option<f64> {
    let alphas = exponents(envelope);
    if alphas.is_empty() {
        return None;
    }
    Some(alphas.iter().map(|a| 1.0 / (1.0 + 2.0 * a.max(0.0))).sum::<f64>() / alphas.len() as f64)
}
