//! The build plan: every step of `selecta build`, in the order it runs, composed from the
//! configuration.
//!
//! SQL files are compiled into the binary (`include_str!`), so the binary runs from anywhere.
//! A SQL step builds one table and may end with a `-- @note` query returning
//! `(warn BOOLEAN, note VARCHAR)` for the run log. A check is a `SELECT` returning the offending
//! rows (`key`, `n`, `detail`): empty means it holds, anything else fails the build. Rust steps
//! are the stages' step functions with their own configuration section bound.

use crate::config::Config;
use crate::step::{RustStep, StepError};

/// What a step runs.
pub enum StepKind<'a> {
    /// A stage's Rust function.
    Rust(RustStep<'a>),
    /// A SQL file building `table`.
    Sql { file: &'static str, sql: &'static str, table: &'static str },
    /// A SQL check returning offending rows.
    Check { file: &'static str, sql: &'static str },
}

impl StepKind<'_> {
    pub fn as_str(&self) -> &'static str {
        match self {
            StepKind::Rust(_) => "rust",
            StepKind::Sql { .. } => "sql",
            StepKind::Check { .. } => "check",
        }
    }
}

/// One step of the plan.
pub struct Step<'a> {
    pub name: &'static str,
    pub kind: StepKind<'a>,
}

macro_rules! sql_step {
    ($name:literal, $file:literal, $table:literal) => {
        Step { name: $name, kind: StepKind::Sql { file: $file, sql: include_str!(concat!("../../", $file)), table: $table } }
    };
}

macro_rules! check_step {
    ($name:literal, $file:literal) => {
        Step { name: $name, kind: StepKind::Check { file: $file, sql: include_str!(concat!("../../", $file)) } }
    };
}

/// A Rust step: `f` is a stage's step function, already bound to its configuration.
fn rust<'a, E>(name: &'static str, f: impl Fn(&crate::step::StepContext<'_>) -> Result<crate::step::StepOutput, E> + 'a) -> Step<'a>
where
    E: Into<StepError>,
{
    Step { name, kind: StepKind::Rust(Box::new(move |ctx| f(ctx).map_err(Into::into))) }
}

/// The steps of a build for this configuration, in order.
pub fn build_plan(config: &Config) -> Vec<Step<'_>> {
    let mut plan = vec![rust("ingest", |ctx| crate::ingest::ingest_step(ctx, &config.inputs))];
    // API responses cached by `selecta fetch …` land in the same raw tables as the files.
    if config.discogs.input {
        plan.push(rust("ingest.discogs_api", |ctx| crate::fetch::discogs_ingest_step(ctx, &config.discogs)));
    }
    if config.reccobeats.input {
        let rank = config.reccobeats.source_rank(config.inputs.features.len());
        plan.push(rust("ingest.reccobeats", move |ctx| crate::fetch::reccobeats_ingest_step(ctx, rank)));
    }
    plan.extend([
        sql_step!("staging.releases", "sql/staging/releases.sql", "releases"),
        sql_step!("staging.tracks", "sql/staging/tracks.sql", "tracks"),
        sql_step!("staging.spotify_ids", "sql/staging/spotify_ids.sql", "stg_spotify_ids"),
        sql_step!("staging.audio_features", "sql/staging/audio_features.sql", "stg_audio_features"),
        check_step!("check.releases_pk", "sql/checks/releases_pk.sql"),
        check_step!("check.tracks_pk", "sql/checks/tracks_pk.sql"),
        check_step!("check.spotify_ids_pk", "sql/checks/spotify_ids_pk.sql"),
        check_step!("check.audio_features_source_pk", "sql/checks/audio_features_source_pk.sql"),
    ]);
    if let Some(matching) = &config.matching {
        // Matching decides the IDs: track_matches feeds track_spotify_ids instead of the ID files.
        plan.push(rust("match", move |ctx| crate::matching::match_step(ctx, matching)));
        plan.push(sql_step!("marts.track_spotify_ids", "sql/marts/track_spotify_ids_matched.sql", "track_spotify_ids"));
    } else {
        plan.push(sql_step!("marts.track_spotify_ids", "sql/marts/track_spotify_ids.sql", "track_spotify_ids"));
    }
    plan.extend([
        check_step!("check.track_spotify_ids_pk", "sql/checks/track_spotify_ids_pk.sql"),
        sql_step!("marts.audio_features", "sql/marts/audio_features.sql", "audio_features"),
        check_step!("check.audio_features_pk", "sql/checks/audio_features_pk.sql"),
        sql_step!("marts.tracks_features", "sql/marts/tracks_features.sql", "tracks_features"),
        check_step!("check.tracks_features_pk", "sql/checks/tracks_features_pk.sql"),
    ]);
    if config.cluster.enabled {
        plan.push(rust("cluster", |ctx| crate::cluster::cluster_step(ctx, &config.cluster)));
    }
    plan.push(rust("report", |ctx| crate::report::report_step(ctx, &config.report)));
    plan
}

/// Splits a SQL file into its building statements and its optional `-- @note` query.
pub fn split_note(sql: &str) -> (&str, Option<&str>) {
    match sql.find("-- @note") {
        Some(i) => (&sql[..i], Some(&sql[i + "-- @note".len()..])),
        None => (sql, None),
    }
}
