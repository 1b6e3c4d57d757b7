//! musicnn's input: the log-compressed mel spectrogram, computed as musicnn's `batch_data`
//! does with librosa, streaming.
//!
//! 16 kHz mono; frames of 512 samples every 256 (`center=True`: the signal is padded with 256
//! zeros each side, librosa ≥ 0.10's `pad_mode="constant"`), a periodic Hann window, the power
//! spectrum, 96 mel bands from 0 to 8 kHz on the Slaney scale with Slaney area normalisation
//! (librosa's `filters.mel` defaults), rounded to float16 as musicnn stores it, then
//! `log10(10000·x + 1)`. [`PATCH_FRAMES`] (187) consecutive frames make one 3-second patch;
//! patches do not overlap and a shorter tail is dropped (musicnn's `input_overlap=False`).

use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

pub const RATE: u32 = 16_000;
pub const N_FFT: usize = 512;
pub const HOP: usize = 256;
pub const N_MELS: usize = 96;
/// Frames per patch: `librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1`.
pub const PATCH_FRAMES: usize = 187;
const BINS: usize = N_FFT / 2 + 1;

fn hz_to_mel(hz: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= min_log_hz { min_log_hz / f_sp + (hz / min_log_hz).ln() / logstep } else { hz / f_sp }
}

fn mel_to_hz(mel: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_mel = 1000.0 / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel { 1000.0 * (logstep * (mel - min_log_mel)).exp() } else { f_sp * mel }
}

/// One mel band: its first FFT bin and its weights from there.
#[derive(Debug, Clone)]
struct Band {
    first: usize,
    weights: Vec<f32>,
}

/// librosa's `filters.mel(sr=16000, n_fft=512, n_mels=96)` (float32), kept sparse.
fn filterbank() -> Vec<Band> {
    let fmax = RATE as f64 / 2.0;
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(fmax));
    let mel_f: Vec<f64> = (0..N_MELS + 2).map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (N_MELS + 1) as f64)).collect();
    let fft_f: Vec<f64> = (0..BINS).map(|k| fmax * k as f64 / (BINS - 1) as f64).collect();
    (0..N_MELS)
        .map(|i| {
            let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
            let w: Vec<f32> = fft_f
                .iter()
                .map(|f| {
                    let lower = (f - mel_f[i]) / (mel_f[i + 1] - mel_f[i]);
                    let upper = (mel_f[i + 2] - f) / (mel_f[i + 2] - mel_f[i + 1]);
                    (lower.min(upper).max(0.0) * enorm) as f32
                })
                .collect();
            let first = w.iter().position(|v| *v > 0.0).unwrap_or(0);
            let last = w.iter().rposition(|v| *v > 0.0).unwrap_or(0);
            Band { first, weights: w[first..=last.max(first)].to_vec() }
        })
        .collect()
}

/// `x` rounded to the nearest float16 (ties to even), as `numpy.astype(np.float16)`; values
/// past float16's range become infinite.
pub fn round_f16(x: f32) -> f32 {
    let a = x.abs();
    if !a.is_finite() || a == 0.0 {
        return x;
    }
    if a >= 65520.0 {
        return f32::INFINITY.copysign(x);
    }
    // float16 spacing at `a`: 2^(e-10) for its normals, 2^-24 below 2^-14; a/q is exact
    let e = ((a.to_bits() >> 23) as i32 - 127).max(-14);
    let q = 2f32.powi(e - 10);
    ((a / q).round_ties_even() * q).copysign(x)
}

/// musicnn's compression of one mel value.
pub fn compress(mel: f32) -> f32 {
    (10000.0 * round_f16(mel) + 1.0).log10()
}

/// Streaming log-mel frames at 16 kHz, grouped into patches.
pub struct MelPatches {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    bands: Vec<Band>,
    /// Samples not yet framed (starts with the 256 zeros of `center=True`).
    pending: Vec<f32>,
    spectrum: Vec<Complex32>,
    scratch: Vec<Complex32>,
    power: Vec<f32>,
    /// The patch being filled, frame-major (`[frame][band]`).
    patch: Vec<f32>,
}

impl Default for MelPatches {
    fn default() -> Self {
        Self::new()
    }
}

impl MelPatches {
    pub fn new() -> MelPatches {
        let fft = FftPlanner::new().plan_fft_forward(N_FFT);
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        let window = (0..N_FFT).map(|n| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * n as f64 / N_FFT as f64).cos()) as f32).collect();
        MelPatches {
            fft,
            window,
            bands: filterbank(),
            pending: vec![0.0; N_FFT / 2],
            spectrum: vec![Complex32::default(); N_FFT],
            scratch,
            power: vec![0.0; BINS],
            patch: Vec::with_capacity(PATCH_FRAMES * N_MELS),
        }
    }

    /// 16 kHz mono samples in; every completed patch (`PATCH_FRAMES × N_MELS`) goes to `done`.
    pub fn push(&mut self, samples: &[f32], done: &mut impl FnMut(&[f32])) {
        self.pending.extend_from_slice(samples);
        let mut start = 0;
        while start + N_FFT <= self.pending.len() {
            self.frame(start, done);
            start += HOP;
        }
        self.pending.drain(..start);
    }

    /// The end of the track: the last frames over the closing 256 zeros.
    pub fn finish(&mut self, done: &mut impl FnMut(&[f32])) {
        self.push(&[0.0; N_FFT / 2], done);
    }

    fn frame(&mut self, start: usize, done: &mut impl FnMut(&[f32])) {
        for (i, c) in self.spectrum.iter_mut().enumerate() {
            *c = Complex32::new(self.pending[start + i] * self.window[i], 0.0);
        }
        self.fft.process_with_scratch(&mut self.spectrum, &mut self.scratch);
        for (p, c) in self.power.iter_mut().zip(&self.spectrum) {
            *p = c.norm_sqr();
        }
        for b in &self.bands {
            let mel: f32 = b.weights.iter().zip(&self.power[b.first..]).map(|(w, p)| w * p).sum();
            self.patch.push(compress(mel));
        }
        if self.patch.len() == PATCH_FRAMES * N_MELS {
            done(&self.patch);
            self.patch.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float16_rounding_matches_numpy() {
        // np.float16 of these values, printed with float32 precision
        assert_eq!(round_f16(1.0), 1.0);
        assert_eq!(round_f16(0.1), 0.099975586);
        assert_eq!(round_f16(3.14159), 3.140625);
        assert_eq!(round_f16(1000.7), 1000.5);
        assert_eq!(round_f16(1e-6), 1.013279e-6);
        assert_eq!(round_f16(70000.0), f32::INFINITY);
        // a tie (1 + 2^-11) goes to the even neighbour, 1.0
        assert_eq!(round_f16(1.0 + 2f32.powi(-11)), 1.0);
    }

    #[test]
    fn filterbank_is_librosas() {
        let b = filterbank();
        assert_eq!(b.len(), N_MELS);
        // librosa.filters.mel(sr=16000, n_fft=512, n_mels=96): band 0 is bin 1 alone
        assert_eq!(b[0].first, 1);
        assert!((b[0].weights[0] - 0.031_999_22).abs() < 1e-7, "{:?}", b[0].weights);
        // the top band ends below Nyquist's bin
        assert!(b[95].first + b[95].weights.len() <= BINS);
    }

    #[test]
    fn one_patch_per_187_frames() {
        let mut m = MelPatches::new();
        let mut n = 0;
        // 1 + len/256 frames: 187 frames need 186·256 samples
        m.push(&vec![0.0; 186 * 256 - 1], &mut |_| n += 1);
        m.finish(&mut |_| n += 1);
        assert_eq!(n, 0);
        let mut m = MelPatches::new();
        m.push(&vec![0.0; 186 * 256], &mut |p| {
            assert!(p.iter().all(|v| *v == 0.0));
            n += 1
        });
        m.finish(&mut |_| n += 1);
        assert_eq!(n, 1);
    }
}
