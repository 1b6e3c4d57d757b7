//! [`TrackAnalyzer`]: one track's samples in, its [`Features`] out, streaming.
//!
//! Interleaved samples at the file's rate go to the loudness meter as they are, and — mixed
//! to mono and resampled to 22 050 Hz — to the framer, whose frames feed the timbre
//! descriptors, the onset envelope and the chromagram. Only the onset envelope grows with the
//! track (4 bytes per 11.6 ms); everything else is a fixed-size running sum. Each part's
//! time is kept in [`Phases`].

use super::danceability::danceability;
use super::features::{Features, energy};
use super::frames::{ANALYSIS_RATE, FrameSink, Framer};
use super::key::Chroma;
use super::loudness::Meter;
use super::onset::{OnsetEnvelope, onset_rate};
use super::phases::{Phases, timed};
use super::resample::{Resampler, downmix};
use super::spectral::Spectral;
use super::tempo;

struct Sinks {
    spectral: Spectral,
    onset: OnsetEnvelope,
    chroma: Chroma,
    /// Time in the sinks (the framer's own time is the rest of its push).
    phases: Phases,
}

impl FrameSink for Sinks {
    fn frame(&mut self, samples: &[f32], magnitude: &[f32]) {
        let (spectral, onset) = (&mut self.spectral, &mut self.onset);
        timed(&mut self.phases.rest, || spectral.frame(samples, magnitude));
        timed(&mut self.phases.onset_tempo, || onset.frame(magnitude));
    }
    fn chroma_frame(&mut self, magnitude: &[f32]) {
        let chroma = &mut self.chroma;
        timed(&mut self.phases.chroma_key, || chroma.frame(magnitude));
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
    phases: Phases,
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
            sinks: Sinks { spectral: Spectral::default(), onset: OnsetEnvelope::default(), chroma: Chroma::default(), phases: Phases::default() },
            mono: Vec::new(),
            resampled: Vec::new(),
            phases: Phases::default(),
        }
    }

    /// Interleaved samples in −1..1.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.frames_in += (interleaved.len() / self.channels) as u64;
        let meter = &mut self.meter;
        timed(&mut self.phases.loudness, || meter.push(interleaved));
        let (mono, resampled, resampler) = (&mut self.mono, &mut self.resampled, &mut self.resampler);
        let channels = self.channels;
        timed(&mut self.phases.resample, || {
            mono.clear();
            downmix(interleaved, channels, mono);
            resampled.clear();
            resampler.process(mono, resampled);
        });
        let (framer, sinks) = (&mut self.framer, &mut self.sinks);
        // the framer's time less what its sinks took is the STFT's
        timed(&mut self.phases.stft, || framer.push(resampled, sinks));
    }

    /// Samples per channel seen so far.
    pub fn frames(&self) -> u64 {
        self.frames_in
    }

    pub fn finish(self) -> Features {
        self.finish_timed().0
    }

    /// The features and the time each phase took.
    pub fn finish_timed(self) -> (Features, Phases) {
        let mut phases = self.phases;
        let sinks = self.sinks.phases;
        phases.stft = phases.stft.saturating_sub(sinks.named() + sinks.rest);
        phases.add(&sinks);
        let env = &self.sinks.onset.values;
        let loud = timed(&mut phases.loudness, || self.meter.finish());
        let (spectral, onsets, dance) = timed(&mut phases.rest, || (self.sinks.spectral.summary(), onset_rate(env), danceability(env)));
        let flux = if env.is_empty() { 0.0 } else { env.iter().map(|v| *v as f64).sum::<f64>() / env.len() as f64 / (super::frames::FRAME / 2 + 1) as f64 };
        let t = timed(&mut phases.onset_tempo, || tempo::estimate(env));
        let key = timed(&mut phases.chroma_key, || self.sinks.chroma.key());
        let features = Features {
            duration_s: self.frames_in as f64 / self.rate as f64,
            tempo_bpm: t.map(|t| t.bpm),
            tempo_confidence: t.map(|t| t.confidence),
            key: key.map(|k| k.key),
            mode: key.map(|k| k.mode),
            key_strength: key.map(|k| k.strength),
            loudness_lufs: loud.integrated,
            loudness_range_lu: loud.range,
            danceability: dance,
            energy: energy(loud.integrated, onsets, flux, spectral.entropy),
            spectral_centroid_hz: spectral.centroid_hz,
            spectral_rolloff_hz: spectral.rolloff_hz,
            spectral_flatness: spectral.flatness,
            spectral_entropy: spectral.entropy,
            spectral_flux: flux,
            zcr: spectral.zcr,
            onset_rate: onsets,
        };
        (features, phases)
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
