//! Known-answer tests on signals synthesised here: click tracks of known tempo, chord
//! progressions of known key, sines of known level (EBU Tech 3341 / 3342), and pairs whose
//! danceability and energy order is known.

use super::analyzer::analyze_samples;
use super::key;

const RATE: u32 = 44_100;

/// A deterministic noise source (xorshift), values in −1..1.
struct Noise(u64);
impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32
    }
    fn unit(&mut self) -> f64 {
        (self.next() as f64 + 1.0) / 2.0
    }
}

/// A drum hit at `t` seconds into `out`: a decaying 60→45 Hz kick body plus a noise click.
fn hit(out: &mut [f32], rate: u32, t: f64, gain: f32, noise: &mut Noise) {
    let start = (t * rate as f64).round() as usize;
    let len = (0.15 * rate as f64) as usize;
    for i in 0..len {
        let Some(o) = out.get_mut(start + i) else { break };
        let s = i as f64 / rate as f64;
        let body = (2.0 * std::f64::consts::PI * (45.0 + 15.0 * (-s * 30.0).exp()) * s).sin() * (-s * 25.0).exp();
        let click = noise.next() as f64 * (-s * 300.0).exp();
        *o += gain * (0.7 * body + 0.5 * click) as f32;
    }
}

fn click_track(bpm: f64, secs: f64) -> Vec<f32> {
    let mut out = vec![0f32; (secs * RATE as f64) as usize];
    let mut noise = Noise(7);
    let period = 60.0 / bpm;
    let mut t = 0.1;
    while t < secs {
        hit(&mut out, RATE, t, 0.5, &mut noise);
        t += period;
    }
    out
}

/// Tempo within 1 % at 60, 90, 120, 128 and 174 BPM, and 1 % fast (a turntable's speed error);
/// half or double counts as wrong.
#[test]
fn click_tracks_give_their_tempo() {
    let mut failures = Vec::new();
    for base in [60.0, 90.0, 120.0, 128.0, 174.0] {
        for bpm in [base, base * 1.01] {
            let f = analyze_samples(&click_track(bpm, 30.0), 1, RATE);
            let got = f.tempo_bpm.unwrap_or(0.0);
            if (got / bpm - 1.0).abs() > 0.01 {
                failures.push(format!("{bpm:.2} → {got:.2}"));
            }
        }
    }
    assert!(failures.is_empty(), "tempo off by more than 1 %: {failures:?}");
}

/// A tone with three harmonics, `secs` long, with a short attack and release.
fn tone(out: &mut [f32], rate: u32, start: f64, secs: f64, midi: f64, gain: f32) {
    let f = 440.0 * 2f64.powf((midi - 69.0) / 12.0);
    let s0 = (start * rate as f64) as usize;
    let n = (secs * rate as f64) as usize;
    for i in 0..n {
        let Some(o) = out.get_mut(s0 + i) else { break };
        let t = i as f64 / rate as f64;
        let env = (t / 0.02).min(1.0) * ((secs - t) / 0.05).clamp(0.0, 1.0);
        let w = 2.0 * std::f64::consts::PI * f * t;
        *o += gain * (env * (w.sin() + 0.5 * (2.0 * w).sin() + 0.25 * (3.0 * w).sin())) as f32;
    }
}

/// I–IV–V–I in `key` (0 = C) and `mode` (1 major; minor: i–iv–V–i, the harmonic minor's
/// major dominant), each chord 1 s with its root in the bass, four times over.
fn cadence(key: u8, mode: u8) -> Vec<f32> {
    let secs = 16.0;
    let mut out = vec![0f32; (secs * RATE as f64) as usize];
    let third = if mode == 1 { 4.0 } else { 3.0 };
    // (root offset, third above root) of I, IV, V, I
    let chords = [(0.0, third), (5.0, third), (7.0, 4.0), (0.0, third)];
    let tonic = 60.0 + key as f64;
    for rep in 0..4 {
        for (i, (root, third)) in chords.iter().enumerate() {
            let t = (rep * 4 + i) as f64;
            let r = tonic + root;
            for (midi, g) in [(r - 12.0, 0.15), (r, 0.12), (r + third, 0.12), (r + 7.0, 0.12)] {
                tone(&mut out, RATE, t, 1.0, midi, g);
            }
        }
    }
    out
}

/// I–IV–V–I in all 24 keys: the exact key and mode for at least 22.
#[test]
fn cadences_give_their_key() {
    let mut wrong = Vec::new();
    for mode in [1u8, 0] {
        for k in 0..12u8 {
            let f = analyze_samples(&cadence(k, mode), 1, RATE);
            if (f.key, f.mode) != (Some(k), Some(mode)) {
                wrong.push(format!("{} → {}", key::name(k, mode), f.key.zip(f.mode).map_or("none".into(), |(a, b)| key::name(a, b))));
            }
        }
    }
    assert!(wrong.len() <= 2, "wrong keys: {wrong:?}");
    assert!(wrong.is_empty(), "all 24 expected on clean synthetic cadences, wrong: {wrong:?}");
}

#[test]
fn camelot_codes() {
    assert_eq!(key::camelot(0, 1), "8B");
    assert_eq!(key::camelot(9, 0), "8A");
    assert_eq!(key::camelot(7, 1), "9B");
    assert_eq!(key::camelot(4, 0), "9A");
}

/// `channels` copies of a 1 kHz sine whose peak is `dbfs` for `secs`, at 48 kHz; channels
/// may have their own levels.
fn sine_segments(levels: &[(f64, f64)], channel_gain_db: &[f64]) -> Vec<f32> {
    let rate = 48_000.0;
    let ch = channel_gain_db.len();
    let total: f64 = levels.iter().map(|(s, _)| s).sum();
    let mut out = Vec::with_capacity((total * rate) as usize * ch);
    let mut n = 0u64;
    for (secs, db) in levels {
        for _ in 0..(secs * rate) as usize {
            let s = (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / rate).sin();
            for g in channel_gain_db {
                out.push((s * 10f64.powf((db + g) / 20.0)) as f32);
            }
            n += 1;
        }
    }
    out
}

fn lufs(x: &[f32], ch: usize) -> (f64, f64) {
    let f = analyze_samples(x, ch, 48_000);
    (f.loudness_lufs.unwrap(), f.loudness_range_lu.unwrap_or(f64::NAN))
}

/// A 1 kHz sine at −23 dBFS reads −23.0 ± 0.1 LUFS (stereo, and mono as dual mono), and the
/// EBU Tech 3341 cases 1–6 and Tech 3342 cases 1–4 pass.
#[test]
fn ebu_tech_3341_and_3342() {
    let stereo = [0.0, 0.0];
    let (l, _) = lufs(&sine_segments(&[(20.0, -23.0)], &[0.0]), 1);
    assert!((l + 23.0).abs() <= 0.1, "mono −23 dBFS sine: {l}");
    // Tech 3341: (segments, expected LUFS), tolerance ±0.1 LU
    let cases: [(&[(f64, f64)], f64); 5] = [
        (&[(20.0, -23.0)], -23.0),
        (&[(20.0, -33.0)], -33.0),
        (&[(10.0, -36.0), (60.0, -23.0), (10.0, -36.0)], -23.0),
        (&[(10.0, -72.0), (10.0, -36.0), (60.0, -23.0), (10.0, -36.0), (10.0, -72.0)], -23.0),
        (&[(20.0, -26.0), (20.1, -20.0), (20.0, -26.0)], -23.0),
    ];
    for (i, (segs, want)) in cases.iter().enumerate() {
        let (l, _) = lufs(&sine_segments(segs, &stereo), 2);
        assert!((l - want).abs() <= 0.1, "Tech 3341 case {}: {l} LUFS, want {want}", i + 1);
    }
    // case 6: 5.0 channels, L R at −28, C at −24, Ls Rs at −30 dBFS (LFE slot silent)
    let five: Vec<f32> = sine_segments(&[(20.0, 0.0)], &[-28.0, -28.0, -24.0, -200.0, -30.0, -30.0]);
    let (l, _) = lufs(&five, 6);
    assert!((l + 23.0).abs() <= 0.1, "Tech 3341 case 6: {l}");
    // Tech 3342: (segments, expected LRA), tolerance ±1 LU
    let lra: [(&[(f64, f64)], f64); 4] = [
        (&[(20.0, -20.0), (20.0, -30.0)], 10.0),
        (&[(20.0, -20.0), (20.0, -15.0)], 5.0),
        (&[(20.0, -40.0), (20.0, -20.0)], 20.0),
        (&[(20.0, -50.0), (20.0, -35.0), (20.0, -20.0), (20.0, -35.0), (20.0, -50.0)], 15.0),
    ];
    for (i, (segs, want)) in lra.iter().enumerate() {
        let (_, r) = lufs(&sine_segments(segs, &stereo), 2);
        assert!((r - want).abs() <= 1.0, "Tech 3342 case {}: LRA {r}, want {want}", i + 1);
    }
}

/// Steady four-on-the-floor is more danceable than the same number of hits at random times.
#[test]
fn steady_kicks_are_more_danceable_than_random_hits() {
    let secs = 40.0;
    let steady = click_track(124.0, secs);
    let hits = (secs * 124.0 / 60.0) as usize;
    let mut noise = Noise(99);
    let mut random = vec![0f32; steady.len()];
    let mut times: Vec<f64> = (0..hits).map(|_| noise.unit() * (secs - 0.2)).collect();
    times.sort_by(f64::total_cmp);
    for t in times {
        hit(&mut random, RATE, t, 0.5, &mut noise);
    }
    let (a, b) = (analyze_samples(&steady, 1, RATE), analyze_samples(&random, 1, RATE));
    let (da, db) = (a.danceability.unwrap(), b.danceability.unwrap());
    assert!(da > db + 0.05, "steady {da:.3} vs random {db:.3}");
}

/// Loud dense noise has more energy than a quiet sine.
#[test]
fn loud_noise_has_more_energy_than_a_quiet_sine() {
    let n = 20 * RATE as usize;
    let mut noise = Noise(5);
    let loud: Vec<f32> = (0..n).map(|_| 0.5 * noise.next()).collect();
    let quiet: Vec<f32> = (0..n).map(|i| 0.03 * (2.0 * std::f64::consts::PI * 440.0 * i as f64 / RATE as f64).sin() as f32).collect();
    let (a, b) = (analyze_samples(&loud, 1, RATE), analyze_samples(&quiet, 1, RATE));
    assert!(a.energy > b.energy + 0.3, "noise {:.3} vs sine {:.3}", a.energy, b.energy);
    assert!(a.spectral_flatness > 0.3 && b.spectral_flatness < 0.05, "flatness {} {}", a.spectral_flatness, b.spectral_flatness);
    // zero crossings per sample at the analysis rate (22 050 Hz)
    assert!(a.zcr > 0.3 && (b.zcr - 2.0 * 440.0 / 22_050.0).abs() < 0.002, "zcr {} {}", a.zcr, b.zcr);
    assert!((b.spectral_centroid_hz - 440.0).abs() < 30.0, "centroid of a 440 Hz sine: {}", b.spectral_centroid_hz);
    assert!((a.duration_s - 20.0).abs() < 1e-9);
}
