//! Playlists in an order a DJ would play them (`[playlists] order = "set"`).
//!
//! **Compatibility.** Two consecutive tracks are *harmonically compatible* when their Camelot
//! codes are the same (`8A` → `8A`), one step apart on the wheel with the same letter (`8A` →
//! `9A`, `12B` → `1B`), or the relative major/minor (`8A` ↔ `8B`): the moves of harmonic
//! mixing. Their tempos are *within the tolerance* when the relative step between them is at most
//! `tempo_tolerance` (default 6 %, about what a turntable's pitch fader covers), counting half and
//! double time as the same beat (90 → 178 BPM is a 1.1 % step).
//!
//! **Transition cost** `c(a → b)`, [`transition`]: harmonic 0 (same code) / 0.3 (a neighbour) /
//! 3 (incompatible, or a key unknown: 1.5); tempo `0.5 · d / tol` within the tolerance, else
//! `1.5 + 10 · (d − tol)` (capped at 4); energy follows an arc: a rise costs `0.5 · Δ`, a drop
//! `1.0 · Δ` (energy in 0–1) — so a set builds up and drops only where it must. An incompatible
//! key costs more than any tempo step within the tolerance, so harmony is kept first.
//!
//! **Sequencing**, [`sequence`]: a greedy path from the cluster's lowest-energy track (the arc
//! starts low), always to the cheapest unvisited track, then improved by 2-opt on the open path:
//! every reversal of a segment `s[i..=j]` whose total cost (the costs are asymmetric: reversed
//! edges are re-priced, through prefix sums of forward and backward costs) is lower is applied,
//! until a pass finds none (at most [`MAX_PASSES`] passes). O(n²) per pass, so a set of more
//! than [`SET_MAX`] tracks is sequenced in pieces of [`SET_PIECE`], in energy order.

/// Most 2-opt passes over one cluster.
pub const MAX_PASSES: usize = 60;

/// A track as the sequencing sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SetTrack {
    /// Camelot code: wheel number 1–12 and `A` (minor) / `B` (major); `None` when the key is unknown.
    pub camelot: Option<(u8, char)>,
    pub tempo: Option<f64>,
    pub energy: Option<f64>,
}

/// `8A` → `(8, 'A')`.
pub fn parse_camelot(s: &str) -> Option<(u8, char)> {
    let s = s.trim();
    let letter = s.chars().last()?.to_ascii_uppercase();
    let n: u8 = s[..s.len() - 1].parse().ok()?;
    ((1..=12).contains(&n) && (letter == 'A' || letter == 'B')).then_some((n, letter))
}

/// Same code, ±1 on the wheel with the same letter, or the relative major/minor.
pub fn harmonic(a: Option<(u8, char)>, b: Option<(u8, char)>) -> bool {
    let (Some((na, la)), Some((nb, lb))) = (a, b) else { return false };
    if la == lb {
        let d = (na as i32 - nb as i32).rem_euclid(12);
        d == 0 || d == 1 || d == 11
    } else {
        na == nb
    }
}

/// The relative tempo step from `a` to `b`, half and double time counted as the same beat.
pub fn tempo_step(a: f64, b: f64) -> Option<f64> {
    (a > 0.0 && b > 0.0).then(|| [b / a, 2.0 * b / a, b / (2.0 * a)].into_iter().map(|r| (r - 1.0).abs()).fold(f64::INFINITY, f64::min))
}

/// Whether the tempo step from `a` to `b` is within `tol`.
pub fn tempo_ok(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    matches!((a, b), (Some(a), Some(b)) if tempo_step(a, b).is_some_and(|d| d <= tol + 1e-12))
}

/// The harmonic part of [`transition`]: 0 for the same code, 0.3 for a neighbour, 3 for an
/// incompatible one, 1.5 when a key is unknown.
fn key_cost(a: Option<(u8, char)>, b: Option<(u8, char)>) -> f64 {
    match (a, b) {
        (Some(x), Some(y)) if x == y => 0.0,
        (Some(_), Some(_)) if harmonic(a, b) => 0.3,
        (Some(_), Some(_)) => 3.0,
        _ => 1.5,
    }
}

/// The cost of playing `b` after `a` (see the module doc).
pub fn transition(a: &SetTrack, b: &SetTrack, tol: f64) -> f64 {
    let key = key_cost(a.camelot, b.camelot);
    let tempo = match (a.tempo, b.tempo) {
        (Some(x), Some(y)) => match tempo_step(x, y) {
            Some(d) if d <= tol => 0.5 * d / tol,
            Some(d) => (1.5 + 10.0 * (d - tol)).min(4.0),
            None => 1.0,
        },
        _ => 1.0,
    };
    let energy = match (a.energy, b.energy) {
        (Some(x), Some(y)) if y >= x => 0.5 * (y - x),
        (Some(x), Some(y)) => x - y,
        _ => 0.0,
    };
    key + tempo + energy
}

/// Every [`transition`] of `tracks` (row `a`, column `b`: `c(a → b)`), row by row over the
/// tracks' values laid out as arrays, so that a row is one branch-free loop the compiler
/// vectorises: the same operations in the same order as [`transition`], to the last bit (the
/// key's cost read from the 25 × 25 table of Camelot codes, unknown included).
fn transition_table(tracks: &[SetTrack], tol: f64) -> Vec<f64> {
    let n = tracks.len();
    // Camelot code → 0..24 (24: unknown), and every pair of codes' key cost.
    let code = |c: Option<(u8, char)>| c.map_or(24, |(k, l)| (k as usize - 1) + if l == 'A' { 0 } else { 12 });
    let decode = |i: usize| (i < 24).then(|| ((i % 12 + 1) as u8, if i < 12 { 'A' } else { 'B' }));
    let keys: Vec<f64> = (0..25 * 25).map(|ij| key_cost(decode(ij / 25), decode(ij % 25))).collect();
    let codes: Vec<usize> = tracks.iter().map(|t| code(t.camelot)).collect();
    // A tempo counts when it is there and positive (tempo_step's test); energy when it is there.
    let tempo: Vec<f64> = tracks.iter().map(|t| t.tempo.unwrap_or(0.0)).collect();
    let tempo2: Vec<f64> = tempo.iter().map(|t| 2.0 * t).collect();
    let beat: Vec<bool> = tracks.iter().map(|t| t.tempo.is_some_and(|x| x > 0.0)).collect();
    let energy: Vec<f64> = tracks.iter().map(|t| t.energy.unwrap_or(0.0)).collect();
    let lit: Vec<bool> = tracks.iter().map(|t| t.energy.is_some()).collect();
    let mut table = vec![0.0; n * n];
    for (a, row) in table.chunks_exact_mut(n.max(1)).enumerate().take(n) {
        let (x, x2, xb, e, el) = (tempo[a], tempo2[a], beat[a], energy[a], lit[a]);
        let key_row = &keys[codes[a] * 25..codes[a] * 25 + 25];
        for b in 0..n {
            let key = key_row[codes[b]];
            let y = tempo[b];
            // tempo_step(x, y): the nearest of y / x, 2y / x and y / 2x to 1.
            let d = f64::INFINITY.min((y / x - 1.0).abs()).min((tempo2[b] / x - 1.0).abs()).min((y / x2 - 1.0).abs());
            let step = if d <= tol { 0.5 * d / tol } else { (1.5 + 10.0 * (d - tol)).min(4.0) };
            let tempo_cost = if xb && beat[b] { step } else { 1.0 };
            let f = energy[b];
            let rise = if f >= e { 0.5 * (f - e) } else { e - f };
            let energy_cost = if el && lit[b] { rise } else { 0.0 };
            row[b] = key + tempo_cost + energy_cost;
        }
    }
    table
}

/// The largest set sequenced whole (its 2 048² transition costs tabled: 32 MiB).
pub const SET_MAX: usize = 2048;

/// The pieces a larger set is sequenced in (see [`sequence`]).
pub const SET_PIECE: usize = 256;

/// The order (indexes into `tracks`) of a set through every track: greedy, then 2-opt. A set
/// of more than [`SET_MAX`] tracks is cut, in energy order (lowest first, so the arc still
/// builds over the whole playlist), into consecutive pieces of [`SET_PIECE`] tracks, each
/// sequenced so and played in turn: the work grows linearly with the set instead of as its
/// square.
pub fn sequence(tracks: &[SetTrack], tol: f64) -> Vec<usize> {
    if tracks.len() <= SET_MAX {
        return sequence_whole(tracks, tol);
    }
    let mut by_energy: Vec<usize> = (0..tracks.len()).collect();
    by_energy.sort_by(|&a, &b| tracks[a].energy.unwrap_or(1.0).total_cmp(&tracks[b].energy.unwrap_or(1.0)).then(a.cmp(&b)));
    let mut order = Vec::with_capacity(tracks.len());
    for piece in by_energy.chunks(SET_PIECE) {
        let these: Vec<SetTrack> = piece.iter().map(|&i| tracks[i].clone()).collect();
        order.extend(sequence_whole(&these, tol).into_iter().map(|q| piece[q]));
    }
    order
}

/// [`sequence`] of a set of at most [`SET_MAX`] tracks, as one piece.
fn sequence_whole(tracks: &[SetTrack], tol: f64) -> Vec<usize> {
    let n = tracks.len();
    if n < 3 {
        let mut order: Vec<usize> = (0..n).collect();
        if n == 2 && transition(&tracks[1], &tracks[0], tol) < transition(&tracks[0], &tracks[1], tol) {
            order.reverse();
        }
        return order;
    }
    // Every transition's cost, computed once: 2-opt asks for each pair many times over.
    let table = transition_table(tracks, tol);
    let c = |a: usize, b: usize| table[a * n + b];
    // Greedy from the lowest-energy track (the first on ties).
    let start = (0..n).min_by(|&a, &b| tracks[a].energy.unwrap_or(1.0).total_cmp(&tracks[b].energy.unwrap_or(1.0)).then(a.cmp(&b))).unwrap_or(0);
    let mut visited = vec![false; n];
    let mut path = Vec::with_capacity(n);
    let mut at = start;
    visited[at] = true;
    path.push(at);
    for _ in 1..n {
        let next = (0..n).filter(|&j| !visited[j]).min_by(|&a, &b| c(at, a).total_cmp(&c(at, b)).then(a.cmp(&b))).expect("an unvisited track");
        visited[next] = true;
        path.push(next);
        at = next;
    }
    two_opt(&mut path, &table);
    path
}

/// 2-opt on the open path `path` with the asymmetric costs `table` (row-major, n × n): for each
/// `i`, the first `j > i` whose reversal of `path[i..=j]` lowers the total cost is applied, the
/// scan going on from `j + 1`, until a pass applies none (at most [`MAX_PASSES`]).
///
/// A probe of `(i, j)` reads `c(path[i−1], path[j])` and `c(path[i], path[j+1])`: the table
/// rows of `path[i−1]` and `path[i]` taken in path order. Both are kept as arrays (`prev`,
/// `cur`) so that the scan over `j` is one pass over four arrays; `cur` becomes the next `i`'s
/// `prev`, and a reversal re-reads only the part of them it changes. The arithmetic and the
/// order of the probes are those of the plain double loop (kept in the tests), so the path
/// is the same.
fn two_opt(path: &mut [usize], table: &[f64]) {
    let n = path.len();
    let c = |a: usize, b: usize| table[a * n + b];
    let mut e = Edges::new(n);
    // prev[j] = c(path[i−1], path[j]) (0 for i = 0); cur[m] = c(path[i], path[m]), cur[n] = 0
    // (a reversal to the end has no edge out).
    let mut prev = vec![0.0; n + 1];
    let mut cur = vec![0.0; n + 1];
    let gather = |row: &mut [f64], from: usize, to: usize, path: &[usize], at: usize| {
        let r = &table[path[at] * n..path[at] * n + n];
        for m in from..to {
            row[m] = r[path[m]];
        }
    };
    for _ in 0..MAX_PASSES {
        let mut improved = false;
        e.measure(path, table);
        prev.fill(0.0);
        // prev is valid for j >= i + 1 from `stale`'s end on (a reversal at the previous i
        // re-read cur only past its j).
        let mut stale = 0..0;
        for i in 0..n - 1 {
            if i > 0 {
                std::mem::swap(&mut prev, &mut cur);
                cur[n] = 0.0;
                if !stale.is_empty() {
                    gather(&mut prev, stale.start.max(i + 1), stale.end.min(n), path, i - 1);
                }
            }
            gather(&mut cur, i + 2, n, path, i);
            stale = 0..0;
            // What reversing path[i..=j] saves before the j-dependent terms (see Edges).
            let h_of = |e: &Edges, path: &[usize]| e.bwd[i] - e.fwd[i] + if i > 0 { c(path[i - 1], path[i]) } else { 0.0 };
            let mut h = h_of(&e, path);
            let mut j = i + 1;
            while let Some(k) = first_below(&e.g[j..n], &prev[j..n], &cur[j + 1..=n], h - 1e-9) {
                let j_hit = j + k;
                path[i..=j_hit].reverse();
                e.measure(path, table);
                h = h_of(&e, path);
                improved = true;
                // path[i] is another track now: its row, past the reversal.
                gather(&mut cur, j_hit + 2, n, path, i);
                stale = i + 2..j_hit + 2;
                j = j_hit + 1;
                if j >= n {
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// The first `k` with `g[k] + a[k] + b[k] < limit` (summed in that order), 8 at a time.
#[inline]
fn first_below(g: &[f64], a: &[f64], b: &[f64], limit: f64) -> Option<usize> {
    let len = g.len().min(a.len()).min(b.len());
    let (g, a, b) = (&g[..len], &a[..len], &b[..len]);
    let mut k = 0;
    while k + 8 <= len {
        let mut any = false;
        for l in 0..8 {
            any |= g[k + l] + a[k + l] + b[k + l] < limit;
        }
        if any {
            break;
        }
        k += 8;
    }
    (k..len).find(|&k| g[k] + a[k] + b[k] < limit)
}

/// The open path's prefix sums of forward and backward edge costs, and `g[j] = bwd[j] −
/// fwd[j] − c(path[j], path[j+1])` (the last edge 0 at the end): what reversing
/// `path[i..=j]` changes is `g[j] + c(path[i−1], path[j]) + c(path[i], path[j+1]) − h(i)`, with
/// `h(i) = bwd[i] − fwd[i] + c(path[i−1], path[i])`, so each probe is two table reads.
struct Edges {
    fwd: Vec<f64>,
    bwd: Vec<f64>,
    g: Vec<f64>,
}

impl Edges {
    fn new(n: usize) -> Edges {
        Edges { fwd: vec![0.0; n], bwd: vec![0.0; n], g: vec![0.0; n] }
    }

    fn measure(&mut self, path: &[usize], table: &[f64]) {
        let n = path.len();
        for k in 1..n {
            self.fwd[k] = self.fwd[k - 1] + table[path[k - 1] * n + path[k]];
            self.bwd[k] = self.bwd[k - 1] + table[path[k] * n + path[k - 1]];
        }
        for k in 0..n {
            let next = if k + 1 < n { table[path[k] * n + path[k + 1]] } else { 0.0 };
            self.g[k] = self.bwd[k] - self.fwd[k] - next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(camelot: &str, tempo: f64, energy: f64) -> SetTrack {
        SetTrack { camelot: parse_camelot(camelot), tempo: Some(tempo), energy: Some(energy) }
    }

    /// The wheel's moves: same code, ±1 (12 wraps to 1), relative major/minor; nothing else.
    #[test]
    fn camelot_compatibility() {
        let p = |s| parse_camelot(s);
        assert_eq!(p("12B"), Some((12, 'B')));
        assert_eq!(p("13A"), None);
        assert!(harmonic(p("8A"), p("8A")) && harmonic(p("8A"), p("9A")) && harmonic(p("12B"), p("1B")) && harmonic(p("8A"), p("8B")));
        assert!(!harmonic(p("8A"), p("9B")) && !harmonic(p("8A"), p("10A")) && !harmonic(None, p("8A")));
    }

    /// Half and double time are the same beat; 6 % is the default tolerance.
    #[test]
    fn tempo_steps() {
        assert!((tempo_step(90.0, 178.0).unwrap() - 1.0 / 90.0).abs() < 1e-9);
        assert!(tempo_ok(Some(120.0), Some(127.0), 0.06) && !tempo_ok(Some(120.0), Some(128.0), 0.06));
        assert!(!tempo_ok(None, Some(120.0), 0.06));
    }

    /// A shuffled walk round the wheel comes back as a set whose every transition is
    /// harmonically compatible and within the tempo tolerance, starting at the lowest energy.
    #[test]
    fn a_shuffled_wheel_becomes_a_compatible_set() {
        let mut tracks = Vec::new();
        for k in 0..24usize {
            let code = format!("{}{}", k % 12 + 1, if k < 12 { 'A' } else { 'B' });
            tracks.push(t(&code, 120.0 + (k % 5) as f64, 0.2 + k as f64 / 40.0));
        }
        // A fixed shuffle.
        let order: Vec<usize> = (0..24).map(|i| (i * 7 + 3) % 24).collect();
        let shuffled: Vec<SetTrack> = order.iter().map(|&i| tracks[i].clone()).collect();
        let set = sequence(&shuffled, 0.06);
        let mut seen = set.clone();
        seen.sort();
        assert_eq!(seen, (0..24).collect::<Vec<_>>(), "every track once");
        let bad: Vec<(usize, usize)> = set.windows(2).map(|w| (w[0], w[1])).filter(|&(a, b)| !harmonic(shuffled[a].camelot, shuffled[b].camelot)).collect();
        assert!(bad.is_empty(), "incompatible transitions: {bad:?}");
        assert!(set.windows(2).all(|w| tempo_ok(shuffled[w[0]].tempo, shuffled[w[1]].tempo, 0.06)));
        assert_eq!(shuffled[set[0]].energy, Some(0.2), "the arc starts at the lowest energy");
    }

    /// A set larger than SET_MAX is sequenced piece by piece in energy order: every track
    /// once, each piece's tracks together, the pieces' energies rising, and within pieces
    /// the transitions still mostly compatible.
    #[test]
    fn a_large_set_is_sequenced_in_pieces() {
        let n = SET_MAX + 3 * SET_PIECE / 2;
        let tracks: Vec<SetTrack> = (0..n)
            .map(|i| {
                let k = (i * 7) % 24;
                t(&format!("{}{}", k % 12 + 1, if k < 12 { 'A' } else { 'B' }), 118.0 + (i % 9) as f64, ((i * 37) % n) as f64 / n as f64)
            })
            .collect();
        let set = sequence(&tracks, 0.06);
        let mut seen = set.clone();
        seen.sort();
        assert_eq!(seen, (0..n).collect::<Vec<_>>(), "every track once");
        let energy = |i: usize| tracks[i].energy.unwrap();
        for (p, w) in set.chunks(SET_PIECE).collect::<Vec<_>>().windows(2).enumerate() {
            let top = w[0].iter().map(|&i| energy(i)).fold(f64::MIN, f64::max);
            let low = w[1].iter().map(|&i| energy(i)).fold(f64::MAX, f64::min);
            assert!(top <= low, "piece {p} ends above the next one's lowest energy");
        }
        let compatible = set.windows(2).filter(|w| harmonic(tracks[w[0]].camelot, tracks[w[1]].camelot)).count();
        assert!(compatible as f64 >= 0.9 * (n - 1) as f64, "{compatible} of {} compatible", n - 1);
    }

    /// 2-opt never makes the greedy path worse, and fixes a crossing the greedy walk leaves.
    #[test]
    fn two_opt_lowers_the_total_cost() {
        let tracks = vec![t("1A", 120.0, 0.1), t("5A", 120.0, 0.2), t("2A", 120.0, 0.3), t("4A", 120.0, 0.4), t("3A", 120.0, 0.5)];
        let set = sequence(&tracks, 0.06);
        let total: f64 = set.windows(2).map(|w| transition(&tracks[w[0]], &tracks[w[1]], 0.06)).sum();
        let codes: Vec<u8> = set.iter().map(|&i| tracks[i].camelot.unwrap().0).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5], "total {total}");
    }

    /// The plain double loop [`two_opt`] must match, probe for probe.
    fn two_opt_plain(path: &mut [usize], table: &[f64]) {
        let n = path.len();
        let c = |a: usize, b: usize| table[a * n + b];
        let mut e = Edges::new(n);
        for _ in 0..MAX_PASSES {
            let mut improved = false;
            e.measure(path, table);
            for i in 0..n - 1 {
                // Reversing path[i..=j] changes the cost by g[j] + c(path[i−1], path[j]) +
                // c(path[i], path[j+1]) − h (see Edges): h and the two table rows are i's.
                let mut h = e.bwd[i] - e.fwd[i] + if i > 0 { c(path[i - 1], path[i]) } else { 0.0 };
                let mut j = i + 1;
                while j < n {
                    let into = if i > 0 { table[path[i - 1] * n + path[j]] } else { 0.0 };
                    let out = if j + 1 < n { table[path[i] * n + path[j + 1]] } else { 0.0 };
                    if e.g[j] + into + out < h - 1e-9 {
                        path[i..=j].reverse();
                        e.measure(path, table);
                        h = e.bwd[i] - e.fwd[i] + if i > 0 { c(path[i - 1], path[i]) } else { 0.0 };
                        improved = true;
                    }
                    j += 1;
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// The table is transition() for every pair, bit for bit, edge values included (unknown
    /// keys, tempos missing, zero, negative, NaN or infinite, energies missing or NaN).
    #[test]
    fn the_transition_table_is_transition() {
        let tempos = [None, Some(0.0), Some(-3.0), Some(f64::NAN), Some(f64::INFINITY), Some(60.0), Some(90.0), Some(121.3), Some(178.0), Some(240.0), Some(1e-300)];
        let energies = [None, Some(0.0), Some(0.35), Some(0.35), Some(1.0), Some(f64::NAN), Some(-0.2)];
        let mut tracks = Vec::new();
        for i in 0..150usize {
            let k = (i * 7) % 25;
            let camelot = (k < 24).then(|| ((k % 12 + 1) as u8, if k < 12 { 'A' } else { 'B' }));
            tracks.push(SetTrack { camelot, tempo: tempos[i % tempos.len()], energy: energies[(i / 3) % energies.len()] });
        }
        for tol in [0.06, 0.0, 0.5] {
            let table = transition_table(&tracks, tol);
            for (ab, &got) in table.iter().enumerate() {
                let want = transition(&tracks[ab / tracks.len()], &tracks[ab % tracks.len()], tol);
                assert_eq!(got.to_bits(), want.to_bits(), "{:?} → {:?}, tol {tol}: {got} vs {want}", tracks[ab / tracks.len()], tracks[ab % tracks.len()]);
            }
        }
        assert!(transition_table(&[], 0.06).is_empty());
    }

    /// On random sets (sizes around the 8-lane blocks, ties in the costs included), the
    /// blocked 2-opt gives the plain loop's path.
    #[test]
    fn two_opt_is_the_plain_loop() {
        let mut seed = 7u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in [3usize, 4, 7, 8, 9, 15, 16, 17, 40, 130] {
            for round in 0..4 {
                let tracks: Vec<SetTrack> = (0..n)
                    .map(|_| {
                        let k = next() % 25;
                        let camelot = (k < 24).then(|| ((k % 12 + 1) as u8, if k < 12 { 'A' } else { 'B' }));
                        let tempo = (next() % 7 != 0).then(|| 100.0 + (next() % 40) as f64);
                        let energy = Some((next() % (if round == 0 { 3 } else { 100 })) as f64 / 100.0);
                        SetTrack { camelot, tempo, energy }
                    })
                    .collect();
                let table = transition_table(&tracks, 0.06);
                let mut start: Vec<usize> = (0..n).collect();
                start.rotate_left(round % n);
                let (mut a, mut b) = (start.clone(), start);
                two_opt(&mut a, &table);
                two_opt_plain(&mut b, &table);
                assert_eq!(a, b, "n = {n}, round {round}");
            }
        }
    }
}
