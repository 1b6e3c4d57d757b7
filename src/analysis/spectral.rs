//! Frame-level timbre descriptors, averaged over the non-silent frames of a track.
//!
//! Per short frame (power spectrum `p_k = |X_k|²`, bin frequencies `f_k`):
//! - **centroid**: `Σ f_k p_k / Σ p_k` (Hz);
//! - **rolloff**: the frequency below which 85 % of the power lies (Hz);
//! - **flatness**: geometric over arithmetic mean of the power (0 tonal … 1 white noise);
//! - **entropy**: Shannon entropy of the normalised power, over `ln(bins)` (0 … 1);
//! - **zero-crossing rate**: sign changes per sample of the frame's second half (the part
//!   no earlier frame counted), so each sample is counted once.
//!
//! A frame whose RMS is below −60 dBFS is silence and does not count in the averages.

use super::frames::{ANALYSIS_RATE, FRAME, HOP};

/// Running sums of the descriptors.
#[derive(Debug, Default, Clone)]
pub struct Spectral {
    frames: u64,
    centroid: f64,
    rolloff: f64,
    flatness: f64,
    entropy: f64,
    crossings: u64,
    samples: u64,
    last_sign: bool,
}

/// The averages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralSummary {
    pub centroid_hz: f64,
    pub rolloff_hz: f64,
    pub flatness: f64,
    pub entropy: f64,
    pub zcr: f64,
}

/// RMS below which a frame is silence (−60 dBFS).
pub const SILENCE_RMS: f64 = 1e-3;

impl Spectral {
    pub fn frame(&mut self, samples: &[f32], mag: &[f32]) {
        for &s in &samples[FRAME - HOP..] {
            let sign = s >= 0.0;
            if sign != self.last_sign && self.samples > 0 {
                self.crossings += 1;
            }
            self.last_sign = sign;
            self.samples += 1;
        }
        let rms = (samples.iter().map(|s| (*s as f64).powi(2)).sum::<f64>() / samples.len() as f64).sqrt();
        if rms < SILENCE_RMS {
            return;
        }
        let bin_hz = ANALYSIS_RATE as f64 / FRAME as f64;
        let mut total = 0.0;
        let mut weighted = 0.0;
        let mut log_sum = 0.0;
        let mut p_log_p = 0.0;
        for (k, m) in mag.iter().enumerate() {
            // the logarithm in f32 (half the cost of f64's, ample for a mean of 513)
            let pf = m * m + 1e-20;
            let p = pf as f64;
            let l = pf.ln() as f64;
            total += p;
            weighted += p * k as f64 * bin_hz;
            log_sum += l;
            p_log_p += p * l;
        }
        let n = mag.len() as f64;
        let mut cum = 0.0;
        let mut roll = 0.0;
        for (k, m) in mag.iter().enumerate() {
            if cum >= 0.85 * total {
                break;
            }
            cum += (m * m + 1e-20) as f64;
            roll = k as f64 * bin_hz;
        }
        // −Σ q·ln q with q = p / total, from one logarithm per bin
        let entropy = total.ln() - p_log_p / total;
        self.frames += 1;
        self.centroid += weighted / total;
        self.rolloff += roll;
        self.flatness += (log_sum / n).exp() / (total / n);
        self.entropy += entropy / n.ln();
    }

    pub fn summary(&self) -> SpectralSummary {
        let n = self.frames.max(1) as f64;
        SpectralSummary {
            centroid_hz: self.centroid / n,
            rolloff_hz: self.rolloff / n,
            flatness: self.flatness / n,
            entropy: self.entropy / n,
            zcr: if self.samples == 0 { 0.0 } else { self.crossings as f64 / self.samples as f64 },
        }
    }
}
