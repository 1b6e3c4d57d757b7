//! selecta: a Discogs record collection → audio-feature clusters and playlists, as one
//! reproducible job over an embedded DuckDB warehouse.
//!
//! The code is layered; each layer imports only the layers below it (the test in `layers.rs`
//! holds this against every `use crate::…`):
//! - **top**: [`cli`] (every command, all printing), [`pipeline`] (the build plan and its
//!   runner), [`serve`] (the local review page over the warehouse), [`config`] (loads and validates every section, hands each stage its own);
//! - **stages**, libraries with their own error and configuration section, that know nothing
//!   of each other or of the top: [`ingest`] (raw files → raw tables), [`matching`] (tracks →
//!   Spotify IDs), [`cluster`] (KMeans, names, ordered lists), [`fetch`] (Discogs and ReccoBeats
//!   into the state database), [`report`] (the HTML report), [`export`] (files, PostgreSQL),
//!   [`playlists`] (one Spotify playlist per cluster);
//! - **ground floor**: [`db`] (opening, attaching, quoting, [`db::DbError`]), [`step`] (the
//!   step contract), [`checks`] (the checks `sql/schema.toml` declares, as SQL), [`http`] (the retrying client every API client shares), [`clock`] (the
//!   time source every waiting client shares; a manual one in tests), [`setting`]
//!   (out-of-range configuration values), [`fmt`] (numbers and dates).
//!
//! `fakes` (fake Spotify, Discogs and ReccoBeats servers and a demo warehouse) exists only
//! with the `fakes` feature, which tests and benches enable: it is not in the shipped binary.

pub mod analysis;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod cluster;
pub mod config;
pub mod db;
pub mod export;
#[cfg(feature = "fakes")]
pub mod fakes;
pub mod fetch;
pub mod fmt;
pub mod http;
pub mod ingest;
#[cfg(test)]
mod layers;
pub mod matching;
pub mod parallel;
pub mod pipeline;
pub mod playlists;
pub mod report;
pub mod serve;
pub mod setting;
pub mod step;
