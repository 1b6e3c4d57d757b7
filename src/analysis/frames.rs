//! The streaming short-time Fourier transform every spectral feature reads.
//!
//! [`Framer`] takes mono samples at [`ANALYSIS_RATE`] in any chunk size and calls back once
//! per hop: every [`HOP`] samples (11.6 ms) with the magnitude spectrum of the last
//! [`FRAME`] samples (Hann window, 46 ms, 10.8 Hz bins) and the frame's samples; every
//! [`CHROMA_EVERY`] hops also with the spectrum of the last [`CHROMA_FRAME`] samples
//! (372 ms, 2.7 Hz bins, fine enough to tell semitones apart from 100 Hz up). It holds at most
//! `4 × CHROMA_FRAME` samples (128 KB) whatever the track's length.

use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

pub use super::resample::ANALYSIS_RATE;

/// Short frame length (samples at 22 050 Hz).
pub const FRAME: usize = 1024;
/// Hop between short frames: 256 samples, 86.13 frames per second.
pub const HOP: usize = 256;
/// Long frame for chroma.
pub const CHROMA_FRAME: usize = 8192;
/// A chroma frame every 16 hops (186 ms).
pub const CHROMA_EVERY: usize = 16;

/// Frames per second of the onset envelope.
pub fn frame_rate() -> f64 {
    ANALYSIS_RATE as f64 / HOP as f64
}

/// Receives the frames.
pub trait FrameSink {
    /// One short frame: its time-domain samples and magnitude spectrum (`FRAME/2 + 1` bins).
    fn frame(&mut self, samples: &[f32], magnitude: &[f32]);
    /// One long frame's magnitude spectrum (`CHROMA_FRAME/2 + 1` bins).
    fn chroma_frame(&mut self, magnitude: &[f32]);
}

struct Transform {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    buf: Vec<Complex32>,
    scratch: Vec<Complex32>,
    mag: Vec<f32>,
}

impl Transform {
    fn new(planner: &mut FftPlanner<f32>, n: usize) -> Transform {
        let fft = planner.plan_fft_forward(n);
        let window = (0..n).map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()) as f32).collect();
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        Transform { fft, window, buf: vec![Complex32::default(); n], scratch, mag: vec![0.0; n / 2 + 1] }
    }

    /// Magnitudes of the windowed `x`, scaled so a full-scale sine peaks near 1.
    fn run(&mut self, x: &[f32]) -> &[f32] {
        let n = self.window.len();
        for i in 0..n {
            self.buf[i] = Complex32::new(x[i] * self.window[i], 0.0);
        }
        self.fft.process_with_scratch(&mut self.buf, &mut self.scratch);
        let scale = 4.0 / n as f32;
        for (m, c) in self.mag.iter_mut().zip(&self.buf) {
            *m = (c.re * c.re + c.im * c.im).sqrt() * scale;
        }
        &self.mag
    }
}

/// Length of the sample buffer: the last `CHROMA_FRAME` samples are moved to its start only
/// when it is full, once every `RING - CHROMA_FRAME` samples.
const RING: usize = 4 * CHROMA_FRAME;

/// The streaming framer.
pub struct Framer {
    ring: Vec<f32>,
    filled: usize,
    /// Samples seen, up to `CHROMA_FRAME`.
    seen: usize,
    since_hop: usize,
    hops: usize,
    short: Transform,
    long: Transform,
    tmp: Vec<f32>,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new()
    }
}

impl Framer {
    pub fn new() -> Framer {
        let mut planner = FftPlanner::new();
        Framer {
            ring: vec![0.0; RING],
            filled: 0,
            seen: 0,
            since_hop: 0,
            hops: 0,
            short: Transform::new(&mut planner, FRAME),
            long: Transform::new(&mut planner, CHROMA_FRAME),
            tmp: Vec::with_capacity(CHROMA_FRAME),
        }
    }

    /// Feeds samples; calls `sink` for every completed hop.
    pub fn push(&mut self, mut samples: &[f32], sink: &mut impl FrameSink) {
        while !samples.is_empty() {
            let n = (HOP - self.since_hop).min(samples.len());
            if self.filled + n > RING {
                let keep = self.filled.min(CHROMA_FRAME);
                self.ring.copy_within(self.filled - keep..self.filled, 0);
                self.filled = keep;
            }
            self.ring[self.filled..self.filled + n].copy_from_slice(&samples[..n]);
            self.filled += n;
            self.seen = (self.seen + n).min(CHROMA_FRAME);
            self.since_hop += n;
            samples = &samples[n..];
            if self.since_hop == HOP {
                self.since_hop = 0;
                if self.seen >= FRAME {
                    self.emit(sink);
                }
            }
        }
    }

    fn emit(&mut self, sink: &mut impl FrameSink) {
        let end = self.filled;
        self.tmp.clear();
        self.tmp.extend_from_slice(&self.ring[end - FRAME..end]);
        let mag = self.short.run(&self.tmp);
        sink.frame(&self.tmp, mag);
        self.hops += 1;
        if self.hops % CHROMA_EVERY == 0 && self.seen >= CHROMA_FRAME {
            let mag = self.long.run(&self.ring[end - CHROMA_FRAME..end]);
            sink.chroma_frame(mag);
        }
    }
}
