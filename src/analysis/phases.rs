//! [`Phases`]: where one file's analysis spends its time, summed over the files of a run.
//!
//! Each phase is the wall time of its own code on the worker thread that runs it (a worker
//! analyses one file at a time, so this is CPU time on a core unless the machine is
//! oversubscribed). `selecta analyze` logs the run's sums at debug level under the target
//! `selecta::analysis::phases` (`RUST_LOG=selecta::analysis::phases=debug`), and
//! `make bench-analysis` prints them as shares of the analysis time.

use std::time::{Duration, Instant};

/// Time per phase.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phases {
    /// symphonia: demuxing and decoding to `f32` (time outside our callback).
    pub decode: Duration,
    /// Mono downmix and resampling to 22 050 Hz.
    pub resample: Duration,
    /// The short and long FFTs with their windows and magnitudes, and the framing.
    pub stft: Duration,
    /// The onset envelope (spectral flux per frame) and the tempo search over it.
    pub onset_tempo: Duration,
    /// The chromagram and the key profiles.
    pub chroma_key: Duration,
    /// The EBU R 128 meter.
    pub loudness: Duration,
    /// Everything else a worker does for a file: the content hash, tags and CUE sheet, the
    /// timbre descriptors, danceability and the onset rate.
    pub rest: Duration,
}

impl Phases {
    pub fn add(&mut self, other: &Phases) {
        self.decode += other.decode;
        self.resample += other.resample;
        self.stft += other.stft;
        self.onset_tempo += other.onset_tempo;
        self.chroma_key += other.chroma_key;
        self.loudness += other.loudness;
        self.rest += other.rest;
    }

    /// The sum of the named phases, `rest` excluded.
    pub fn named(&self) -> Duration {
        self.decode + self.resample + self.stft + self.onset_tempo + self.chroma_key + self.loudness
    }

    /// One line, seconds per phase: `decode=0.120 resample=0.031 …`.
    pub fn line(&self) -> String {
        let s = |d: Duration| d.as_secs_f64();
        format!(
            "decode={:.3} resample={:.3} stft={:.3} onset_tempo={:.3} chroma_key={:.3} loudness={:.3} rest={:.3}",
            s(self.decode),
            s(self.resample),
            s(self.stft),
            s(self.onset_tempo),
            s(self.chroma_key),
            s(self.loudness),
            s(self.rest)
        )
    }
}

/// Times a closure into `slot`.
pub fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let v = f();
    *slot += t.elapsed();
    v
}
