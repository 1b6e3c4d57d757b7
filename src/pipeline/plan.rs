//! The build plan: every step of `selecta build`, in the order it runs, composed from the
//! configuration.
//!
//! SQL files are compiled into the binary (`include_str!`), so the binary runs from anywhere.
//! `sql/macros.sql` runs first; a SQL step builds one table and may end with a `-- @note` query
//! returning `(warn BOOLEAN, note VARCHAR)` for the run log. A Rust step is a stage's step
//! function with its own configuration section bound; it declares the tables it reads and
//! writes and the `sql/` files it runs. A check is a `SELECT` returning the offending rows
//! (`key VARCHAR`, `n BIGINT`, `detail VARCHAR`): empty means it holds, anything else fails the
//! build. Checks are not listed here: [`crate::checks`] makes them from `sql/schema.toml`, and
//! [`build_plan`] places each table's checks right after the last step that writes the table
//! (so the checks of a Rust step's tables run only when that step is configured).

use std::path::Path;

use crate::checks::{self, ChecksError};
use crate::config::Config;
use crate::step::{RustStep, StepContext, StepError, StepOutput};

/// What a step runs.
pub enum StepKind<'a> {
    /// A stage's Rust function, with the warehouse tables it needs (`reads`) and the ones it
    /// creates or appends to (`writes`), the `sql/` files it runs itself, what else it
    /// touches (`reach`, which decides what it waits for: see [`crate::pipeline::deps`]) and
    /// the files it publishes: each written at [`crate::step::staged_path`] by the step and
    /// moved into place by the runner once the new warehouse is in place, so that a failed
    /// build publishes nothing.
    Rust {
        run: RustStep<'a>,
        reads: Vec<&'static str>,
        writes: &'static [&'static str],
        files: &'static [&'static str],
        reach: Reach,
        publishes: Vec<&'a Path>,
    },
    /// A SQL file building `table` (none for `sql/macros.sql`).
    Sql { file: &'static str, sql: &'static str, table: Option<&'static str> },
    /// A SQL check returning offending rows; `file` is its template or one-off file. With
    /// `warn` (`[checks] warn` of the configuration) offending rows make it WARN, not fail.
    /// `count` is the cheaper query the runner counts offending rows with (see [`crate::checks::Check`]).
    Check { file: &'static str, sql: &'static str, count: &'static str, warn: bool },
}

/// What a Rust step touches besides its declared tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// A network API, the state database or a file of its own: it waits for every earlier
    /// step, checks included, as when the steps run one by one.
    Outside,
    /// Nothing but the warehouse being built: it waits for every earlier step but the checks.
    Within,
    /// It only reads its declared tables (and publishes files): it waits for the steps that
    /// write them, as a SQL step does.
    Reads,
}

impl StepKind<'_> {
    pub fn as_str(&self) -> &'static str {
        match self {
            StepKind::Rust { .. } => "rust",
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

impl Step<'_> {
    /// The tables this step creates or appends to (whose checks follow the last such step).
    pub fn writes(&self) -> &[&'static str] {
        match &self.kind {
            StepKind::Rust { writes, .. } => writes,
            StepKind::Sql { table, .. } => table.as_slice(),
            StepKind::Check { .. } => &[],
        }
    }
}

macro_rules! sql_step {
    ($name:literal, $file:literal, $table:literal) => {
        Step { name: $name, kind: StepKind::Sql { file: $file, sql: include_str!(concat!("../../", $file)), table: Some($table) } }
    };
}

/// What a Rust step touches: the tables it reads, the ones it writes, the `sql/` files it runs.
struct Touches {
    reads: &'static [&'static str],
    writes: &'static [&'static str],
    files: &'static [&'static str],
}

/// A Rust step: `f` is a stage's step function, already bound to its configuration.
fn rust<'a, E>(name: &'static str, t: Touches, f: impl Fn(&StepContext<'_>) -> Result<StepOutput, E> + Sync + 'a) -> Step<'a>
where
    E: Into<StepError>,
{
    rust_step(name, t, Reach::Outside, f)
}

/// A Rust step that touches nothing but the warehouse being built (see [`Reach::Within`]).
fn rust_within<'a, E>(name: &'static str, t: Touches, f: impl Fn(&StepContext<'_>) -> Result<StepOutput, E> + Sync + 'a) -> Step<'a>
where
    E: Into<StepError>,
{
    rust_step(name, t, Reach::Within, f)
}

fn rust_step<'a, E>(name: &'static str, t: Touches, reach: Reach, f: impl Fn(&StepContext<'_>) -> Result<StepOutput, E> + Sync + 'a) -> Step<'a>
where
    E: Into<StepError>,
{
    let run = Box::new(move |ctx: &StepContext<'_>| f(ctx).map_err(Into::into));
    Step { name, kind: StepKind::Rust { run, reads: t.reads.to_vec(), writes: t.writes, files: t.files, reach, publishes: Vec::new() } }
}

/// Every table the report reads; it waits for those the plan builds (the others are sections
/// it cannot draw, or the state database's, which no build step writes).
const REPORT_READS: &[&str] = &[
    "tracks",
    "track_spotify_ids",
    "tracks_features",
    "track_matches",
    "track_clusters",
    "clusters",
    "cluster_centroids",
    "cluster_elbow",
    "state.spotify_playlists",
];

/// The raw tables `sql/ingest/raw_tables.sql` creates (the ingest step runs it).
const RAW_TABLE_NAMES: &[&str] = &["raw_releases", "raw_tracks", "raw_spotify_ids", "raw_audio_features", "quarantine"];
const MATCH_TABLES: &[&str] = &[
    "track_matches",
    "match_candidates",
    "match_review",
    "state.spotify_search_cache",
    "match_catalogue_artists",
    "match_catalogue_titles",
    "match_probe",
];
const MATCH_FILES: &[&str] = &[
    "sql/outputs/track_matches.sql",
    "sql/outputs/match_candidates.sql",
    "sql/outputs/match_review.sql",
    "sql/state/spotify_search_cache.sql",
    "sql/work/match_catalogue_keys.sql",
];
/// What `fetch.discogs` writes (the Discogs cache of the state database).
const DISCOGS_STATE: &[&str] = &["state.discogs_listings", "state.discogs_collection_pages", "state.discogs_releases"];
/// What `fetch.features` writes (the ReccoBeats cache, and its working table per batch).
const RECCOBEATS_FETCH: &[&str] = &["state.reccobeats_responses", "state.reccobeats_features", "reccobeats_batch"];
const CLUSTER_TABLES: &[&str] =
    &["cluster_runs", "track_clusters", "cluster_centroids", "clusters", "cluster_elbow", "cluster_playlists", "cluster_excluded"];
const ANALYSIS_TABLES: &[&str] = &["track_files", "analysis_features", "tracks_without_file", "state.analysis_file_hashes", "state.analysis_cache"];
const ANALYSIS_FILES: &[&str] = &[
    "sql/outputs/track_files.sql",
    "sql/outputs/analysis_features.sql",
    "sql/outputs/tracks_without_file.sql",
    "sql/state/analysis_file_hashes.sql",
    "sql/state/analysis_cache.sql",
];
const TAG_TABLES: &[&str] = &["analysis_tags", "state.analysis_tag_cache"];
const TAG_FILES: &[&str] = &["sql/outputs/analysis_tags.sql", "sql/state/analysis_tag_cache.sql"];
const CALIBRATION_TABLES: &[&str] = &["analysis_calibration", "analysis_calibrated", "tracks_features_analysis"];
const CALIBRATION_FILES: &[&str] =
    &["sql/outputs/analysis_calibration.sql", "sql/outputs/analysis_calibrated.sql", "sql/outputs/tracks_features_analysis.sql"];
const CLUSTER_FILES: &[&str] = &[
    "sql/outputs/cluster_runs.sql",
    "sql/outputs/track_clusters.sql",
    "sql/outputs/cluster_centroids.sql",
    "sql/outputs/clusters.sql",
    "sql/outputs/cluster_elbow.sql",
    "sql/outputs/cluster_playlists.sql",
    "sql/outputs/cluster_excluded.sql",
];

/// The steps of a build for this configuration, in order, each table's checks after it.
///
/// With the Discogs collection as a source (`[discogs] user`), `fetch.discogs` comes first; with
/// ReccoBeats (a `[reccobeats]` section), `fetch.features` asks for the features of the IDs that
/// matching (or the ID files) gave, so the features' staging follows it.
pub fn build_plan(config: &Config) -> Result<Vec<Step<'_>>, ChecksError> {
    let mut plan = vec![Step { name: "macros", kind: StepKind::Sql { file: "sql/macros.sql", sql: include_str!("../../sql/macros.sql"), table: None } }];
    if config.discogs.input {
        let t = Touches { reads: &[], writes: DISCOGS_STATE, files: &["sql/state/discogs.sql"] };
        plan.push(rust("fetch.discogs", t, |ctx| crate::fetch::discogs_fetch_step(ctx, &config.discogs)));
    }
    plan.push(rust("ingest", Touches { reads: &[], writes: RAW_TABLE_NAMES, files: &["sql/ingest/raw_tables.sql"] }, |ctx| {
        crate::ingest::ingest_step(ctx, &config.inputs)
    }));
    // API responses cached by `fetch.discogs` (or `selecta fetch discogs`) land in the same raw tables as the files.
    if config.discogs.input {
        let t = Touches {
            reads: &["raw_releases", "raw_tracks"],
            writes: &[
                "raw_releases",
                "raw_tracks",
                "discogs_load_releases",
                "discogs_load_tracks",
                "discogs_track_credits",
                "state.discogs_listings",
                "state.discogs_collection_pages",
                "state.discogs_releases",
            ],
            files: &["sql/ingest/discogs_load.sql", "sql/ingest/discogs_track_credits.sql", "sql/state/discogs.sql"],
        };
        plan.push(rust("ingest.discogs_api", t, |ctx| crate::fetch::discogs_ingest_step(ctx, &config.discogs)));
    }
    let recco = config.reccobeats.input;
    let rank = config.reccobeats.source_rank(config.inputs.features.len());
    let recco_ingest = move || {
        let t = Touches {
            reads: &["raw_audio_features"],
            writes: &["raw_audio_features", "reccobeats_load", "state.reccobeats_responses", "state.reccobeats_features"],
            files: &["sql/ingest/reccobeats_load.sql", "sql/state/reccobeats.sql"],
        };
        rust("ingest.reccobeats", t, move |ctx| crate::fetch::reccobeats_ingest_step(ctx, rank))
    };
    let staging_features = || sql_step!("staging.audio_features", "sql/staging/stg_audio_features.sql", "stg_audio_features");
    plan.extend([
        sql_step!("staging.releases", "sql/staging/stg_releases.sql", "stg_releases"),
        sql_step!("staging.tracks", "sql/staging/stg_tracks.sql", "stg_tracks"),
        sql_step!("staging.spotify_ids", "sql/staging/stg_spotify_ids.sql", "stg_spotify_ids"),
    ]);
    if !recco {
        plan.push(staging_features());
    }
    plan.extend([
        // The public releases and tracks, which matching, the marts and the report read.
        sql_step!("marts.releases", "sql/marts/releases.sql", "releases"),
    ]);
    // With the Discogs collection, tracks carry its credits (`anv`) and index titles too.
    plan.push(if config.discogs.input {
        sql_step!("marts.tracks", "sql/marts/tracks_credited.sql", "tracks")
    } else {
        sql_step!("marts.tracks", "sql/marts/tracks.sql", "tracks")
    });
    if let Some(analysis) = &config.analysis {
        // The collector's own audio files → track_files, analysis_features (scored with matching's scorer).
        let weights = config.matching.as_ref().map(|m| m.weights.clone()).unwrap_or_default();
        let t = Touches { reads: &["tracks"], writes: ANALYSIS_TABLES, files: ANALYSIS_FILES };
        let scorer = super::analysis_scorer::factory(weights);
        plan.push(rust("analysis", t, move |ctx| crate::analysis::analysis_step(ctx, analysis, &scorer)));
        // musicnn's tags when the model is there (a note says how to build it when not).
        let t = Touches { reads: &["track_files"], writes: TAG_TABLES, files: TAG_FILES };
        plan.push(rust("analysis.tags", t, move |ctx| crate::analysis::tags_step(ctx, analysis)));
    }
    if let Some(matching) = &config.matching {
        // Matching decides the IDs: track_matches feeds track_spotify_ids instead of the ID files.
        let t = Touches { reads: &["tracks"], writes: MATCH_TABLES, files: MATCH_FILES };
        plan.push(rust("match", t, move |ctx| crate::matching::match_step(ctx, matching)));
        plan.push(sql_step!("marts.track_spotify_ids", "sql/marts/track_spotify_ids_matched.sql", "track_spotify_ids"));
    } else {
        plan.push(sql_step!("marts.track_spotify_ids", "sql/marts/track_spotify_ids.sql", "track_spotify_ids"));
    }
    if recco {
        let t = Touches { reads: &["track_spotify_ids"], writes: RECCOBEATS_FETCH, files: &["sql/state/reccobeats.sql", "sql/work/reccobeats_batch.sql"] };
        plan.push(rust("fetch.features", t, |ctx| crate::fetch::reccobeats_fetch_step(ctx, &config.reccobeats)));
        plan.push(recco_ingest());
        plan.push(staging_features());
    }
    plan.extend([
        sql_step!("marts.audio_features", "sql/marts/audio_features.sql", "audio_features"),
        sql_step!("marts.tracks_features", "sql/marts/tracks_features.sql", "tracks_features"),
    ]);
    if let Some(analysis) = &config.analysis {
        let t = Touches { reads: &["analysis_features", "analysis_tags", "tracks_features", "tracks"], writes: CALIBRATION_TABLES, files: CALIBRATION_FILES };
        plan.push(rust_within("analysis.calibrate", t, move |ctx| crate::analysis::calibrate_step(ctx, analysis)));
    }
    if config.cluster.enabled {
        let cluster = cluster_config(config);
        let reads: &'static [&'static str] = if cluster.table == "tracks_features" { &["tracks_features"] } else { &["tracks_features_analysis"] };
        let t = Touches { reads, writes: CLUSTER_TABLES, files: CLUSTER_FILES };
        plan.push(rust_within("cluster", t, move |ctx| crate::cluster::cluster_step(ctx, &cluster)));
        // Each cluster's playlist in the order of `[playlists] order`, every transition stored.
        let t = Touches {
            reads: &["cluster_playlists", "track_clusters", "tracks_features"],
            writes: &["cluster_playlists", "playlist_transitions"],
            files: &["sql/outputs/cluster_playlists.sql", "sql/outputs/playlist_transitions.sql"],
        };
        plan.push(rust_within("playlists.order", t, |ctx| crate::playlists::order_step(ctx, &config.playlists)));
    }
    // The report reads the match and cluster tables when they are there (and the state
    // database's playlists, which no build step writes); it waits for nothing else, so it is
    // drawn beside the playlist order and the checks, and published only if the build succeeds.
    // The side file starts empty: the warehouse tables it reads that no step makes are absent.
    let built: std::collections::BTreeSet<&str> = plan.iter().flat_map(|s| s.writes().iter().copied()).collect();
    let (reads, unbuilt): (Vec<&'static str>, Vec<&'static str>) = REPORT_READS.iter().copied().partition(|t| built.contains(t));
    let absent: Vec<&'static str> = unbuilt.into_iter().filter(|t| !t.starts_with("state.")).collect();
    let run = Box::new(move |ctx: &StepContext<'_>| crate::report::report_step(ctx, &config.report, &absent).map_err(Into::into));
    let publishes = vec![config.report.out.as_path()];
    plan.push(Step { name: "report", kind: StepKind::Rust { run, reads, writes: &[], files: &[], reach: Reach::Reads, publishes } });
    with_checks(plan, &config.checks.warn)
}

/// The `[cluster]` section as the build runs it: with `[analysis]` (unless `cluster_on =
/// "features"`) it clusters `tracks_features_analysis` on `[analysis] cluster_features`.
pub fn cluster_config(config: &Config) -> crate::cluster::ClusterConfig {
    let mut c = config.cluster.clone();
    if let Some(a) = config.analysis.as_ref().filter(|a| a.cluster_on != crate::analysis::ClusterOn::Features) {
        c.table = "tracks_features_analysis".into();
        c.features = a.cluster_features.clone();
    }
    c
}

/// The plan with each table's checks inserted right after the last step that writes it;
/// the checks named in `warn` only warn.
fn with_checks<'a>(steps: Vec<Step<'a>>, warn: &[String]) -> Result<Vec<Step<'a>>, ChecksError> {
    let last_writer = |table: &str| steps.iter().rposition(|s| s.writes().contains(&table));
    let mut after: Vec<Vec<Step<'a>>> = (0..steps.len()).map(|_| Vec::new()).collect();
    for (i, step) in steps.iter().enumerate() {
        for table in step.writes() {
            if last_writer(table) != Some(i) {
                continue;
            }
            for c in checks::for_table(table)? {
                let warn = warn.contains(&c.name);
                after[i].push(Step { name: &c.name, kind: StepKind::Check { file: c.file, sql: &c.sql, count: &c.count_sql, warn } });
            }
        }
    }
    let mut plan = Vec::with_capacity(steps.len() * 3);
    for (step, checks) in steps.into_iter().zip(after) {
        plan.push(step);
        plan.extend(checks);
    }
    Ok(plan)
}

/// Splits a SQL file into its building statements and its optional `-- @note` query.
pub fn split_note(sql: &str) -> (&str, Option<&str>) {
    match sql.find("-- @note") {
        Some(i) => (&sql[..i], Some(&sql[i + "-- @note".len()..])),
        None => (sql, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::deps::{Io, sql_io};
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn config(extra: &str) -> Config {
        Config::from_toml(Path::new("/nowhere/selecta.toml"), extra).unwrap()
    }

    /// Every optional step on: the Discogs and ReccoBeats inputs, clustering, and matching
    /// (`with_match`) or the ID files.
    fn full(with_match: bool) -> Config {
        // Without `[match]`, ID files (a Discogs collection alone implies matching).
        let matching = if with_match { "[match]\nsource = \"catalogue\"\ncatalogue = \"c.csv\"\n" } else { "[inputs]\nspotify_ids = [\"ids.csv\"]\n" };
        config(&format!("[discogs]\ninput = true\nuser = \"u\"\n[reccobeats]\ninput = true\n[cluster]\nenabled = true\n[analysis]\nmusic_dirs = [\"m\"]\n{matching}"))
    }

    fn plan(config: &Config) -> Vec<Step<'_>> {
        build_plan(config).unwrap()
    }

    /// The step's SQL, its files, declared reads and writes.
    fn describe(step: &Step<'_>) -> (Vec<&'static str>, Io) {
        match &step.kind {
            StepKind::Sql { file, sql, .. } => (vec![*file], sql_io(sql)),
            StepKind::Check { file, sql, .. } => (vec![*file], sql_io(sql)),
            StepKind::Rust { reads, writes, files, .. } => {
                let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
                // What the Rust step's own SQL files create must be among its declared writes.
                for f in *files {
                    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap();
                    let created = sql_io(&text).writes;
                    assert!(created.is_subset(&own(writes)), "step {}: {f} creates {created:?}, declared {writes:?}", step.name);
                }
                (files.to_vec(), Io { reads: own(reads), writes: own(writes), ..Io::default() })
            }
        }
    }

    /// Fails naming the step and the table when a step reads a table (or calls a macro) that
    /// no earlier step built.
    fn assert_reads_were_built(plan: &[Step<'_>]) {
        let macros: BTreeSet<String> = plan.iter().flat_map(|s| describe(s).1.macros).collect();
        let mut built = BTreeSet::new();
        for (i, step) in plan.iter().enumerate() {
            let (files, io) = describe(step);
            let used_macros = io.calls.intersection(&macros).cloned();
            for read in io.reads.iter().cloned().chain(used_macros) {
                assert!(
                    built.contains(&read) || io.writes.contains(&read),
                    "step {} {} ({}) reads `{read}`, which no earlier step builds",
                    i + 1,
                    step.name,
                    files.join(", ")
                );
            }
            built.extend(io.writes);
            built.extend(step.writes().iter().map(|w| w.to_string()));
        }
    }

    /// Every table a step reads (SQL parsed from its text, Rust as declared) and every macro it
    /// calls was built by an earlier step, in every shape of the plan.
    #[test]
    fn every_table_read_was_built_by_an_earlier_step() {
        assert_reads_were_built(&plan(&full(true)));
        assert_reads_were_built(&plan(&full(false)));
        assert_reads_were_built(&plan(&config("[cluster]\nenabled = false\n")));
    }

    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path, out) } else { out.push(path) }
        }
    }

    /// The `sql/` files that serve outside the plan, and who runs them.
    const OUTSIDE_THE_PLAN: [(&str, &str); 2] = [("sql/state/run_log.sql", "src/pipeline/runner.rs"), ("sql/state/spotify_playlists.sql", "src/playlists/mod.rs")];

    /// Every file under sql/ is used by the plan (with every optional step on, matching or not),
    /// or by the one module that runs it outside the plan.
    #[test]
    fn every_sql_file_is_in_the_plan() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (with, without, plain) = (full(true), full(false), config(""));
        let mut used = BTreeSet::new();
        for step in plan(&with).iter().chain(plan(&without).iter()).chain(plan(&plain).iter()) {
            used.extend(describe(step).0);
            if let StepKind::Check { .. } = step.kind {
                used.insert(checks::SCHEMA_FILE);
            }
        }
        for (file, user) in OUTSIDE_THE_PLAN {
            let text = std::fs::read_to_string(root.join(user)).unwrap();
            assert!(text.contains(&format!("{}\")", file.trim_start_matches("sql/"))), "{user} does not include {file}");
            used.insert(file);
        }
        let mut files = Vec::new();
        walk(&root.join("sql"), &mut files);
        let unused: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
            .filter(|f| !used.contains(f.as_str()))
            .collect();
        assert!(unused.is_empty(), "files under sql/ that no step of the plan uses: {unused:?}");
    }

    /// Every table schema.toml declares is written by some step (else its checks never run),
    /// and each check runs after the last step writing its table.
    #[test]
    fn every_declared_table_is_built_and_checked_after_it() {
        let (with, without) = (full(true), full(false));
        let plans = [plan(&with), plan(&without)];
        for table in checks::schema().unwrap().tables() {
            assert!(plans.iter().any(|p| p.iter().any(|s| s.writes().contains(&table))), "schema.toml declares {table}, which no step writes");
        }
        for plan in &plans {
            for (i, step) in plan.iter().enumerate() {
                if let StepKind::Check { .. } = step.kind {
                    let c = checks::schema().unwrap().checks().find(|c| c.name == step.name).unwrap();
                    assert!(plan[..i].iter().any(|s| s.writes().contains(&c.table.as_str())), "{} before {}", c.name, c.table);
                    assert!(!plan[i..].iter().any(|s| s.writes().contains(&c.table.as_str())), "{} runs before a later write of {}", c.name, c.table);
                }
            }
        }
    }

    /// The plan's shape: macros first, the raw tables' checks after the last step writing them, the
    /// relationships check of tracks right after staging.tracks.
    #[test]
    fn checks_follow_their_tables() {
        let cfg = full(false);
        let plan = plan(&cfg);
        let names: Vec<&str> = plan.iter().map(|s| s.name).collect();
        assert_eq!(&names[..4], ["macros", "fetch.discogs", "ingest", "ingest.discogs_api"]);
        let pos = |n: &str| names.iter().position(|x| *x == n).unwrap_or_else(|| panic!("no {n} in {names:?}"));
        // The Discogs step appends to raw_releases and raw_tracks, ReccoBeats to raw_audio_features.
        assert_eq!(pos("check.raw_releases_source_format_accepted_values"), 4);
        // ReccoBeats is asked for the IDs the build has: after track_spotify_ids, before the features' staging.
        assert!(pos("marts.track_spotify_ids") < pos("fetch.features") && pos("fetch.features") < pos("ingest.reccobeats"));
        assert!(pos("ingest.reccobeats") < pos("staging.audio_features") && pos("staging.audio_features") < pos("marts.audio_features"));
        assert_eq!(pos("check.raw_audio_features_source_accepted_values"), pos("ingest.reccobeats") + 1);
        assert!(pos("staging.tracks") < pos("check.stg_tracks_release_id_relationships"));
        assert!(pos("check.stg_tracks_release_id_relationships") < pos("staging.spotify_ids"));
        assert!(pos("cluster") < pos("check.track_clusters_key") && pos("check.clusters_size") < pos("report"));
        let cfg = config("[cluster]\nenabled = false\n");
        let no_cluster = build_plan(&cfg).unwrap();
        assert!(!no_cluster.iter().any(|s| s.name.starts_with("check.cluster") || s.name.starts_with("check.track_clusters")));
    }

    /// `[checks] warn` makes the named check warn; a name that is no check is refused at load.
    #[test]
    fn checks_warn_names_known_checks() {
        let cfg = config("[checks]\nwarn = [\"check.stg_tracks_release_id_relationships\"]\n");
        let plan = build_plan(&cfg).unwrap();
        let warns: Vec<&str> = plan.iter().filter(|s| matches!(s.kind, StepKind::Check { warn: true, .. })).map(|s| s.name).collect();
        assert_eq!(warns, ["check.stg_tracks_release_id_relationships"]);
        let err = Config::from_toml(Path::new("selecta.toml"), "[checks]\nwarn = [\"check.nope\"]\n").unwrap_err().to_string();
        assert!(err.contains("checks.warn") && err.contains("no check is named \"check.nope\""), "{err}");
    }
}
