//! The tagging step (`analysis.tags`): musicnn's MTT tags for every decoded file or CUE track
//! of `track_files`, when a tag model is there, into `analysis_tags`.
//!
//! The model is `[analysis] tag_model`, by default [`default_model_path`]
//! (`~/.cache/selecta/models/musicnn-mtt.onnx`, what `make tag-model` writes). No model is not
//! a failure: the step ends OK with a note saying tags were skipped and how to build it, and
//! `analysis_tags` is empty. A file that is there but does not load is a warning.
//!
//! Each file is decoded once (its CUE tracks routed to one tagger each), mixed to mono,
//! resampled to 16 kHz ([`Resampler`]), turned into mel patches ([`MelPatches`]) and run
//! through the model patch by patch, so memory stays bounded. Workers (`[analysis] threads`)
//! share one model. Results are cached in `state.analysis_tag_cache` by content hash, segment
//! and model, written one file at a time as each finishes: Ctrl-C loses at most the files in
//! flight, and a rerun tags only new or changed files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;

use duckdb::Connection;

use super::config::AnalysisConfig;
use super::split::{Segment, decode_segments};
use super::error::AnalysisError;
use super::mel::{MelPatches, RATE};
use super::musicnn::{self, LABELS, Model};
use super::resample::{Resampler, downmix};
use crate::db::{DbError, duck};
use crate::step::{StepContext, StepOutput};

/// Where `make tag-model` puts the model and where the step looks without `tag_model`:
/// `$XDG_CACHE_HOME/selecta/models/musicnn-mtt.onnx`, else `~/.cache/selecta/models/…`.
pub fn default_model_path() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    cache.join("selecta/models/musicnn-mtt.onnx")
}

/// A segment's tags: the mean probabilities over its patches (empty with 0 patches).
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentTags {
    pub patches: usize,
    pub probabilities: Vec<f64>,
}

/// One track's tagger: samples at the file's rate in, mean tag probabilities out.
pub struct Tagger<'m> {
    model: &'m Model,
    channels: usize,
    resampler: Resampler,
    mel: MelPatches,
    mono: Vec<f32>,
    resampled: Vec<f32>,
    sum: Vec<f64>,
    patches: usize,
    error: Option<String>,
}

impl<'m> Tagger<'m> {
    pub fn new(model: &'m Model, channels: usize, rate: u32) -> Tagger<'m> {
        Tagger {
            model,
            channels: channels.max(1),
            resampler: Resampler::new(rate, RATE),
            mel: MelPatches::new(),
            mono: Vec::new(),
            resampled: Vec::new(),
            sum: vec![0.0; LABELS.len()],
            patches: 0,
            error: None,
        }
    }

    fn run(&mut self, patch: &[f32]) {
        if self.error.is_some() {
            return;
        }
        match self.model.predict(patch) {
            Ok(p) => {
                for (s, v) in self.sum.iter_mut().zip(p) {
                    *s += f64::from(v);
                }
                self.patches += 1;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Interleaved samples in −1..1.
    pub fn push(&mut self, interleaved: &[f32]) {
        self.mono.clear();
        downmix(interleaved, self.channels, &mut self.mono);
        self.resampled.clear();
        self.resampler.process(&self.mono, &mut self.resampled);
        let (mut mel, resampled) = (std::mem::take(&mut self.mel), std::mem::take(&mut self.resampled));
        mel.push(&resampled, &mut |p| self.run(p));
        (self.mel, self.resampled) = (mel, resampled);
    }

    pub fn finish(mut self) -> Result<SegmentTags, String> {
        let mut mel = std::mem::take(&mut self.mel);
        mel.finish(&mut |p| self.run(p));
        if let Some(e) = self.error {
            return Err(e);
        }
        let n = self.patches;
        let probabilities = if n > 0 { self.sum.iter().map(|s| s / n as f64).collect() } else { Vec::new() };
        Ok(SegmentTags { patches: n, probabilities })
    }
}

/// Decodes `path` once and tags each segment starting at `starts` (seconds, ascending).
pub fn tag_file(model: &Model, path: &Path, starts: &[f64]) -> Result<Vec<SegmentTags>, String> {
    let (_, done) = decode_segments(path, starts, |channels, rate| Tagger::new(model, channels, rate), || Ok(SegmentTags { patches: 0, probabilities: Vec::new() }))
        .map_err(|e| e.to_string())?;
    done.into_iter().collect()
}

impl Segment for Tagger<'_> {
    type Out = Result<SegmentTags, String>;

    fn push(&mut self, interleaved: &[f32]) {
        Tagger::push(self, interleaved);
    }

    fn finish(self) -> Result<SegmentTags, String> {
        Tagger::finish(self)
    }
}

/// A row of `track_files` to tag.
struct Row {
    file_key: String,
    path: String,
    start_ms: i64,
    hash: String,
    track_id: Option<String>,
}

type CacheKey = (String, i64);
type Cached = Result<SegmentTags, String>;

fn load_rows(conn: &Connection) -> Result<Vec<Row>, DbError> {
    let ctx = "reading track_files for the tags";
    let mut stmt = conn
        .prepare(
            "SELECT file_key, path, CAST(round(segment_start_s * 1000) AS BIGINT), content_hash, track_id FROM track_files
             WHERE error IS NULL AND content_hash IS NOT NULL ORDER BY path, segment_start_s",
        )
        .map_err(duck(ctx))?;
    stmt.query_map([], |r| Ok(Row { file_key: r.get(0)?, path: r.get(1)?, start_ms: r.get(2)?, hash: r.get(3)?, track_id: r.get(4)? }))
        .and_then(|m| m.collect::<Result<Vec<_>, _>>())
        .map_err(duck(ctx))
}

fn load_cache(conn: &Connection, model: &str) -> Result<HashMap<CacheKey, Cached>, DbError> {
    let ctx = "reading state.analysis_tag_cache";
    let mut stmt = conn.prepare("SELECT content_hash, segment_start_ms, patches, probabilities, error FROM state.analysis_tag_cache WHERE model = ?").map_err(duck(ctx))?;
    let mut rows = stmt.query([model]).map_err(duck(ctx))?;
    let mut out = HashMap::new();
    while let Some(r) = rows.next().map_err(duck(ctx))? {
        let key: CacheKey = (r.get(0).map_err(duck(ctx))?, r.get(1).map_err(duck(ctx))?);
        let patches: i64 = r.get(2).map_err(duck(ctx))?;
        let probs: Option<String> = r.get(3).map_err(duck(ctx))?;
        let error: Option<String> = r.get(4).map_err(duck(ctx))?;
        let v = match error {
            Some(e) => Err(e),
            None => {
                let probabilities: Vec<f64> = probs.iter().flat_map(|p| p.split(',')).filter_map(|v| v.parse().ok()).collect();
                if patches > 0 && probabilities.len() != LABELS.len() {
                    continue; // not ours: tag it again
                }
                Ok(SegmentTags { patches: patches as usize, probabilities })
            }
        };
        out.insert(key, v);
    }
    Ok(out)
}

fn remember(conn: &Connection, model: &str, hash: &str, starts: &[i64], result: &[Cached]) -> Result<(), DbError> {
    let ctx = "writing state.analysis_tag_cache";
    conn.execute_batch("BEGIN").map_err(duck(ctx))?;
    for (start, r) in starts.iter().zip(result) {
        let (patches, probs, error) = match r {
            Ok(t) => (t.patches as i64, (t.patches > 0).then(|| t.probabilities.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",")), None),
            Err(e) => (0, None, Some(e.clone())),
        };
        conn.execute("INSERT OR REPLACE INTO state.analysis_tag_cache VALUES (?, ?, ?, ?, ?, ?, current_timestamp)", duckdb::params![hash, start, model, patches, probs, error])
            .map_err(duck(ctx))?;
    }
    conn.execute_batch("COMMIT").map_err(duck(ctx))
}

/// What a tagging run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagSummary {
    pub tagged_now: usize,
    pub from_cache: usize,
    pub too_short: usize,
    pub failed: usize,
    pub rows: usize,
}

/// Tags every decoded row of `track_files` with `model`; writes `analysis_tags`.
pub fn run(conn: &Connection, cfg: &AnalysisConfig, model: &Model, progress: bool) -> Result<TagSummary, AnalysisError> {
    let rows = load_rows(conn)?;
    let cache = load_cache(conn, &model.id)?;
    // one job per file: its hash and the segment starts the cache lacks
    let mut files: Vec<(String, String, Vec<i64>)> = Vec::new();
    for r in &rows {
        match files.last_mut() {
            Some((p, _, starts)) if *p == r.path => starts.push(r.start_ms),
            _ => files.push((r.path.clone(), r.hash.clone(), vec![r.start_ms])),
        }
    }
    let todo: Vec<(String, String, Vec<i64>)> =
        files.into_iter().filter(|(_, h, starts)| starts.iter().any(|s| !cache.contains_key(&(h.clone(), *s)))).collect();
    let bar = if progress { indicatif::ProgressBar::new(todo.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("tagging {bar:30} {pos}/{len} files, {per_sec}, ETA {eta}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut summary = TagSummary::default();
    let mut fresh: HashMap<CacheKey, Cached> = HashMap::new();
    let mut write_error: Option<DbError> = None;
    let queue = Mutex::new(todo.into_iter());
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..cfg.workers() {
            let (tx, queue) = (tx.clone(), &queue);
            scope.spawn(move || {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some((path, hash, starts)) = next else { break };
                    let secs: Vec<f64> = starts.iter().map(|s| *s as f64 / 1000.0).collect();
                    let result: Vec<Cached> = match tag_file(model, Path::new(&path), &secs) {
                        Ok(t) => t.into_iter().map(Ok).collect(),
                        Err(e) => vec![Err(e); starts.len()],
                    };
                    if tx.send((hash, starts, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (hash, starts, result) in rx {
            bar.inc(1);
            if write_error.is_none() {
                write_error = remember(conn, &model.id, &hash, &starts, &result).err();
            }
            for (s, r) in starts.into_iter().zip(result) {
                fresh.insert((hash.clone(), s), r);
            }
        }
    });
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    write_table(conn, &model.id, &rows, &cache, &fresh, &mut summary)?;
    Ok(summary)
}

fn write_table(
    conn: &Connection,
    model: &str,
    rows: &[Row],
    cache: &HashMap<CacheKey, Cached>,
    fresh: &HashMap<CacheKey, Cached>,
    summary: &mut TagSummary,
) -> Result<(), DbError> {
    let ctx = "writing analysis_tags";
    conn.execute_batch(include_str!("../../sql/outputs/analysis_tags.sql")).map_err(duck(ctx))?;
    let mut app = conn.appender("analysis_tags").map_err(duck(ctx))?;
    for r in rows {
        let key = (r.hash.clone(), r.start_ms);
        let (result, now) = match fresh.get(&key) {
            Some(v) => (v, true),
            None => match cache.get(&key) {
                Some(v) => (v, false),
                None => continue,
            },
        };
        let t = match result {
            Ok(t) => t,
            Err(_) => {
                summary.failed += 1;
                continue;
            }
        };
        if now {
            summary.tagged_now += 1;
        } else {
            summary.from_cache += 1;
        }
        if t.patches == 0 {
            summary.too_short += 1;
            continue;
        }
        let p = &t.probabilities;
        let vocal = musicnn::vocal(p);
        let moods = musicnn::mood_scores(p);
        let mut order: Vec<usize> = (0..LABELS.len()).collect();
        order.sort_by(|a, b| p[*b].total_cmp(&p[*a]));
        let top: Vec<&str> = order.iter().take(5).map(|i| LABELS[*i]).collect();
        let mut values: Vec<duckdb::types::Value> = vec![
            r.file_key.clone().into(),
            r.track_id.clone().map_or(duckdb::types::Value::Null, Into::into),
            model.to_string().into(),
            (t.patches as i32).into(),
            vocal.into(),
            (1.0 - vocal).into(),
        ];
        values.extend(moods.iter().map(|(_, v)| duckdb::types::Value::from(*v)));
        values.push(musicnn::moods(p).join(", ").into());
        values.push(top.join(", ").into());
        values.extend(p.iter().map(|v| duckdb::types::Value::from(*v)));
        app.append_row(duckdb::appender_params_from_iter(values)).map_err(duck(ctx))?;
        summary.rows += 1;
    }
    app.flush().map_err(duck(ctx))
}

/// The build step after `analysis`.
pub fn tags_step(ctx: &StepContext<'_>, cfg: &AnalysisConfig) -> Result<StepOutput, AnalysisError> {
    let conn = ctx.conn;
    conn.execute_batch(include_str!("../../sql/state/analysis_tag_cache.sql")).map_err(duck("creating state.analysis_tag_cache"))?;
    conn.execute_batch(include_str!("../../sql/outputs/analysis_tags.sql")).map_err(duck("creating analysis_tags"))?;
    let path = cfg.tag_model.clone().unwrap_or_else(default_model_path);
    if !path.exists() {
        return Ok(StepOutput::ok(0).with_note(format!(
            "tags skipped: no musicnn model at {} (build it with `make tag-model`, or set [analysis] tag_model)",
            path.display()
        )));
    }
    let model = match Model::load(&path) {
        Ok(m) => m,
        Err(e) => return Ok(StepOutput::warn(0, format!("tags skipped: {e}"))),
    };
    let s = run(conn, cfg, &model, ctx.progress)?;
    let note = format!(
        "{} tracks tagged ({}): {} now, {} from cache; {} shorter than 3 s, {} failed",
        s.rows, model.id, s.tagged_now, s.from_cache, s.too_short, s.failed
    );
    Ok(if s.failed > 0 { StepOutput::warn(s.rows as u64, note) } else { StepOutput::ok(s.rows as u64).with_note(note) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models_dir() -> PathBuf {
        default_model_path().parent().map(Path::to_path_buf).unwrap_or_default()
    }

    /// With tags, Instrumentalness and Valence join the calibration: on 60 tracks whose
    /// other-source values are a known function of the tags plus a small deterministic
    /// wobble, their cross-validated R² is what that wobble allows, and every tagged track
    /// gets calibrated values.
    #[test]
    fn tags_calibrate_instrumentalness_and_valence() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../sql/outputs/analysis_features.sql")).unwrap();
        conn.execute_batch(include_str!("../../sql/outputs/analysis_tags.sql")).unwrap();
        conn.execute_batch(
            "INSERT INTO analysis_features (file_key, track_id, analyzer_version, duration_s, tempo_bpm, tempo_confidence, loudness_lufs,
                 danceability, energy, spectral_centroid_hz, spectral_entropy, spectral_flux, onset_rate)
             SELECT 'f' || i, 't' || i, 'v', 180, 90 + i % 50, (i % 7) / 7, -20 + i % 11, (i % 10) / 10, (i % 13) / 13, 1000 + i, (i % 5) / 5, (i % 3) / 3, i % 4
             FROM range(60) r(i)",
        )
        .unwrap();
        let cols: Vec<String> = conn.prepare("SELECT column_name FROM (DESCRIBE analysis_tags)").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        let instr = "((i * 37) % 60) / 60.0";
        let bright = "((i * 17) % 60) / 60.0";
        let exprs: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(k, c)| match c.as_str() {
                "file_key" => "'f' || i".into(),
                "track_id" => "'t' || i".into(),
                "model" => "'m'".into(),
                "patches" => "5".into(),
                "instrumental" => instr.into(),
                "vocal" => format!("1 - {instr}"),
                "bright" => bright.into(),
                "moods" | "top_tags" => "''".into(),
                _ => format!("((i * {}) % 60) / 60.0", 7 + 2 * k),
            })
            .collect();
        conn.execute_batch(&format!("INSERT INTO analysis_tags SELECT {} FROM range(60) r(i)", exprs.join(", "))).unwrap();
        conn.execute_batch(&format!(
            "CREATE TABLE tracks_features AS SELECT 't' || i AS Track_id, true AS has_features, (i % 10) / 10 AS Danceability,
                 (i % 13) / 13 AS Energy, -20 + i % 11 AS Loudness, 90 + i % 50 AS Tempo,
                 0.1 + 0.8 * {instr} + 0.02 * sin(i) AS Instrumentalness, 0.2 + 0.6 * {bright} + 0.02 * cos(i) AS Valence
             FROM range(60) r(i)"
        ))
        .unwrap();
        let cals = super::super::calibrate::calibrate(&conn, 5).unwrap();
        let by = |f: &str| cals.iter().find(|c| c.feature == f).unwrap_or_else(|| panic!("{f} calibrated"));
        // var(0.8·U) = 0.0533 against var(0.02·sin) ≈ 0.0002: R² ≈ 0.996
        for (f, signal) in [("Instrumentalness", 0.64 / 12.0), ("Valence", 0.36 / 12.0)] {
            let q = by(f).quality.expect("cross-validated");
            let allows = signal / (signal + 0.0002);
            assert_eq!(by(f).n, 60);
            assert!(q.r2 > allows - 0.02 && q.r2 <= 1.0, "{f}: R² {:.4}, the wobble allows {allows:.4}", q.r2);
        }
        let filled: i64 = conn.query_row("SELECT count(*) FROM analysis_calibrated WHERE Instrumentalness IS NOT NULL AND Valence IS NOT NULL", [], |r| r.get(0)).unwrap();
        assert_eq!(filled, 60);
        let rows: i64 = conn.query_row("SELECT count(*) FROM analysis_calibration", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 6);
    }

    /// selecta's mel front end and its run of the converted weights against musicnn's own
    /// Python (librosa + TensorFlow) on the same rendered files: the same patch count, and
    /// every one of the 50 tag probabilities within [`TOLERANCE`]; the voice over the bed
    /// more vocal than the bed alone; a 2-second file has no patch.
    #[test]
    #[ignore = "needs the musicnn model and musicnn's own tags: make tag-model tag-reference (make test-all runs it)"]
    fn agrees_with_musicnn_python() {
        const TOLERANCE: f64 = 1e-3;
        let model_path = std::env::var_os("SELECTA_TAG_MODEL").map(PathBuf::from).unwrap_or_else(default_model_path);
        let dir = std::env::var_os("SELECTA_TAG_REFERENCE").map(PathBuf::from).unwrap_or_else(|| models_dir().join("musicnn-reference"));
        let model = Model::load(&model_path).unwrap_or_else(|e| panic!("{e}: run make tag-model"));
        let reference = std::fs::read_to_string(dir.join("reference.jsonl")).unwrap_or_else(|e| panic!("{}: {e}: run make tag-reference", dir.display()));
        let mut vocal = HashMap::new();
        for line in reference.lines() {
            let r: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let file = r["file"].as_str().expect("file");
            let want: Vec<f64> = r["tags"].as_array().expect("tags").iter().map(|v| v.as_f64().expect("a number")).collect();
            let got = tag_file(&model, &dir.join(file), &[0.0]).expect("tagged").remove(0);
            assert_eq!(got.patches as u64, r["patches"].as_u64().expect("patches"), "{file}");
            let worst = (0..LABELS.len()).max_by(|a, b| (got.probabilities[*a] - want[*a]).abs().total_cmp(&(got.probabilities[*b] - want[*b]).abs())).unwrap();
            let diff = (got.probabilities[worst] - want[worst]).abs();
            eprintln!("{file}: largest difference {diff:.5} ({}: {:.4} vs musicnn {:.4})", LABELS[worst], got.probabilities[worst], want[worst]);
            assert!(diff <= TOLERANCE, "{file}: {} is {:.4}, musicnn says {:.4}", LABELS[worst], got.probabilities[worst], want[worst]);
            vocal.insert(file.to_string(), (musicnn::vocal(&got.probabilities), musicnn::vocal(&want)));
        }
        let (bed, voice) = (vocal["bed.wav"], vocal["voice.wav"]);
        eprintln!("vocal: bed {:.3} (musicnn {:.3}), voice {:.3} (musicnn {:.3})", bed.0, bed.1, voice.0, voice.1);
        assert!(voice.0 > bed.0 && voice.1 > bed.1, "{vocal:?}");
        assert_eq!(tag_file(&model, &dir.join("short.wav"), &[0.0]).expect("tagged")[0].patches, 0);
    }
}
