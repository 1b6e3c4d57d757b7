//! Clustering: tracks → audio-feature clusters, named, with playlists; every decision stored.
//!
//! The pipeline ([`run::run`]), one concept per file ([`config`] is the `[cluster]` section,
//! [`error`] the stage's errors, [`matrix`] the dense matrix every step works on):
//! 1. [`load`]: the selected feature columns of `tracks_features` (matched case-insensitively),
//!    keyed by `Track_id` and sorted by it, so neither the input's row order nor rows without
//!    features can move a label; rows lacking a feature are excluded and listed
//!    (`cluster_excluded`, and a log line), NaN / infinite values are errors;
//! 2. [`scale::RobustScaler`]: scikit-learn's RobustScaler (median, inter-quartile range);
//! 3. [`kmeans::fit_each`]: KMeans for every k needed (the elbow's range and a fixed k),
//!    `n_init` seeded restarts each, lowest inertia kept, all restarts of all k as rounds of
//!    jobs on every core ([`crate::parallel`]); the elbow's other k stop their restarts early
//!    ([`kmeans::Restarts::UntilFlat`], `elbow_stop`) and, above [`run::ELBOW_MAX_ROWS`] rows,
//!    are fitted on the silhouette's sample; [`seeding`] is the k-means++ start, [`lloyd`] the
//!    iterations (Hamerly's bounds, [`columns`] for the bulk passes);
//! 4. [`choose_k`]: the elbow curve (inertia and silhouette for every k of the range, and the
//!    total sum of squares for k = 1) and the rule of `--k auto`; [`silhouette`] computes every
//!    k's silhouette from one pass over the pairwise distances;
//! 5. clusters renumbered by size (0 = largest), distances to centroids, [`pca`] coordinates;
//! 6. [`name`]: names from the centroids relative to the collection, optionally overridden;
//! 7. [`order`]: per-cluster ordered, de-duplicated track lists;
//! 8. [`tables`]: `cluster_runs` (appended), `track_clusters`, `cluster_centroids`,
//!    `clusters`, `cluster_elbow`, `cluster_playlists`, `cluster_excluded` (replaced).
//!
//! [`cluster_step`] is the build step; `selecta cluster` runs [`run::run`] and
//! [`tables::write_tables`] on an existing warehouse.
//!
//! ## Engine and measurements (2-core machine, `cargo bench --bench cluster`, k = 8, n_init = 10)
//! Same run, same matrices; scikit-learn 1.9.1 `KMeans(n_clusters=8, n_init=10, k-means++,
//! max_iter=300, tol=1e-4)`, its faster of 1 thread / all threads (1 thread won every time on
//! this shared machine). Times in seconds for the 10 inits; Δ = our inertia vs scikit-learn's.
//!
//! | data | native (default) | hybrid | smartcore | scikit-learn | Δ inertia |
//! |---|---|---|---|---|---|
//! | original 4 108 × 6 | 0.035–0.069 | 0.26–0.33 | 0.98–1.43 | 0.07–0.13 | native 4 871.18 vs 4 871.61 (−0.009 %) |
//! | blobs 100 k × 6 | 0.20–0.44 | 5.7–7.3 | 6.1–9.0 | 0.25–0.37 | 0 % (600 322.89) |
//! | blobs 1 M × 6 | 2.95–4.77 | ~73 (1 init ×10) | ~67 (1 init ×10) | 4.3–5.1 | 0 % (5 997 247.77) |
//!
//! smartcore alone (its BBD-tree filtering, stopping at the first non-improving pass) reaches
//! the same inertia after our Lloyd polish, but is 10–30× slower than scikit-learn; seeding
//! with smartcore (`hybrid`) does not help since smartcore rebuilds its tree on every fit. So
//! the default engine is `native`: scikit-learn's greedy k-means++ and Lloyd, written here
//! ([`seeding`], [`lloyd`]), unrolled for 2–8 features, compiled for AVX2 where the CPU has
//! it (same arithmetic, same results), the restarts on every core. The table above predates
//! that (issue 14); `make bench` prints today's ratios.
//! smartcore stays selectable (`algorithm = "smartcore"` / `"hybrid"`), and it computes the
//! 2-D PCA. On the original data every engine lands within 0.02 % of the best known inertia
//! 4 870.77 (test `original_run_k8`).

/// Calls `$f::<D>(args)` with D = the number of features when it is 2..=8, else 0 (any), so
/// that the distance loops are unrolled for the usual dimensions.
macro_rules! by_dim {
    ($d:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $d {
            2 => $f::<2>($($arg),*),
            3 => $f::<3>($($arg),*),
            4 => $f::<4>($($arg),*),
            5 => $f::<5>($($arg),*),
            6 => $f::<6>($($arg),*),
            7 => $f::<7>($($arg),*),
            8 => $f::<8>($($arg),*),
            _ => $f::<0>($($arg),*),
        }
    };
}

/// `fn $name<const D>(args) -> R` that runs `$body::<D>(args)` compiled for AVX2 when the CPU
/// has it, and as compiled otherwise. `$body` must be `#[inline(always)]` (with what it calls),
/// so that its loops are compiled again with 4-wide vectors. The arithmetic is the same
/// either way (no fused multiply-add), so the results are too, to the last bit.
macro_rules! avx2_or_plain {
    ($vis:vis fn $name:ident<const D: usize>($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty = $body:ident) => {
        $vis fn $name<const D: usize>($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2<const D: usize>($($arg: $ty),*) -> $ret {
                    $body::<D>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    return unsafe { avx2::<D>($($arg),*) };
                }
            }
            $body::<D>($($arg),*)
        }
    };
}

pub mod choose_k;
pub mod columns;
pub mod config;
pub mod error;
pub mod kmeans;
pub mod lloyd;
pub mod load;
pub mod matrix;
pub mod name;
pub mod order;
pub mod pca;
pub mod run;
pub mod scale;
pub mod seeding;
pub mod silhouette;
pub mod tables;

pub use choose_k::KRule;
pub use config::{ClusterConfig, DEFAULT_FEATURES, KSetting};
pub use error::ClusterError;
pub use kmeans::Algorithm;
pub use load::{Loaded, load};
pub use matrix::Matrix;
pub use run::{ClusterInfo, Clustering, run};
pub use tables::{write_empty_tables, write_tables};

use crate::step::{StepContext, StepOutput};

/// A one-line summary for the run log.
pub fn summary_line(out: &Clustering) -> String {
    let sil = out.silhouette.map_or("n/a".to_string(), |s| format!("{:.4}", s.value));
    format!("k = {} ({}), inertia {:.2}, silhouette {sil}, {} excluded", out.k, out.k_rule, out.inertia, out.loaded.excluded.len())
}

/// The build step: clusters `tracks_features` and writes every cluster table. Too little to
/// cluster (no track with every selected feature, fewer tracks or distinct vectors than k) is a
/// SKIP with the reason, the cluster tables empty.
pub fn cluster_step(ctx: &StepContext<'_>, config: &ClusterConfig) -> Result<StepOutput, ClusterError> {
    if !config.enabled {
        return Ok(StepOutput::skip("cluster.enabled = false"));
    }
    let out = match run(ctx.conn, config, ctx.progress) {
        Ok(out) => out,
        // Missing features degrade, they do not fail: tracks, IDs and matches are worth a
        // warehouse on their own. The cluster tables are left empty.
        Err(e @ (ClusterError::NoRows { .. } | ClusterError::KTooLarge { .. } | ClusterError::TooFewDistinct { .. })) => {
            tables::write_empty_tables(ctx.conn)?;
            return Ok(StepOutput::skip(format!("{e}; the warehouse is built without clusters")));
        }
        Err(e) => return Err(e),
    };
    let rows = write_tables(ctx.conn, &out, config, ctx.run_id)?;
    let line = summary_line(&out);
    Ok(if out.loaded.excluded.is_empty() { StepOutput::ok(rows).with_note(line) } else { StepOutput::warn(rows, line) })
}

#[cfg(test)]
mod tests;
