//! The report's parts, one file per drawing; each reads what it needs through [`super::gather`]
//! and returns a [`super::Section`] (drawn, or why not).

pub(super) mod funnel;
pub(super) mod correlations;
pub(super) mod elbow;
pub(super) mod centroids;
pub(super) mod pca;
pub(super) mod sizes;
pub(super) mod samples;

/// The audio features compared in the correlation heatmap, as named in `tracks_features`.
pub const FEATURES: [&str; 10] =
    ["Danceability", "Energy", "Loudness", "Speechiness", "Acousticness", "Instrumentalness", "Liveness", "Valence", "Tempo", "Popularity"];

/// Width of the report's drawings, in SVG units.
pub(super) const WIDTH: f64 = 1180.0;

pub(in crate::report) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

