//! The analysis stage: audio features computed from the collector's own files, offline.
//!
//! The signal path, one file per concept: [`decode`] (symphonia) → [`resample`] (mono
//! downmix, 22 050 Hz) → [`frames`] (streaming STFT) → the descriptors [`spectral`],
//! [`onset`], [`key`] (chroma), and at the end of a track [`tempo`] and [`danceability`] over
//! the onset envelope; [`loudness`] (EBU R 128) reads the file's own samples. [`analyzer`]
//! wires them for one track and returns its [`Features`] (and the time of each of those parts,
//! [`phases`]); [`split`] decodes a file once for all its CUE tracks.
//!
//! Files to tracks: [`scan`] walks `[analysis] music_dirs` and hashes, [`tags`] reads what the
//! file says (lofty), [`cue`] splits side-long rips, [`matcher`] decides the Discogs track
//! with a [`matcher::Scorer`] the composition passes in. [`run`] is the step: parallel,
//! cached by content hash, writing `track_files`, `analysis_features`, `tracks_without_file`.
//! [`calibrate`] maps the features onto the Spotify scale and builds the table clustering
//! reads.
//!
//! Tags: [`tagging`] is the step that runs musicnn's MTT model ([`musicnn`], its weights read by [`onnx`])
//! over [`mel`] patches when the model file is there, into `analysis_tags`.

pub mod analyzer;
pub mod calibrate;
pub mod config;
pub mod cue;
pub mod danceability;
pub mod decode;
pub mod error;
pub mod features;
pub mod frames;
pub mod key;
pub mod loudness;
pub mod matcher;
pub mod mel;
pub mod musicnn;
pub mod onnx;
pub mod onset;
pub mod phases;
pub mod resample;
pub mod run;
pub mod scan;
pub mod spectral;
pub mod split;
pub mod tagging;
pub mod tags;
pub mod tempo;

pub use config::{AnalysisConfig, ClusterOn};
pub use error::{AnalysisError, FileError};
pub use features::{ANALYZER_VERSION, Features};
pub use calibrate::calibrate_step;
pub use run::{Summary, analysis_step, run};
pub use tagging::tags_step;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod memory_tests;
