//! Cluster names computed from the centroids, relative to the collection.
//!
//! For each cluster and feature, the centroid's value (original units) is placed in the
//! collection's distribution of that feature: its percentile `p` (share of clustered tracks
//! below it, ties counted half). A feature *stands out* when `p ≥ 0.70` (it gets the feature's
//! "high" word, e.g. Fast) or `p ≤ 0.30` (its "low" word, e.g. Slow); the name is up to
//! [`MAX_WORDS`] standout words joined by " · ", strongest first (by `|p − 0.5|`, then by the
//! configured feature order), e.g. "Fast · Energetic · Instrumental". A cluster with no standout
//! feature is "Middle of the road".
//!
//! Names are unique: clusters sharing a name get one more word each (the next strongest
//! feature, standout or not) until they differ or run out of features; clusters still equal
//! then get " II", " III"… in cluster order. The description lists every feature with its
//! centroid value and percentile. Everything is a pure function of the centroids and the data,
//! so it is deterministic. A names file ([`NameOverrides`]) replaces chosen names.

use std::collections::BTreeMap;
use std::path::Path;

use super::ClusterError;
use super::kmeans::Matrix;

/// Most standout words in a name before uniqueness needs more.
pub const MAX_WORDS: usize = 3;
const HIGH: f64 = 0.70;
const LOW: f64 = 0.30;

/// The high and low words of a feature (matched case-insensitively); unknown features get
/// "High <feature>" / "Low <feature>".
pub fn words(feature: &str) -> (String, String) {
    let (hi, lo) = match feature.to_ascii_lowercase().as_str() {
        "danceability" => ("Danceable", "Loose"),
        "energy" => ("Energetic", "Calm"),
        "loudness" => ("Loud", "Quiet"),
        "instrumentalness" => ("Instrumental", "Vocal"),
        "valence" => ("Bright", "Dark"),
        "tempo" => ("Fast", "Slow"),
        "speechiness" => ("Spoken", "Sung"),
        "acousticness" => ("Acoustic", "Electric"),
        "liveness" => ("Live", "Studio"),
        "popularity" => ("Popular", "Obscure"),
        _ => return (format!("High {feature}"), format!("Low {feature}")),
    };
    (hi.to_string(), lo.to_string())
}

/// A cluster's name and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterName {
    /// The name shown (the override's when the names file gives one).
    pub name: String,
    /// The name computed from the centroid.
    pub computed: String,
    pub description: String,
}

/// Share of `sorted` below `v`, ties counted half.
fn percentile(sorted: &[f64], v: f64) -> f64 {
    let below = sorted.partition_point(|&x| x < v);
    let upto = sorted.partition_point(|&x| x <= v);
    (below as f64 + (upto - below) as f64 / 2.0) / sorted.len() as f64
}

/// Names for the clusters whose centroids (original units, k × d) are given, relative to the
/// collection `data` (original units, n × d).
pub fn name_clusters(features: &[String], data: &Matrix, centroids: &Matrix, sizes: &[usize]) -> Vec<ClusterName> {
    let (k, d) = (centroids.n, centroids.d);
    let columns: Vec<Vec<f64>> = (0..d)
        .map(|j| {
            let mut c: Vec<f64> = (0..data.n).map(|i| data.get(i, j)).collect();
            c.sort_by(f64::total_cmp);
            c
        })
        .collect();
    let pct: Vec<Vec<f64>> = (0..k).map(|c| (0..d).map(|j| percentile(&columns[j], centroids.get(c, j))).collect()).collect();
    // Features of each cluster, strongest first.
    let ranked: Vec<Vec<usize>> = pct
        .iter()
        .map(|p| {
            let mut idx: Vec<usize> = (0..d).collect();
            idx.sort_by(|&a, &b| (p[b] - 0.5).abs().total_cmp(&(p[a] - 0.5).abs()).then(a.cmp(&b)));
            idx
        })
        .collect();
    let word = |c: usize, j: usize| {
        let (hi, lo) = words(&features[j]);
        if pct[c][j] >= 0.5 { hi } else { lo }
    };
    let standout = |c: usize| ranked[c].iter().filter(|&&j| pct[c][j] >= HIGH || pct[c][j] <= LOW).count().min(MAX_WORDS);
    let mut len: Vec<usize> = (0..k).map(standout).collect();
    let render = |c: usize, n: usize| -> String {
        if n == 0 { "Middle of the road".to_string() } else { ranked[c][..n].iter().map(|&j| word(c, j)).collect::<Vec<_>>().join(" · ") }
    };
    // Two names with the same words in another order ("Quiet · Calm · Loose" and "Loose · Calm ·
    // Quiet") say the same thing: uniqueness is judged on the set of words.
    let word_set = |name: &str| {
        let mut w: Vec<&str> = name.split(" · ").collect();
        w.sort_unstable();
        w.join(" · ")
    };
    loop {
        let names: Vec<String> = (0..k).map(|c| word_set(&render(c, len[c]))).collect();
        let mut grow = false;
        for c in 0..k {
            if len[c] < d && (0..k).any(|o| o != c && names[o] == names[c]) {
                len[c] += 1;
                grow = true;
            }
        }
        if !grow {
            break;
        }
    }
    let mut names: Vec<String> = (0..k).map(|c| render(c, len[c])).collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for name in names.iter_mut() {
        let count = seen.entry(word_set(name)).or_insert(0);
        *count += 1;
        if *count > 1 {
            *name = format!("{name} {}", roman(*count));
        }
    }
    (0..k)
        .map(|c| {
            let parts: Vec<String> = ranked[c]
                .iter()
                .map(|&j| format!("{} {} ({:.0}th percentile)", features[j].to_ascii_lowercase(), fmt_value(centroids.get(c, j)), pct[c][j] * 100.0))
                .collect();
            let size = sizes.get(c).copied().unwrap_or(0);
            let description = format!("{size} tracks; centroid, strongest features first: {}", parts.join(", "));
            ClusterName { name: names[c].clone(), computed: names[c].clone(), description }
        })
        .collect()
}

fn fmt_value(v: f64) -> String {
    if v.abs() >= 10.0 { format!("{v:.1}") } else { format!("{v:.3}") }
}

fn roman(n: usize) -> &'static str {
    ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"].get(n).copied().unwrap_or("+")
}

/// A names file: a TOML table whose keys are a cluster number (`"3"`) or a computed name
/// (`"Fast · Energetic"`, more robust across reruns) and whose values are the names to show:
/// ```toml
/// "0" = "Warm-up"
/// "Fast · Energetic · Instrumental" = "Peak time"
/// ```
#[derive(Debug, Clone, Default)]
pub struct NameOverrides {
    pub entries: BTreeMap<String, String>,
}

impl NameOverrides {
    /// Reads the file; one that does not exist yet (`selecta serve` creates it) names nothing.
    pub fn load(path: &Path) -> Result<NameOverrides, ClusterError> {
        let err = |message: String| ClusterError::NamesFile { path: path.to_path_buf(), message };
        if !path.exists() {
            tracing::warn!("the names file {} does not exist yet: computed names", path.display());
            return Ok(NameOverrides::default());
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let entries: BTreeMap<String, String> = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        Ok(NameOverrides { entries })
    }

    /// Applies the overrides; every key must match a cluster, and names must stay unique.
    pub fn apply(&self, names: &mut [ClusterName], path: &Path) -> Result<(), ClusterError> {
        let err = |message: String| ClusterError::NamesFile { path: path.to_path_buf(), message };
        for (key, value) in &self.entries {
            let target = match key.parse::<usize>() {
                Ok(c) if c < names.len() => Some(c),
                _ => names.iter().position(|n| &n.computed == key),
            };
            let Some(c) = target else {
                let known: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{i} = {:?}", n.computed)).collect();
                return Err(err(format!("{key:?} matches no cluster number or computed name; clusters are: {}", known.join(", "))));
            };
            if value.trim().is_empty() {
                return Err(err(format!("{key:?}: the name is empty")));
            }
            names[c].name = value.trim().to_string();
        }
        let mut seen = BTreeMap::new();
        for (c, n) in names.iter().enumerate() {
            if let Some(other) = seen.insert(n.name.clone(), c) {
                return Err(err(format!("clusters {other} and {c} would both be named {:?}", n.name)));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features() -> Vec<String> {
        ["Danceability", "Energy", "Tempo"].iter().map(|s| s.to_string()).collect()
    }

    fn data() -> Matrix {
        let rows: Vec<Vec<f64>> = (0..100).map(|i| vec![i as f64 / 100.0, ((i * 37) % 100) as f64 / 100.0, 60.0 + ((i * 61) % 100) as f64]).collect();
        Matrix::from_rows(rows).unwrap()
    }

    /// Standout features become words, strongest first; a plain centroid is "Middle of the road".
    #[test]
    fn names_from_standout_features() {
        let c = Matrix::from_rows(vec![vec![0.5, 0.95, 150.0], vec![0.1, 0.5, 110.0], vec![0.5, 0.5, 110.0]]).unwrap();
        let n = name_clusters(&features(), &data(), &c, &[1, 2, 3]);
        assert_eq!(n[0].name, "Energetic · Fast");
        assert_eq!(n[1].name, "Loose");
        assert_eq!(n[2].name, "Middle of the road");
        assert!(n[0].description.starts_with("1 tracks; centroid"), "{}", n[0].description);
        assert!(n[0].description.contains("tempo 150.0"), "{}", n[0].description);
    }

    /// Equal names grow a word until they differ; identical centroids get numbered; the same
    /// input always gives the same names.
    #[test]
    fn names_are_unique_and_deterministic() {
        let c = Matrix::from_rows(vec![vec![0.9, 0.6, 100.0], vec![0.9, 0.4, 100.0], vec![0.2, 0.5, 110.0], vec![0.2, 0.5, 110.0]]).unwrap();
        let a = name_clusters(&features(), &data(), &c, &[1, 1, 1, 1]);
        let b = name_clusters(&features(), &data(), &c, &[1, 1, 1, 1]);
        assert_eq!(a, b);
        let names: std::collections::BTreeSet<&str> = a.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names.len(), 4, "{a:?}");
        let word_sets: std::collections::BTreeSet<Vec<&str>> = a
            .iter()
            .map(|n| {
                let mut w: Vec<&str> = n.name.split(" · ").collect();
                w.sort_unstable();
                w
            })
            .collect();
        assert_eq!(word_sets.len(), 4, "the same words in another order are not another name: {a:?}");
        assert!(a[0].name.starts_with("Danceable · "), "{}", a[0].name);
        assert_ne!(a[0].name, a[1].name);
        assert_eq!(a[3].name, format!("{} II", a[2].name));
    }

    /// Overrides by number or computed name; unknown keys and duplicate names are errors.
    #[test]
    fn overrides() {
        let c = Matrix::from_rows(vec![vec![0.5, 0.95, 150.0], vec![0.1, 0.5, 110.0]]).unwrap();
        let path = Path::new("names.toml");
        let mut n = name_clusters(&features(), &data(), &c, &[1, 1]);
        let o = NameOverrides { entries: [("1".to_string(), "Slow burn".to_string()), ("Energetic · Fast".to_string(), "Peak".to_string())].into() };
        o.apply(&mut n, path).unwrap();
        assert_eq!((n[0].name.as_str(), n[1].name.as_str()), ("Peak", "Slow burn"));
        assert_eq!(n[0].computed, "Energetic · Fast");
        let bad = NameOverrides { entries: [("Nope".to_string(), "X".to_string())].into() };
        assert!(bad.apply(&mut n.clone(), path).unwrap_err().to_string().contains("matches no cluster"));
        let dup = NameOverrides { entries: [("0".to_string(), "Same".to_string()), ("1".to_string(), "Same".to_string())].into() };
        assert!(dup.apply(&mut n, path).unwrap_err().to_string().contains("both be named"));
    }
}
