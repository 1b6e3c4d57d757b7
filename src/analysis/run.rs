//! The analysis step: walk the music folders, analyse what the cache does not have (in
//! parallel, with a progress bar), match every file to a track, write `track_files`,
//! `analysis_features` and `tracks_without_file`.
//!
//! Workers (one per core, `[analysis] threads`) take files from a shared queue; each hashes
//! its file (unless `state.analysis_file_hashes` knows it unchanged), reads its tags and CUE
//! sheet and analyses the segments the cache lacks. The main thread receives every finished
//! file and writes it to `state.analysis_cache` at once (its own transaction), so Ctrl-C loses
//! at most the files in flight. A file that cannot be read or decoded is recorded with its
//! reason and the run goes on.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use duckdb::{Connection, ToSql};

use super::config::AnalysisConfig;
use super::cue::{self, CueSheet};
use super::error::{AnalysisError, FileError};
use super::features::{ANALYZER_VERSION, Features};
use super::key::camelot;
use super::matcher::{Index, Scorer, TrackRef};
use super::phases::Phases;
use super::scan::{self, AudioFile};
use super::split::analyze_file;
use super::tags::{self, FileTags};
use crate::db::{DbError, duck};
use crate::step::{StepContext, StepOutput};

/// Builds the scorer for the collection's tracks (the composition passes the matching stage's).
pub type ScorerFactory<'a> = dyn Fn(&[TrackRef]) -> Box<dyn Scorer> + 'a;

/// One segment of a file: the whole file, or one CUE track.
#[derive(Debug, Clone)]
struct Segment {
    start_s: f64,
    cue_track: Option<u32>,
    tags: FileTags,
    features: Result<Features, FileError>,
    from_cache: bool,
}

/// A finished file.
struct Done {
    file: AudioFile,
    hash: Option<String>,
    cue_file: Option<String>,
    codec: Option<String>,
    layout: Option<(usize, u32)>,
    segments: Vec<Segment>,
    /// Whether something was analysed now (else all from the cache).
    analysed: bool,
    /// The worker's time on this file, by phase.
    phases: Phases,
}

type CacheKey = (String, i64);
type Cached = (Option<String>, Result<Features, FileError>);

/// What a run did, for the step's note and `selecta analyze`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub files: usize,
    pub segments: usize,
    pub analysed: usize,
    pub from_cache: usize,
    pub failed: usize,
    pub matched: usize,
    pub unmatched: usize,
    pub tracks_without_file: u64,
}

const FEATURE_COLUMNS: &str = "duration_s, tempo_bpm, tempo_confidence, key, mode, key_strength, loudness_lufs, loudness_range_lu, danceability, energy, spectral_centroid_hz, spectral_rolloff_hz, spectral_flatness, spectral_entropy, spectral_flux, zcr, onset_rate";

fn feature_values(f: &Features) -> Vec<Option<f64>> {
    vec![
        Some(f.duration_s),
        f.tempo_bpm,
        f.tempo_confidence,
        f.key.map(f64::from),
        f.mode.map(f64::from),
        f.key_strength,
        f.loudness_lufs,
        f.loudness_range_lu,
        f.danceability,
        Some(f.energy),
        Some(f.spectral_centroid_hz),
        Some(f.spectral_rolloff_hz),
        Some(f.spectral_flatness),
        Some(f.spectral_entropy),
        Some(f.spectral_flux),
        Some(f.zcr),
        Some(f.onset_rate),
    ]
}

fn features_from(v: &[Option<f64>]) -> Features {
    let g = |i: usize| v.get(i).copied().flatten();
    Features {
        duration_s: g(0).unwrap_or(0.0),
        tempo_bpm: g(1),
        tempo_confidence: g(2),
        key: g(3).map(|x| x as u8),
        mode: g(4).map(|x| x as u8),
        key_strength: g(5),
        loudness_lufs: g(6),
        loudness_range_lu: g(7),
        danceability: g(8),
        energy: g(9).unwrap_or(0.0),
        spectral_centroid_hz: g(10).unwrap_or(0.0),
        spectral_rolloff_hz: g(11).unwrap_or(0.0),
        spectral_flatness: g(12).unwrap_or(0.0),
        spectral_entropy: g(13).unwrap_or(0.0),
        spectral_flux: g(14).unwrap_or(0.0),
        zcr: g(15).unwrap_or(0.0),
        onset_rate: g(16).unwrap_or(0.0),
    }
}

fn load_cache(conn: &Connection) -> Result<(HashMap<String, (u64, i64, String)>, HashMap<CacheKey, Cached>), DbError> {
    let ctx = "reading state.analysis_cache";
    let mut hashes = HashMap::new();
    let mut stmt = conn.prepare("SELECT path, size, mtime, content_hash FROM state.analysis_file_hashes").map_err(duck(ctx))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, String>(3)?))).map_err(duck(ctx))?;
    for r in rows {
        let (p, s, m, h) = r.map_err(duck(ctx))?;
        hashes.insert(p, (s as u64, m, h));
    }
    let mut cache = HashMap::new();
    let sql = format!("SELECT content_hash, segment_start_ms, codec, error, {FEATURE_COLUMNS} FROM state.analysis_cache WHERE analyzer_version = ?");
    let mut stmt = conn.prepare(&sql).map_err(duck(ctx))?;
    let mut rows = stmt.query([ANALYZER_VERSION]).map_err(duck(ctx))?;
    while let Some(r) = rows.next().map_err(duck(ctx))? {
        let hash: String = r.get(0).map_err(duck(ctx))?;
        let start: i64 = r.get(1).map_err(duck(ctx))?;
        let codec: Option<String> = r.get(2).map_err(duck(ctx))?;
        let error: Option<String> = r.get(3).map_err(duck(ctx))?;
        let vals: Vec<Option<f64>> = (0..17).map(|i| r.get::<_, Option<f64>>(4 + i)).collect::<Result<_, _>>().map_err(duck(ctx))?;
        let f = match error {
            Some(e) => Err(FileError::Cached(e)),
            None => Ok(features_from(&vals)),
        };
        cache.insert((hash, start), (codec, f));
    }
    Ok((hashes, cache))
}

fn ms(s: f64) -> i64 {
    (s * 1000.0).round() as i64
}

/// Hash, tags, CUE, and the analysis of what the cache lacks, for one file.
fn work(file: AudioFile, known: Option<&(u64, i64, String)>, cache: &HashMap<CacheKey, Cached>) -> Done {
    let started = std::time::Instant::now();
    let mut d = work_untimed(file, known, cache);
    d.phases.rest = started.elapsed().saturating_sub(d.phases.named());
    d
}

fn work_untimed(file: AudioFile, known: Option<&(u64, i64, String)>, cache: &HashMap<CacheKey, Cached>) -> Done {
    let hash = match known.filter(|(s, m, _)| *s == file.size && *m == file.mtime) {
        Some((_, _, h)) => Ok(h.clone()),
        None => scan::content_hash(&file.path).map_err(|e| FileError::Io(e.to_string())),
    };
    let hash = match hash {
        Ok(h) => h,
        Err(e) => {
            let seg = Segment { start_s: 0.0, cue_track: None, tags: FileTags::default(), features: Err(e), from_cache: false };
            return Done { file, hash: None, cue_file: None, codec: None, layout: None, segments: vec![seg], analysed: false, phases: Phases::default() };
        }
    };
    let file_tags = tags::read(&file.path);
    let embedded = file_tags.cuesheet.as_deref().and_then(cue::parse).map(|s| ("(embedded)".to_string(), s));
    let sheet: Option<(String, CueSheet)> = embedded.or_else(|| cue::beside(&file.path).map(|(p, s)| (p.display().to_string(), s)));
    let mut segments: Vec<Segment> = match &sheet {
        Some((_, s)) if s.tracks.len() > 1 || s.tracks.first().is_some_and(|t| t.start_s > 0.0) => s
            .tracks
            .iter()
            .map(|t| {
                let mut tg = file_tags.clone();
                tg.title = t.title.clone().or(tg.title);
                tg.artist = t.performer.clone().or_else(|| s.performer.clone()).or(tg.artist);
                tg.album = tg.album.or_else(|| s.title.clone());
                tg.position = Some(t.number.to_string());
                tg.tagged = true;
                Segment { start_s: t.start_s, cue_track: Some(t.number), tags: tg, features: Err(FileError::Empty(String::new())), from_cache: false }
            })
            .collect(),
        _ => vec![Segment { start_s: 0.0, cue_track: None, tags: file_tags.clone(), features: Err(FileError::Empty(String::new())), from_cache: false }],
    };
    let mut codec = None;
    let mut all_cached = true;
    for s in &mut segments {
        match cache.get(&(hash.clone(), ms(s.start_s))) {
            Some((c, f)) => {
                s.features = f.clone();
                s.from_cache = true;
                codec = codec.or_else(|| c.clone());
            }
            None => all_cached = false,
        }
    }
    let mut layout = None;
    let mut phases = Phases::default();
    if !all_cached {
        let starts: Vec<f64> = segments.iter().map(|s| s.start_s).collect();
        match analyze_file(&file.path, &starts) {
            Ok((info, feats, p)) => {
                phases = p;
                codec = Some(info.codec.clone());
                layout = Some((info.channels, info.rate));
                for (s, f) in segments.iter_mut().zip(feats) {
                    s.features = Ok(f);
                    s.from_cache = false;
                }
            }
            Err(e) => {
                for s in &mut segments {
                    s.features = Err(e.clone());
                    s.from_cache = false;
                }
            }
        }
    }
    let cue_file = sheet.map(|(p, _)| p);
    Done { file, hash: Some(hash), cue_file, codec, layout, segments, analysed: !all_cached, phases }
}

fn remember(conn: &Connection, d: &Done) -> Result<(), DbError> {
    let ctx = "writing state.analysis_cache";
    let Some(hash) = &d.hash else { return Ok(()) };
    conn.execute(
        "INSERT OR REPLACE INTO state.analysis_file_hashes VALUES (?, ?, ?, ?)",
        duckdb::params![d.file.path.display().to_string(), d.file.size as i64, d.file.mtime, hash],
    )
    .map_err(duck(ctx))?;
    if !d.analysed {
        return Ok(());
    }
    let marks = vec!["?"; 24].join(", ");
    let sql = format!("INSERT OR REPLACE INTO state.analysis_cache (content_hash, segment_start_ms, analyzer_version, codec, channels, sample_rate, error, {FEATURE_COLUMNS}) VALUES ({marks})");
    conn.execute_batch("BEGIN").map_err(duck(ctx))?;
    for s in &d.segments {
        let (error, vals) = match &s.features {
            Ok(f) => (None, feature_values(f)),
            Err(e) => (Some(e.to_string()), vec![None; 17]),
        };
        let start = ms(s.start_s);
        let channels = d.layout.map(|l| l.0 as i64);
        let rate = d.layout.map(|l| l.1 as i64);
        let mut p: Vec<&dyn ToSql> = vec![hash, &start, &ANALYZER_VERSION, &d.codec, &channels, &rate, &error];
        p.extend(vals.iter().map(|v| v as &dyn ToSql));
        conn.execute(&sql, p.as_slice()).map_err(duck(ctx))?;
    }
    conn.execute_batch("COMMIT").map_err(duck(ctx))?;
    Ok(())
}

fn load_tracks(conn: &Connection) -> Result<Vec<TrackRef>, DbError> {
    let ctx = "reading tracks for the analysis";
    let mut stmt = conn
        .prepare("SELECT track_id, release_id, coalesce(position, ''), coalesce(artist, ''), coalesce(title, ''), coalesce(album, ''), duration_ms FROM tracks ORDER BY release_id, seq")
        .map_err(duck(ctx))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(TrackRef { track_id: r.get(0)?, release_id: r.get(1)?, position: r.get(2)?, artist: r.get(3)?, title: r.get(4)?, album: r.get(5)?, duration_ms: r.get(6)? })
        })
        .and_then(|m| m.collect::<Result<Vec<_>, _>>())
        .map_err(duck(ctx))?;
    Ok(rows)
}

/// Runs the analysis of `cfg.music_dirs` (or `dirs` when given) on the connection (the
/// warehouse with the state database attached as `state`).
pub fn run(conn: &Connection, cfg: &AnalysisConfig, dirs: Option<&[PathBuf]>, progress: bool, scorer: &ScorerFactory<'_>) -> Result<Summary, AnalysisError> {
    conn.execute_batch(include_str!("../../sql/state/analysis_file_hashes.sql")).map_err(duck("creating state.analysis_file_hashes"))?;
    conn.execute_batch(include_str!("../../sql/state/analysis_cache.sql")).map_err(duck("creating state.analysis_cache"))?;
    let files = scan::walk(dirs.unwrap_or(&cfg.music_dirs))?;
    let (hashes, cache) = load_cache(conn)?;
    let bar = if progress { indicatif::ProgressBar::new(files.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(
        indicatif::ProgressStyle::with_template("analysing {bar:30} {pos}/{len} files, {per_sec}, ETA {eta} {msg}").unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let queue = Mutex::new(files.into_iter());
    let total_done = AtomicUsize::new(0);
    let mut done: Vec<Done> = Vec::new();
    let mut write_error: Option<DbError> = None;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Done>();
        for _ in 0..cfg.workers() {
            let tx = tx.clone();
            let (queue, hashes, cache, total_done) = (&queue, &hashes, &cache, &total_done);
            scope.spawn(move || {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some(file) = next else { break };
                    let known = hashes.get(&file.path.display().to_string());
                    let d = work(file, known, cache);
                    total_done.fetch_add(1, Ordering::Relaxed);
                    if tx.send(d).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for d in rx {
            bar.inc(1);
            if write_error.is_none() {
                if let Err(e) = remember(conn, &d) {
                    write_error = Some(e);
                }
            }
            done.push(d);
        }
    });
    bar.finish_and_clear();
    if let Some(e) = write_error {
        return Err(e.into());
    }
    let mut phases = Phases::default();
    for d in &done {
        phases.add(&d.phases);
    }
    tracing::debug!(target: "selecta::analysis::phases", files = done.iter().filter(|d| d.analysed).count(), "seconds by phase: {}", phases.line());
    done.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let tracks = load_tracks(conn)?;
    let scorer = scorer(&tracks);
    let index = Index::new(&tracks);
    write_tables(conn, &done, &index, scorer.as_ref(), cfg.accept)
}

fn write_tables(conn: &Connection, done: &[Done], index: &Index<'_>, scorer: &dyn Scorer, accept: f64) -> Result<Summary, AnalysisError> {
    let ctx = "writing track_files and analysis_features";
    conn.execute_batch(include_str!("../../sql/outputs/track_files.sql")).map_err(duck(ctx))?;
    conn.execute_batch(include_str!("../../sql/outputs/analysis_features.sql")).map_err(duck(ctx))?;
    let mut summary = Summary { files: done.len(), ..Default::default() };
    {
        let mut files = conn.appender("track_files").map_err(duck(ctx))?;
        let mut feats = conn.appender("analysis_features").map_err(duck(ctx))?;
        for d in done {
            summary.analysed += usize::from(d.analysed);
            let path = d.file.path.display().to_string();
            for s in &d.segments {
                summary.segments += 1;
                let key = match s.cue_track {
                    Some(n) => format!("{path}#{n}"),
                    None => path.clone(),
                };
                let duration = s.features.as_ref().ok().map(|f| f.duration_s);
                let m = match &s.features {
                    Ok(_) => Some(index.match_file(&s.tags, duration.map(|d| (d * 1000.0).round() as i64), scorer, accept)),
                    Err(_) => None,
                };
                let track_id = m.as_ref().and_then(|m| m.track).map(|i| index.tracks[i].track_id.clone());
                if track_id.is_some() {
                    summary.matched += 1;
                } else {
                    summary.unmatched += 1;
                }
                if s.from_cache {
                    summary.from_cache += 1;
                }
                let (quality, reason, score) = match (&m, &s.features) {
                    (Some(m), _) => (m.quality.to_string(), Some(m.reason.clone()), m.score),
                    (None, Err(e)) => ("error".to_string(), Some(e.to_string()), None),
                    (None, Ok(_)) => ("unmatched".to_string(), None, None),
                };
                let error = s.features.as_ref().err().map(|e| e.to_string());
                if error.is_some() {
                    summary.failed += 1;
                }
                let t = &s.tags;
                files
                    .append_row(duckdb::params![
                        key,
                        path,
                        s.cue_track.map(i64::from),
                        d.cue_file,
                        s.start_s,
                        d.hash,
                        d.file.format,
                        d.codec,
                        d.file.size as i64,
                        duration,
                        t.artist,
                        t.album,
                        t.title,
                        t.position,
                        t.release_id,
                        t.tagged,
                        track_id,
                        quality,
                        reason,
                        score,
                        s.from_cache,
                        error,
                    ])
                    .map_err(duck(ctx))?;
                if let Ok(f) = &s.features {
                    let cam = f.key.zip(f.mode).map(|(k, m)| camelot(k, m));
                    feats
                        .append_row(duckdb::params![
                            key,
                            track_id,
                            ANALYZER_VERSION,
                            f.duration_s,
                            f.tempo_bpm,
                            f.tempo_confidence,
                            f.key.map(i64::from),
                            f.mode.map(i64::from),
                            cam,
                            f.key_strength,
                            f.loudness_lufs,
                            f.loudness_range_lu,
                            f.danceability,
                            f.energy,
                            f.spectral_centroid_hz,
                            f.spectral_rolloff_hz,
                            f.spectral_flatness,
                            f.spectral_entropy,
                            f.spectral_flux,
                            f.zcr,
                            f.onset_rate,
                        ])
                        .map_err(duck(ctx))?;
                }
            }
        }
        files.flush().map_err(duck(ctx))?;
        feats.flush().map_err(duck(ctx))?;
    }
    conn.execute_batch(include_str!("../../sql/outputs/tracks_without_file.sql")).map_err(duck(ctx))?;
    summary.tracks_without_file = conn.query_row("SELECT count(*) FROM tracks_without_file", [], |r| r.get::<_, i64>(0)).map_err(duck(ctx))? as u64;
    Ok(summary)
}

/// The build step: `[analysis]` over its music folders.
pub fn analysis_step(ctx: &StepContext<'_>, cfg: &AnalysisConfig, scorer: &ScorerFactory<'_>) -> Result<StepOutput, AnalysisError> {
    let s = run(ctx.conn, cfg, None, ctx.progress, scorer)?;
    let note = format!(
        "{} files, {} tracks: {} matched, {} unmatched, {} failed; {} analysed now, {} from cache; {} collection tracks without a file",
        s.files, s.segments, s.matched, s.unmatched, s.failed, s.analysed, s.from_cache, s.tracks_without_file
    );
    let rows = s.segments as u64;
    Ok(if s.failed > 0 { StepOutput::warn(rows, note) } else { StepOutput::ok(rows).with_note(note) })
}
