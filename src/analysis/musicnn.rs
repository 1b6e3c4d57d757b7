//! The musicnn MTT tagger: 3-second mel patches in, the 50 MagnaTagATune tag probabilities
//! out, and what selecta derives from them.
//!
//! The ONNX file is built from the `musicnn` wheel on PyPI (ISC licence, Pons & Serra 2019)
//! by `models/musicnn_onnx.py` (`make tag-model`); it is never committed. [`Model`] reads its
//! weights ([`super::onnx`]) and runs musicnn's graph in Rust: `tract-onnx` was the plan, but
//! its build dependencies (liquid → pest) change the features of the host `memchr` that
//! libduckdb-sys's build script links, which would rebuild DuckDB. A track's tags are the
//! mean of its patches' probabilities (musicnn's `top_tags`).
//!
//! **Derived values** (from [`LABELS`]):
//! - `vocal` = v / (v + n), v the largest probability among the voice tags ([`VOICE`]: vocal,
//!   vocals, singing, voice, male, female, man, woman, male vocal, female vocal, male voice,
//!   female voice, choir, choral, opera), n the largest among `no vocal`, `no vocals`,
//!   `no voice`; `instrumental` = 1 − `vocal`. 0.5 when both are 0.
//! - **moods** ([`MOODS`]): each mood's score is the mean of its tags' probabilities — calm
//!   (slow, quiet, soft, ambient, new age), energetic (fast, loud, beat, beats, dance, techno,
//!   rock, metal), dark (weird, metal, ambient), bright (pop, dance, country, harpsichord,
//!   classical); a track's `moods` are those scoring at least [`MOOD_THRESHOLD`], the best first.

use std::path::Path;

use super::mel::{N_MELS, PATCH_FRAMES};

/// `musicnn.configuration.MTT_LABELS`, the model's output order.
pub const LABELS: [&str; 50] = [
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast", "piano", "ambient", "beat", "violin", "vocal", "synth", "female",
    "indian", "opera", "male", "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman", "male vocal", "no vocal", "pop", "soft",
    "sitar", "solo", "man", "classic", "choir", "voice", "new age", "dance", "male voice", "female vocal", "beats", "harp", "cello", "no voice", "weird",
    "country", "metal", "female voice", "choral",
];

/// Tags saying a voice is heard.
pub const VOICE: &[&str] =
    &["vocal", "vocals", "singing", "voice", "male", "female", "man", "woman", "male vocal", "female vocal", "male voice", "female voice", "choir", "choral", "opera"];
/// Tags saying none is.
pub const NO_VOICE: &[&str] = &["no vocal", "no vocals", "no voice"];

/// Each mood and the MTT tags whose mean probability scores it.
pub const MOODS: &[(&str, &[&str])] = &[
    ("calm", &["slow", "quiet", "soft", "ambient", "new age"]),
    ("energetic", &["fast", "loud", "beat", "beats", "dance", "techno", "rock", "metal"]),
    ("dark", &["weird", "metal", "ambient"]),
    ("bright", &["pop", "dance", "country", "harpsichord", "classical"]),
];
/// Lowest mood score listed in a track's `moods`.
pub const MOOD_THRESHOLD: f64 = 0.15;

fn p(tags: &[f64], label: &str) -> f64 {
    LABELS.iter().position(|l| *l == label).map_or(0.0, |i| tags[i])
}

/// The probability that a voice is heard, from the 50 tag probabilities.
pub fn vocal(tags: &[f64]) -> f64 {
    let max = |set: &[&str]| set.iter().map(|l| p(tags, l)).fold(0.0, f64::max);
    let (v, n) = (max(VOICE), max(NO_VOICE));
    if v + n > 0.0 { v / (v + n) } else { 0.5 }
}

/// Every mood's score, in [`MOODS`] order.
pub fn mood_scores(tags: &[f64]) -> Vec<(&'static str, f64)> {
    MOODS.iter().map(|(m, set)| (*m, set.iter().map(|l| p(tags, l)).sum::<f64>() / set.len() as f64)).collect()
}

/// The moods scoring at least [`MOOD_THRESHOLD`], the best first.
pub fn moods(tags: &[f64]) -> Vec<&'static str> {
    let mut s: Vec<_> = mood_scores(tags).into_iter().filter(|(_, v)| *v >= MOOD_THRESHOLD).collect();
    s.sort_by(|a, b| b.1.total_cmp(&a.1));
    s.into_iter().map(|(m, _)| m).collect()
}

/// Calls `$body(args)` compiled for AVX2 when the CPU has it (the same arithmetic, 8 lanes
/// instead of 4), as compiled otherwise. `$body` and what it calls must be `#[inline(always)]`.
macro_rules! avx2_or_plain {
    (fn $name:ident($($arg:ident : $ty:ty),* $(,)?) = $body:ident) => {
        fn $name($($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2 (checked just above).
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

/// `acc += a · w`, element-wise.
#[inline(always)]
fn axpy(acc: &mut [f32], a: f32, w: &[f32]) {
    for (y, w) in acc.iter_mut().zip(w) {
        *y += a * w;
    }
}

/// A convolution over a `[T, C]` input (time-major), zero-padded in time by `before` / the
/// rest, kernel `[kt, kc]` sliding over time and over the first `c_out_span` channel offsets:
/// `out[t][j][o] = bias[o] + Σ_{dt,dc} x[t+dt-before][j+dc] · w[dt][dc][o]`, with `w` laid
/// out `[kt][kc][O]`. Returns `[T][span][O]`.
#[inline(always)]
fn conv_body(x: &[f32], t_len: usize, c: usize, w: &[f32], kt: usize, kc: usize, o: usize, bias: &[f32], before: usize, out: &mut [f32]) {
    let span = c - kc + 1;
    for t in 0..t_len {
        for j in 0..span {
            let acc = &mut out[(t * span + j) * o..(t * span + j + 1) * o];
            acc.copy_from_slice(bias);
            for dt in 0..kt {
                let Some(src) = (t + dt).checked_sub(before).filter(|s| *s < t_len) else { continue };
                let row = &x[src * c + j..src * c + j + kc];
                for (dc, a) in row.iter().enumerate() {
                    if *a != 0.0 {
                        axpy(acc, *a, &w[(dt * kc + dc) * o..(dt * kc + dc + 1) * o]);
                    }
                }
            }
        }
    }
}

avx2_or_plain!(fn conv(x: &[f32], t_len: usize, c: usize, w: &[f32], kt: usize, kc: usize, o: usize, bias: &[f32], before: usize, out: &mut [f32]) = conv_body);

/// A convolution layer's weights in [`conv`]'s layout, with the batch normalisation after its
/// ReLU as a per-filter scale and shift.
struct Layer {
    w: Vec<f32>,
    bias: Vec<f32>,
    scale: Vec<f32>,
    shift: Vec<f32>,
    kt: usize,
    kc: usize,
    o: usize,
}

/// musicnn MTT: its weights, read from the ONNX file `make tag-model` writes, and its graph
/// (musicnn's `models.build_musicnn`) in Rust; shared by every worker.
pub struct Model {
    bn0: (f32, f32),
    /// The timbral (7×38, 7×67) and temporal (128×1, 64×1, 32×1) front-end filters.
    timbral: Vec<Layer>,
    temporal: Vec<Layer>,
    /// The mid end's three 7-wide convolutions over all channels.
    mid: Vec<Layer>,
    dense_bn: (Vec<f32>, Vec<f32>),
    dense: (Vec<f32>, Vec<f32>),
    out_bn: (Vec<f32>, Vec<f32>),
    out: (Vec<f32>, Vec<f32>),
    /// Identifies the weights in the cache: a hash of the file's bytes.
    pub id: String,
}

const FRONT: usize = 2 * 204 + 3 * 51;
const MID: usize = 64;
const POOLED: usize = FRONT + 3 * MID;
const UNITS: usize = 200;

impl Model {
    /// Reads the weights of the ONNX file and checks every shape musicnn's graph needs.
    pub fn load(path: &Path) -> Result<Model, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let id = {
            use sha2::Digest;
            let h = sha2::Sha256::digest(&bytes);
            format!("musicnn-mtt:{}", h.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>())
        };
        let mut t = super::onnx::initializers(&bytes).map_err(|e| format!("{}: not an ONNX model: {e}", path.display()))?;
        let mut take = |name: &str, dims: &[usize]| -> Result<Vec<f32>, String> {
            let x = t.remove(name).ok_or_else(|| format!("{}: no {name}: not musicnn's MTT model (make tag-model)", path.display()))?;
            if x.dims.iter().product::<usize>() != dims.iter().product::<usize>() {
                return Err(format!("{}: {name} has shape {:?}, musicnn's is {dims:?}", path.display(), x.dims));
            }
            Ok(x.data)
        };
        // ONNX [O, 1, kt, kc] → [kt][kc][O]; [O, C, kt] (the mid end) → [kt][C][O]
        let mut layer = |conv: &str, bn: &str, o: usize, c: usize, kt: usize, kc: usize, one_d: bool| -> Result<Layer, String> {
            let k = take(&format!("{conv}/kernel"), &if one_d { vec![o, c, kt] } else { vec![o, 1, kt, kc] })?;
            let mut w = vec![0f32; kt * kc * o];
            for oi in 0..o {
                for dt in 0..kt {
                    for dc in 0..kc {
                        let src = if one_d { (oi * c + dc) * kt + dt } else { (oi * kt + dt) * kc + dc };
                        w[(dt * kc + dc) * o + oi] = k[src];
                    }
                }
            }
            Ok(Layer {
                w,
                bias: take(&format!("{conv}/bias"), &[o])?,
                scale: take(&format!("{bn}/scale"), &[o])?,
                shift: take(&format!("{bn}/shift"), &[o])?,
                kt,
                kc,
                o,
            })
        };
        let timbral = vec![layer("conv2d", "batch_normalization_1", 204, 1, 7, 38, false)?, layer("conv2d_1", "batch_normalization_2", 204, 1, 7, 67, false)?];
        let temporal = vec![
            layer("conv2d_2", "batch_normalization_3", 51, 1, 128, 1, false)?,
            layer("conv2d_3", "batch_normalization_4", 51, 1, 64, 1, false)?,
            layer("conv2d_4", "batch_normalization_5", 51, 1, 32, 1, false)?,
        ];
        let mid = vec![
            layer("conv2d_5", "batch_normalization_6", MID, FRONT, 7, FRONT, true)?,
            layer("conv2d_6", "batch_normalization_7", MID, MID, 7, MID, true)?,
            layer("conv2d_7", "batch_normalization_8", MID, MID, 7, MID, true)?,
        ];
        let s0 = take("batch_normalization/scale", &[1])?[0];
        let b0 = take("batch_normalization/shift", &[1])?[0];
        Ok(Model {
            bn0: (s0, b0),
            timbral,
            temporal,
            mid,
            dense_bn: (take("batch_normalization_9/scale", &[2 * POOLED])?, take("batch_normalization_9/shift", &[2 * POOLED])?),
            dense: (take("dense/kernel", &[2 * POOLED, UNITS])?, take("dense/bias", &[UNITS])?),
            out_bn: (take("batch_normalization_10/scale", &[UNITS])?, take("batch_normalization_10/shift", &[UNITS])?),
            out: (take("dense_1/kernel", &[UNITS, LABELS.len()])?, take("dense_1/bias", &[LABELS.len()])?),
            id,
        })
    }

    /// The 50 tag probabilities of one patch (`PATCH_FRAMES × N_MELS`, frame-major).
    pub fn predict(&self, patch: &[f32]) -> Result<Vec<f32>, String> {
        let t_len = PATCH_FRAMES;
        if patch.len() != t_len * N_MELS {
            return Err(format!("a patch has {} values, not {}", patch.len(), t_len * N_MELS));
        }
        let x: Vec<f32> = patch.iter().map(|v| v * self.bn0.0 + self.bn0.1).collect();
        // front end: [T][561], each block ReLU → BN → max over frequency
        let mut front = vec![0f32; t_len * FRONT];
        let mut offset = 0;
        let blocks = self.timbral.iter().map(|l| (l, 3)).chain(self.temporal.iter().map(|l| (l, (l.kt - 1) / 2)));
        for (l, before) in blocks {
            let span = N_MELS - l.kc + 1;
            let mut y = vec![0f32; t_len * span * l.o];
            conv(&x, t_len, N_MELS, &l.w, l.kt, l.kc, l.o, &l.bias, before, &mut y);
            for t in 0..t_len {
                let dst = &mut front[t * FRONT + offset..t * FRONT + offset + l.o];
                dst.fill(f32::NEG_INFINITY);
                for j in 0..span {
                    let row = &y[(t * span + j) * l.o..(t * span + j + 1) * l.o];
                    for (oi, (d, v)) in dst.iter_mut().zip(row).enumerate() {
                        *d = d.max(v.max(0.0) * l.scale[oi] + l.shift[oi]);
                    }
                }
            }
            offset += l.o;
        }
        // mid end: three 7-wide convolutions, ReLU → BN, the last two residual
        let mut feats: Vec<Vec<f32>> = Vec::with_capacity(3);
        let mut input = (front.as_slice(), FRONT);
        let mut outs: Vec<Vec<f32>> = Vec::new();
        for (i, l) in self.mid.iter().enumerate() {
            let mut y = vec![0f32; t_len * l.o];
            conv(input.0, t_len, input.1, &l.w, l.kt, l.kc, l.o, &l.bias, 3, &mut y);
            for t in 0..t_len {
                for oi in 0..l.o {
                    let v = &mut y[t * l.o + oi];
                    *v = v.max(0.0) * l.scale[oi] + l.shift[oi];
                    if i > 0 {
                        *v += outs[i - 1][t * l.o + oi];
                    }
                }
            }
            outs.push(y);
            input = (outs[i].as_slice(), MID);
        }
        feats.push(front);
        feats.extend(outs);
        // back end: max and mean over time per channel, interleaved (TF's concat + flatten)
        let mut pooled = Vec::with_capacity(2 * POOLED);
        for (f, width) in feats.iter().zip([FRONT, MID, MID, MID]) {
            for c in 0..width {
                let col = (0..t_len).map(|t| f[t * width + c]);
                let max = col.clone().fold(f32::NEG_INFINITY, f32::max);
                let mean = col.sum::<f32>() / t_len as f32;
                pooled.push(max);
                pooled.push(mean);
            }
        }
        for (i, v) in pooled.iter_mut().enumerate() {
            *v = *v * self.dense_bn.0[i] + self.dense_bn.1[i];
        }
        let mut hidden = self.dense.1.clone();
        for (i, a) in pooled.iter().enumerate() {
            axpy(&mut hidden, *a, &self.dense.0[i * UNITS..(i + 1) * UNITS]);
        }
        for (i, h) in hidden.iter_mut().enumerate() {
            *h = h.max(0.0) * self.out_bn.0[i] + self.out_bn.1[i];
        }
        let mut logits = self.out.1.clone();
        for (i, a) in hidden.iter().enumerate() {
            axpy(&mut logits, *a, &self.out.0[i * LABELS.len()..(i + 1) * LABELS.len()]);
        }
        Ok(logits.iter().map(|z| 1.0 / (1.0 + (-z).exp())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, f64)]) -> Vec<f64> {
        let mut t = vec![0.0; 50];
        for (l, v) in pairs {
            t[LABELS.iter().position(|x| x == l).unwrap()] = *v;
        }
        t
    }

    #[test]
    fn vocal_is_voice_against_no_voice() {
        assert!((vocal(&with(&[("male vocal", 0.3), ("vocal", 0.1), ("no vocals", 0.1)])) - 0.75).abs() < 1e-12);
        assert_eq!(vocal(&with(&[("no voice", 0.4)])), 0.0);
        assert_eq!(vocal(&with(&[])), 0.5);
    }

    #[test]
    fn moods_above_the_threshold_best_first() {
        let t = with(&[("slow", 0.5), ("quiet", 0.5), ("soft", 0.5), ("ambient", 0.4), ("weird", 0.2)]);
        assert_eq!(moods(&t), vec!["calm", "dark"]);
        assert!((mood_scores(&t)[0].1 - 0.38).abs() < 1e-12);
    }
}
