//! [`TrackAnalyzer`]: one track's samples in, its [`Features`] out, streaming.
//!
//! Interleaved samples at the file's rate go to the loudness meter as they are, and — mixed
//! to mono and resampled to 22 050 Hz — to the framer, whose frames feed the timbre
//! descriptors, the onset envelope and the chromagram. Only the onset envelope grows with the
//! track (4 bytes per 11.6 ms); everything else is a fixed-size running sum.

use super::danceability::danceability;
use super::features::{Features, energy};
use super::frames::{ANALYSIS_RATE, FrameSink, Framer};
use super::key::Chroma;
use super::loudness::Meter;
use super::onset::{OnsetEnvelope, onset_rate};
use super::resample::{Resampler, downmix};
use super::spectral::Spectral;
use super::tempo;

struct Sinks {
    spectral: Spectral,
    onset: OnsetEnvelope,
    chroma: Chroma,
}

impl FrameSink for Sinks {
    fn frame(&mut self, samples: &[f32], magnitude: &[f32]) {
        self.spectral.frame(samples, magnitude);
        self.onset.frame(magnitude);
    }
    fn chroma_frame(&mut self, magnitude: &[f32]) {
        self.chroma.frame(magnitude);
    }
}

pub struct TrackAnalyzer {
    channels: usize,
    rate: u32,
    frames_in: u64,
    meter: Meter,
    resampler: Resampler,
    framer: Framer,
    sinks: Sinks,
    mono: Vec<f32>,
    resampled: Vec<f32>,
}

impl TrackAnalyzer {
    pub fn new(channels: usize, rate: u32) -> TrackAnalyzer {
        let channels = channels.max(1);
        TrackAnalyzer {
            channels,
            rate,
            frames_in: 0,
            meter: Meter::new(channels, rate),
            resampler: Resampler::new(rate, ANALYSIS_RATE),
            framer: Framer::new(),
            sinks: Sinks { spectral: Spectral::default(), onset: OnsetEnvelope::default(), chroma: Chroma::default() },
            mono: Vec::new(),
            resampled: Vec::new(),
        }
    }

    /// Interleaved samples in −1..1.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.frames_in += (interleaved.len() / self.channels) as u64;
        self.meter.push(interleaved);
        self.mono.clear();
        downmix(interleaved, self.channels, &mut self.mono);
        self.resampled.clear();
        self.resampler.process(&self.mono, &mut self.resampled);
        self.framer.push(&self.resampled, &mut self.sinks);
    }

    /// Samples per channel seen so far.
    pub fn frames(&self) -> u64 {
        self.frames_in
    }

    pub fn finish(self) -> Features {
        let env = &self.sinks.onset.values;
        let loud = self.meter.finish();
        let spectral = self.sinks.spectral.summary();
        let onsets = onset_rate(env);
        let flux = if env.is_empty() { 0.0 } else { env.iter().map(|v| *v as f64).sum::<f64>() / env.len() as f64 / (super::frames::FRAME / 2 + 1) as f64 };
        let t = tempo::estimate(env);
        let key = self.sinks.chroma.key();
        Features {
            duration_s: self.frames_in as f64 / self.rate as f64,
            tempo_bpm: t.map(|t| t.bpm),
            tempo_confidence: t.map(|t| t.confidence),
            key: key.map(|k| k.key),
            mode: key.map(|k| k.mode),
            key_strength: key.map(|k| k.strength),
            loudness_lufs: loud.integrated,
            loudness_range_lu: loud.range,
            danceability: danceability(env),
            energy: energy(loud.integrated, onsets, flux, spectral.entropy),
            spectral_centroid_hz: spectral.centroid_hz,
            spectral_rolloff_hz: spectral.rolloff_hz,
            spectral_flatness: spectral.flatness,
            spectral_entropy: spectral.entropy,
            spectral_flux: flux,
            zcr: spectral.zcr,
            onset_rate: onsets,
        }
    }
}

/// The features of a whole in-memory signal (tests and the synthetic benches).
pub fn analyze_samples(interleaved: &[f32], channels: usize, rate: u32) -> Features {
    let mut a = TrackAnalyzer::new(channels, rate);
    for chunk in interleaved.chunks(4096 * channels.max(1)) {
        a.push(chunk);
    }
    a.finish()
}
