//! Mono downmix and resampling to the analysis rate ([`ANALYSIS_RATE`], 22 050 Hz).
//!
//! [`Resampler`] is a streaming windowed-sinc (Blackman window) polyphase resampler with 16
//! taps each side per output-rate sample period (so 32 at 44.1 kHz → 22.05 kHz, ~70 at 96 kHz):
//! the kernel is tabulated at [`PHASES`] fractional positions, and each output sample is the
//! dot product of the input samples around its position with the nearest phase's taps. When
//! downsampling, the cutoff is 0.95 × the output Nyquist frequency, so nothing above 10.5 kHz
//! aliases back. It keeps only its taps' history: memory does not grow with the file.

/// The rate every feature except loudness is computed at (loudness uses the file's own rate).
pub const ANALYSIS_RATE: u32 = 22_050;
const HALF_TAPS_PER_PERIOD: f64 = 16.0;
/// Fractional positions the kernel is tabulated at.
pub const PHASES: usize = 256;

/// Streaming resampler from `from` Hz to `to` Hz.
pub struct Resampler {
    step: f64,
    /// Taps per phase, `PHASES × 2·HALF_TAPS`.
    table: Vec<f32>,
    half_taps: usize,
    history: Vec<f32>,
    /// Position of the next output sample, in input samples relative to `history[0]`.
    pos: f64,
    passthrough: bool,
}

impl Resampler {
    pub fn new(from: u32, to: u32) -> Resampler {
        let step = from as f64 / to as f64;
        let cutoff = if step > 1.0 { 0.95 / step } else { 0.95 };
        #[allow(non_snake_case)]
        let HALF_TAPS = (HALF_TAPS_PER_PERIOD * step.max(1.0)).ceil() as usize;
        let taps = 2 * HALF_TAPS;
        let mut table = vec![0f32; PHASES * taps];
        for p in 0..PHASES {
            let frac = p as f64 / PHASES as f64;
            let mut sum = 0.0;
            for j in 0..taps {
                // tap j sits at input offset (j - HALF_TAPS + 1) from floor(pos); distance from pos:
                let x = (j as f64 - HALF_TAPS as f64 + 1.0) - frac;
                let sinc = if x.abs() < 1e-12 { 1.0 } else { (std::f64::consts::PI * cutoff * x).sin() / (std::f64::consts::PI * cutoff * x) };
                let n = (x + HALF_TAPS as f64) / (2.0 * HALF_TAPS as f64);
                let w = if (0.0..=1.0).contains(&n) {
                    0.42 - 0.5 * (2.0 * std::f64::consts::PI * n).cos() + 0.08 * (4.0 * std::f64::consts::PI * n).cos()
                } else {
                    0.0
                };
                let v = cutoff * sinc * w;
                table[p * taps + j] = v as f32;
                sum += v;
            }
            // unity gain at DC for every phase
            for j in 0..taps {
                table[p * taps + j] /= sum as f32;
            }
        }
        Resampler { step, table, half_taps: HALF_TAPS, history: vec![0.0; HALF_TAPS - 1], pos: 0.0, passthrough: from == to }
    }

    /// Resamples `input` (mono), appending to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.passthrough {
            out.extend_from_slice(input);
            return;
        }
        self.history.extend_from_slice(input);
        run(self, out);
        let drop = (self.pos as usize).min(self.history.len());
        self.history.drain(..drop);
        self.pos -= drop as f64;
    }
}

/// The output samples the history has all taps for, with 8-lane dot products: AVX registers
/// when the CPU has them, eight scalar lanes otherwise. Each lane adds its products in the same
/// order either way and the lanes are summed in a fixed order (no fused multiply-add), so the
/// samples are the same to the last bit on every machine.
fn run(r: &mut Resampler, out: &mut Vec<f32>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        return unsafe { run_avx(r, out) };
    }
    let taps = 2 * r.half_taps;
    // the history starts half_taps - 1 samples before the stream, so the output at `pos`
    // reads history[floor(pos) .. floor(pos) + taps] (pos ≥ 0: `as` truncates = floor).
    while (r.pos as usize) + taps <= r.history.len() {
        let (base, phase) = r.at();
        let k = &r.table[phase * taps..(phase + 1) * taps];
        out.push(dot(k, &r.history[base..base + taps]));
        r.pos += r.step;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn run_avx(r: &mut Resampler, out: &mut Vec<f32>) {
    use std::arch::x86_64::{_mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_setzero_ps, _mm256_storeu_ps};
    let taps = 2 * r.half_taps;
    let whole = taps / 8 * 8;
    while (r.pos as usize) + taps <= r.history.len() {
        let (base, phase) = r.at();
        let k = &r.table[phase * taps..(phase + 1) * taps];
        let x = &r.history[base..base + taps];
        let mut acc = _mm256_setzero_ps();
        let mut j = 0;
        while j < whole {
            // SAFETY: j + 8 <= whole <= taps = k.len() = x.len(): both loads are in bounds.
            let (a, b) = unsafe { (_mm256_loadu_ps(k.as_ptr().add(j)), _mm256_loadu_ps(x.as_ptr().add(j))) };
            acc = _mm256_add_ps(acc, _mm256_mul_ps(a, b));
            j += 8;
        }
        let mut lanes = [0f32; 8];
        // SAFETY: `lanes` holds 8 floats.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), acc) };
        let tail: f32 = k[whole..].iter().zip(&x[whole..]).map(|(a, b)| a * b).sum();
        out.push(reduce(lanes, tail));
        r.pos += r.step;
    }
}

impl Resampler {
    /// The first history index and the kernel phase of the next output sample.
    #[inline(always)]
    fn at(&self) -> (usize, usize) {
        let base = self.pos as usize;
        let frac = self.pos - base as f64;
        (base, ((frac * PHASES as f64 + 0.5) as usize).min(PHASES - 1))
    }
}

/// `Σ a_j·b_j` in eight lanes (lane `l` sums the products `j ≡ l mod 8` in order).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    reduce(lanes, tail)
}

#[inline(always)]
fn reduce(l: [f32; 8], tail: f32) -> f32 {
    (l[0] + l[4]) + (l[1] + l[5]) + (l[2] + l[6]) + (l[3] + l[7]) + tail
}

/// Averages interleaved `channels` into mono.
pub fn downmix(interleaved: &[f32], channels: usize, out: &mut Vec<f32>) {
    if channels <= 1 {
        out.extend_from_slice(interleaved);
        return;
    }
    let inv = 1.0 / channels as f32;
    if channels == 2 {
        out.extend(interleaved.chunks_exact(2).map(|f| (f[0] + f[1]) * inv));
        return;
    }
    out.extend(interleaved.chunks_exact(channels).map(|f| f.iter().sum::<f32>() * inv));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, hz: f64, secs: f64) -> Vec<f32> {
        (0..(rate as f64 * secs) as usize).map(|i| (2.0 * std::f64::consts::PI * hz * i as f64 / rate as f64).sin() as f32).collect()
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    /// 44.1 kHz and 48 kHz → 22.05 kHz: the length follows the ratio, a 1 kHz tone keeps its
    /// level, and a 15 kHz tone (above the new Nyquist) is removed instead of aliasing.
    #[test]
    fn resamples_in_chunks_without_aliasing() {
        for from in [44_100, 48_000, 96_000, 16_000] {
            let mut r = Resampler::new(from, ANALYSIS_RATE);
            let input = sine(from, 1000.0, 2.0);
            let mut out = Vec::new();
            for chunk in input.chunks(1000) {
                r.process(chunk, &mut out);
            }
            let want = 2.0 * ANALYSIS_RATE as f64;
            assert!((out.len() as f64 - want).abs() < 40.0, "{from}: {} samples", out.len());
            let level = rms(&out[2000..out.len() - 2000]);
            assert!((level - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01, "{from}: rms {level}");
            if from > 40_000 {
                let mut r = Resampler::new(from, ANALYSIS_RATE);
                let mut out = Vec::new();
                r.process(&sine(from, 15_000.0, 1.0), &mut out);
                assert!(rms(&out[1000..]) < 0.01, "{from}: 15 kHz leaks at {}", rms(&out[1000..]));
            }
        }
    }
}
