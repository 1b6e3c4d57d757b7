//! Key and mode: a chromagram against the Krumhansl–Kessler key profiles.
//!
//! Each long frame's magnitude bins between 100 Hz and 5 kHz are folded onto the 12 pitch
//! classes (the nearest equal-tempered semitone, A4 = 440 Hz), the frame's chroma is
//! normalised to sum 1 (so a loud passage does not outvote the rest), and the track's chroma
//! is the sum over its non-silent frames. The key is the profile — 12 rotations of the major
//! and of the minor Krumhansl–Kessler profiles — with the highest Pearson correlation; its
//! **strength** is that correlation (−1 … 1).
//!
//! Keys are numbered like Spotify's: 0 = C … 11 = B; mode 1 = major, 0 = minor.
//! [`camelot`] gives the Camelot wheel code (C major = 8B, A minor = 8A).

use super::frames::{ANALYSIS_RATE, CHROMA_FRAME};

/// Krumhansl–Kessler probe-tone ratings, C major and C minor.
const MAJOR: [f64; 12] = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR: [f64; 12] = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];
const LOW_HZ: f64 = 100.0;
const HIGH_HZ: f64 = 5000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    /// 0 = C … 11 = B.
    pub key: u8,
    /// 1 major, 0 minor.
    pub mode: u8,
    pub strength: f64,
}

/// Accumulates the chromagram.
#[derive(Debug, Clone)]
pub struct Chroma {
    /// Pitch class of every long-frame bin (None outside 100 Hz – 5 kHz).
    classes: Vec<Option<usize>>,
    pub sum: [f64; 12],
    frames: u64,
}

impl Default for Chroma {
    fn default() -> Self {
        let bin_hz = ANALYSIS_RATE as f64 / CHROMA_FRAME as f64;
        let classes = (0..=CHROMA_FRAME / 2)
            .map(|k| {
                let f = k as f64 * bin_hz;
                if !(LOW_HZ..=HIGH_HZ).contains(&f) {
                    return None;
                }
                let midi = 69.0 + 12.0 * (f / 440.0).log2();
                Some((midi.round() as i64).rem_euclid(12) as usize)
            })
            .collect();
        Chroma { classes, sum: [0.0; 12], frames: 0 }
    }
}

impl Chroma {
    pub fn frame(&mut self, mag: &[f32]) {
        let mut c = [0f64; 12];
        for (m, class) in mag.iter().zip(&self.classes) {
            if let Some(pc) = class {
                c[*pc] += (*m as f64).powi(2);
            }
        }
        let total: f64 = c.iter().sum();
        if total < 1e-8 {
            return;
        }
        for (s, v) in self.sum.iter_mut().zip(c) {
            *s += v / total;
        }
        self.frames += 1;
    }

    /// The best-correlated key, `None` without tonal frames.
    pub fn key(&self) -> Option<Key> {
        if self.frames == 0 {
            return None;
        }
        let mut best: Option<Key> = None;
        for mode in [1u8, 0] {
            let profile = if mode == 1 { &MAJOR } else { &MINOR };
            for tonic in 0..12u8 {
                let rotated: Vec<f64> = (0..12).map(|pc| profile[(pc + 12 - tonic as usize) % 12]).collect();
                let r = pearson(&self.sum, &rotated);
                if best.is_none_or(|b| r > b.strength) {
                    best = Some(Key { key: tonic, mode, strength: r });
                }
            }
        }
        best
    }
}

/// Pearson's correlation of two equal-length series (0 when one is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        num += (x - ma) * (y - mb);
        da += (x - ma).powi(2);
        db += (y - mb).powi(2);
    }
    if da == 0.0 || db == 0.0 { 0.0 } else { num / (da * db).sqrt() }
}

/// The Camelot code of a key: `8B` for C major, `8A` for A minor.
pub fn camelot(key: u8, mode: u8) -> String {
    const MAJOR_NUM: [u8; 12] = [8, 3, 10, 5, 12, 7, 2, 9, 4, 11, 6, 1];
    const MINOR_NUM: [u8; 12] = [5, 12, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10];
    let k = (key % 12) as usize;
    if mode == 1 { format!("{}B", MAJOR_NUM[k]) } else { format!("{}A", MINOR_NUM[k]) }
}

/// The key's name: `C major`, `F# minor`.
pub fn name(key: u8, mode: u8) -> String {
    const NAMES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];
    format!("{} {}", NAMES[(key % 12) as usize], if mode == 1 { "major" } else { "minor" })
}
