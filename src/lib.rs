//! selecta: a Discogs record collection → audio-feature clusters and playlists, as one
//! reproducible job over an embedded DuckDB warehouse.
//!
//! The stages, each a module: [`ingest`] lands raw files in raw tables, [`warehouse`] runs
//! the SQL files of `sql/` (staging, checks, marts) and the Rust steps in a stated order,
//! building aside and swapping on success, [`cluster`] fits KMeans on audio features.
//! [`matching`] finds each track's Spotify ID (scorer over the Spotify search or a local
//! catalogue); [`fakes`] are the fake external services tests and benches run against.
//! [`config`] is the one validated configuration; [`http`] the retrying client all API
//! clients share. [`report`] writes the HTML report, [`export`] copies tables to files and
//! PostgreSQL, [`playlists`] keeps one Spotify playlist per cluster; [`fakes`] are the fake
//! servers the tests run against.
//! [`fetch`] gets the inputs at their source (Discogs API, ReccoBeats) into the state database,
//! and its build steps land them in the raw tables. [`pipeline::checks`] turns `sql/schema.toml`
//! into the build's check steps.

pub mod cli;
pub mod cluster;
pub mod config;
pub mod error;
pub mod export;
pub mod fakes;
pub mod fetch;
pub mod http;
pub mod ingest;
pub mod matching;
pub mod pipeline;
pub mod playlists;
pub mod report;
pub mod warehouse;

pub use error::Error;
