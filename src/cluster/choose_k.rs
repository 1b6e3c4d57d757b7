//! Choosing k: the elbow curve's points and the rule `--k auto` applies (the silhouette of
//! each k is [`super::silhouette`]'s).
//!
//! [`KRule`] is the rule of `--k auto` over the range ([`choose`]):
//! - `elbow` (default): the "kneedle" point of the inertia curve — k and inertia are both
//!   normalised to [0, 1] over the range, and the k whose point lies farthest below the chord
//!   joining the first and the last point is chosen (smallest k on ties). On the original data
//!   (2..=20) this is k = 6;
//! - `silhouette`: the k with the highest silhouette (smallest k on ties). On the original data
//!   this is k = 2 (0.260), which makes few, broad playlists.

use serde::Deserialize;

/// The rule of `--k auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum KRule {
    #[default]
    Elbow,
    Silhouette,
}

impl KRule {
    pub fn as_str(self) -> &'static str {
        match self {
            KRule::Elbow => "elbow",
            KRule::Silhouette => "silhouette",
        }
    }
}

/// One point of the elbow curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElbowPoint {
    pub k: usize,
    pub inertia: f64,
    pub silhouette: Option<f64>,
    /// The KMeans restarts its inertia is the best of (fewer than `n_init` when stopped early).
    pub restarts: usize,
}

/// The k that `rule` picks among `points` (ascending k, at least one).
pub fn choose(points: &[ElbowPoint], rule: KRule) -> usize {
    match rule {
        KRule::Silhouette => {
            let mut best = points[0];
            for p in points {
                if p.silhouette.unwrap_or(f64::NEG_INFINITY) > best.silhouette.unwrap_or(f64::NEG_INFINITY) {
                    best = *p;
                }
            }
            best.k
        }
        KRule::Elbow => {
            let (first, last) = (points[0], points[points.len() - 1]);
            let dk = (last.k - first.k) as f64;
            let di = first.inertia - last.inertia;
            if points.len() < 3 || dk == 0.0 || di <= 0.0 {
                return first.k;
            }
            let mut best = (first.k, 0.0);
            for p in points {
                let xn = (p.k - first.k) as f64 / dk;
                let drop = (first.inertia - p.inertia) / di;
                // On the chord the normalised drop equals xn; a knee drops more, earlier.
                let gap = drop - xn;
                if gap > best.1 {
                    best = (p.k, gap);
                }
            }
            best.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(first_k: usize, inertia: &[f64]) -> Vec<ElbowPoint> {
        inertia.iter().enumerate().map(|(i, &v)| ElbowPoint { k: first_k + i, inertia: v, silhouette: None, restarts: 1 }).collect()
    }

    /// The kneedle point worked by hand on small curves. For k = 1..5 and inertia 100, 40, 25,
    /// 20, 18: x = (k − 1)/4, the normalised drop (100 − I)/82 is 0.732, 0.915, 0.976 at
    /// k = 2, 3, 4, so the gaps drop − x are 0.482, 0.415, 0.226: k = 2. A late knee (k = 2..6,
    /// 50, 48, 45, 12, 10): gaps −0.20, −0.375, +0.20 at k = 3, 4, 5: k = 5. Equal gaps (1, 0.5,
    /// 0.25, 0.2, 0: 0.25 at k = 2 and 3): the smaller k. No knee (a straight line, a flat or
    /// rising curve, fewer than three points): the first k.
    #[test]
    fn elbow_rule_by_hand() {
        assert_eq!(choose(&curve(1, &[100.0, 40.0, 25.0, 20.0, 18.0]), KRule::Elbow), 2);
        assert_eq!(choose(&curve(2, &[50.0, 48.0, 45.0, 12.0, 10.0]), KRule::Elbow), 5);
        assert_eq!(choose(&curve(1, &[1.0, 0.5, 0.25, 0.2, 0.0]), KRule::Elbow), 2);
        assert_eq!(choose(&curve(3, &[40.0, 30.0, 20.0, 10.0]), KRule::Elbow), 3, "a straight line has no knee");
        assert_eq!(choose(&curve(2, &[5.0, 5.0, 5.0]), KRule::Elbow), 2);
        assert_eq!(choose(&curve(2, &[5.0, 6.0, 7.0]), KRule::Elbow), 2);
        assert_eq!(choose(&curve(4, &[9.0, 1.0]), KRule::Elbow), 4);
    }

    /// The silhouette rule takes the highest value, the smaller k on ties, and never a k whose
    /// silhouette is undefined.
    #[test]
    fn silhouette_rule_by_hand() {
        let mut points = curve(2, &[9.0, 8.0, 7.0, 6.0]);
        for (p, s) in points.iter_mut().zip([None, Some(0.31), Some(0.42), Some(0.42)]) {
            p.silhouette = s;
        }
        assert_eq!(choose(&points, KRule::Silhouette), 4);
        points[3].silhouette = Some(0.43);
        assert_eq!(choose(&points, KRule::Silhouette), 5);
    }

    /// The elbow rule on the inertia curve scikit-learn measured on the original data
    /// (k = 2..20) picks k = 6; the silhouette rule picks the highest silhouette.
    #[test]
    fn rules_on_the_reference_curve() {
        let inertia = [
            9058.88, 7557.37, 6536.52, 6032.83, 5443.22, 5206.70, 4875.47, 4664.26, 4523.31, 4382.28, 4201.36, 4057.27, 3940.21,
            3812.88, 3681.13, 3608.02, 3557.81, 3467.13, 3407.83,
        ];
        let points: Vec<ElbowPoint> = inertia
            .iter()
            .enumerate()
            .map(|(i, &v)| ElbowPoint { k: i + 2, inertia: v, silhouette: Some(if i == 0 { 0.260 } else if i == 2 { 0.241 } else { 0.2 }), restarts: 10 })
            .collect();
        assert_eq!(choose(&points, KRule::Elbow), 6);
        assert_eq!(choose(&points, KRule::Silhouette), 2);
    }
}
