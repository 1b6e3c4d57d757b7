//! [`Features`]: what the analyser says about one track, and how energy is composed.
//!
//! **Energy** (0..1) is a weighted mean of four parts, each mapped to 0..1:
//! loudness `(LUFS + 50) / 45` (−50 LUFS → 0, −5 LUFS → 1), weight 0.4; onset rate / 8 per
//! second, 0.2; spectral flux per bin / 0.5 (the mean log-spectral increase between frames),
//! 0.2; spectral entropy, 0.2. Loud, dense, noisy music is energetic; a quiet steady tone is not.
//! The values are our own scale; `analysis_calibration` maps them onto Spotify's.

/// The analyser's version, stored with every row of `analysis_features`: a cached analysis of
/// another version is recomputed.
pub const ANALYZER_VERSION: &str = "selecta-analysis 2";

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Features {
    pub duration_s: f64,
    pub tempo_bpm: Option<f64>,
    pub tempo_confidence: Option<f64>,
    /// 0 = C … 11 = B.
    pub key: Option<u8>,
    /// 1 major, 0 minor.
    pub mode: Option<u8>,
    pub key_strength: Option<f64>,
    pub loudness_lufs: Option<f64>,
    pub loudness_range_lu: Option<f64>,
    pub danceability: Option<f64>,
    pub energy: f64,
    pub spectral_centroid_hz: f64,
    pub spectral_rolloff_hz: f64,
    pub spectral_flatness: f64,
    pub spectral_entropy: f64,
    pub spectral_flux: f64,
    pub zcr: f64,
    pub onset_rate: f64,
}

/// The energy of a track from its parts (see the module's documentation).
pub fn energy(loudness_lufs: Option<f64>, onset_rate: f64, flux_per_bin: f64, entropy: f64) -> f64 {
    let unit = |v: f64| v.clamp(0.0, 1.0);
    let loud = loudness_lufs.map_or(0.0, |l| unit((l + 50.0) / 45.0));
    0.4 * loud + 0.2 * unit(onset_rate / 8.0) + 0.2 * unit(flux_per_bin / 0.5) + 0.2 * unit(entropy)
}
