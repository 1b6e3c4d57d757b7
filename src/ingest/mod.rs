//! Ingest: raw files → raw landing tables (`raw_releases`, `raw_tracks`, `raw_spotify_ids`,
//! `raw_audio_features`), each row with the file and line it came from.
//!
//! [`formats`] recognises a file's format from its header; [`repr`] reads the Python-repr
//! tracklists of `collection_tracks.csv`. [`ingest_step`] is the build step: it creates the raw
//! tables (`sql/ingest/raw_tables.sql`) and loads every file of `[inputs]`.
//!
//! What cannot be loaded is never dropped silently. A row whose column count is wrong, or whose
//! tracklist cannot be parsed, goes to the `quarantine` table with its line, field and reason,
//! and the step ends in WARN. A file that cannot be read at all — missing, unknown header, an
//! unbalanced quote that swallows the rest of the file — fails the build with an error naming
//! the file, line and field.

pub mod formats;
pub mod repr;

use std::path::{Path, PathBuf};

use duckdb::{Appender, ToSql};

use crate::warehouse::step::{StepContext, StepOutput};
use formats::{Format, Header, InputKind};

/// Errors that stop the load of a file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Csv { path: PathBuf, line: u64, message: String },
    #[error("{path}: not a known {input} file: its header is `{header}` (expected one of: {expected})")]
    UnknownFormat { path: PathBuf, input: &'static str, header: String, expected: String },
    #[error("{path}:{line}: field `{field}`: unbalanced quote — the quoted value opened on this line never closes, so the rest of the file would be read into it")]
    UnbalancedQuote { path: PathBuf, line: u64, field: String },
    #[error("{path}: the file is empty (no header row)")]
    Empty { path: PathBuf },
    #[error("loading {path} into {table}: {source}")]
    Duck { path: PathBuf, table: &'static str, source: duckdb::Error },
}

const RAW_TABLES: &str = include_str!("../../sql/ingest/raw_tables.sql");

/// What one load did.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoadCounts {
    pub rows: u64,
    pub quarantined: u64,
}

impl std::ops::AddAssign for LoadCounts {
    fn add_assign(&mut self, o: LoadCounts) {
        self.rows += o.rows;
        self.quarantined += o.quarantined;
    }
}

/// The build step: raw tables created, every configured file loaded.
pub fn ingest_step(ctx: &StepContext<'_>) -> Result<StepOutput, crate::Error> {
    ctx.conn.execute_batch(RAW_TABLES).map_err(|source| IngestError::Duck {
        path: PathBuf::from("sql/ingest/raw_tables.sql"),
        table: "raw tables",
        source,
    })?;
    let inputs = &ctx.config.inputs;
    let mut total = LoadCounts::default();
    let mut files = 0;
    for (kind, paths) in [
        (InputKind::Releases, &inputs.releases),
        (InputKind::Tracklists, &inputs.tracklists),
        (InputKind::SpotifyIds, &inputs.spotify_ids),
        (InputKind::Features, &inputs.features),
    ] {
        for (rank, path) in paths.iter().enumerate() {
            let counts = load_file(ctx.conn, kind, path, rank as i32)?;
            tracing::debug!(file = %path.display(), rows = counts.rows, quarantined = counts.quarantined, "loaded");
            total += counts;
            files += 1;
        }
    }
    let out = StepOutput::ok(total.rows).with_note(format!("{files} files"));
    if total.quarantined > 0 {
        return Ok(StepOutput::warn(total.rows, format!("{files} files, {} rows quarantined (see table quarantine)", total.quarantined)));
    }
    Ok(out)
}

/// Loads one file of the given kind into its raw table. `rank` is the file's position in its
/// `[inputs]` list (for features: lower wins).
pub fn load_file(conn: &duckdb::Connection, kind: InputKind, path: &Path, rank: i32) -> Result<LoadCounts, IngestError> {
    let mut reader = CsvInput::open(path)?;
    let format = formats::detect(kind, &reader.header).ok_or_else(|| IngestError::UnknownFormat {
        path: path.to_path_buf(),
        input: kind.as_str(),
        header: reader.header.names.join(","),
        expected: Format::candidates(kind).iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", "),
    })?;
    let table = match kind {
        InputKind::Releases => "raw_releases",
        InputKind::Tracklists => "raw_tracks",
        InputKind::SpotifyIds => "raw_spotify_ids",
        InputKind::Features => "raw_audio_features",
    };
    let duck = |source| IngestError::Duck { path: path.to_path_buf(), table, source };
    let mut app = conn.appender(table).map_err(duck)?;
    let mut quarantine = conn.appender("quarantine").map_err(duck)?;
    let file = path.display().to_string();
    let mut counts = LoadCounts::default();
    while let Some(rec) = reader.next_record()? {
        let line = rec.line as i64;
        if let Some(problem) = &rec.problem {
            quarantine
                .append_row(duckdb::params![file, line, kind.as_str(), None::<String>, problem, rec.raw()])
                .map_err(duck)?;
            counts.quarantined += 1;
            continue;
        }
        let row = Row { header: &reader.header, rec: &rec.fields };
        let appended = match format {
            Format::CollectionCsv | Format::DiscogsExport => append_release(&mut app, &file, line, format, &row),
            Format::CollectionTracks => match repr::parse_tracklist(row.get("tracklist").unwrap_or("")) {
                Ok(tracks) => append_repr_tracks(&mut app, &file, line, &row, &tracks),
                Err(e) => {
                    let problem = format!("tracklist does not parse {e}");
                    quarantine
                        .append_row(duckdb::params![file, line, kind.as_str(), "tracklist", problem, rec.raw()])
                        .map_err(duck)?;
                    counts.quarantined += 1;
                    continue;
                }
            },
            Format::MyTracks => append_flat_track(&mut app, &file, line, &row),
            Format::SpotifyIds => app.append_row(duckdb::params![file, line, row.get("track_id"), row.get("spotify_id")]).map(|_| 1),
            Format::Exportify | Format::OriginalTable => append_features(&mut app, &file, line, format, rank, &row),
        };
        counts.rows += appended.map_err(duck)?;
    }
    app.flush().map_err(duck)?;
    quarantine.flush().map_err(duck)?;
    Ok(counts)
}

fn append_release(app: &mut Appender<'_>, file: &str, line: i64, format: Format, row: &Row<'_>) -> duckdb::Result<u64> {
    let (release_id, year, labels, formats, country) = match format {
        Format::CollectionCsv => (row.get("id"), row.get("year"), row.get("labels"), row.get("format"), row.get("release_country")),
        _ => (row.get("release_id"), row.get("released"), row.get("label"), row.get("format"), None),
    };
    let values: [&dyn ToSql; 13] = [
        &file,
        &line,
        &format.as_str(),
        &release_id,
        &row.get("title"),
        &row.get("artist"),
        &year,
        &row.get("genre"),
        &row.get("style"),
        &labels,
        &formats,
        &country,
        &row.get("master_id"),
    ];
    app.append_row(values.as_slice())?;
    Ok(1)
}

fn append_track(app: &mut Appender<'_>, t: TrackRow<'_>) -> duckdb::Result<()> {
    let values: [&dyn ToSql; 13] = [
        &t.file,
        &t.line,
        &t.format,
        &t.release_id,
        &t.release_artist,
        &t.album,
        &t.seq,
        &t.position,
        &t.type_,
        &t.title,
        &None::<&str>,
        &None::<&str>,
        &t.given_track_id,
    ];
    app.append_row(values.as_slice())
}

struct TrackRow<'a> {
    file: &'a str,
    line: i64,
    format: &'static str,
    release_id: Option<&'a str>,
    release_artist: Option<&'a str>,
    album: Option<&'a str>,
    seq: i32,
    position: Option<&'a str>,
    type_: &'static str,
    title: Option<&'a str>,
    given_track_id: Option<&'a str>,
}

fn append_repr_tracks(app: &mut Appender<'_>, file: &str, line: i64, row: &Row<'_>, tracks: &[repr::ReprTrack]) -> duckdb::Result<u64> {
    for (seq, t) in tracks.iter().enumerate() {
        let heading = t.position.trim().is_empty();
        append_track(
            app,
            TrackRow {
                file,
                line,
                format: Format::CollectionTracks.as_str(),
                release_id: row.get("id"),
                release_artist: row.get("artist"),
                album: row.get("album"),
                seq: seq as i32 + 1,
                position: if heading { None } else { Some(t.position.as_str()) },
                type_: if heading { "heading" } else { "track" },
                title: Some(t.title.as_str()),
                given_track_id: None,
            },
        )?;
    }
    Ok(tracks.len() as u64)
}

fn append_flat_track(app: &mut Appender<'_>, file: &str, line: i64, row: &Row<'_>) -> duckdb::Result<u64> {
    // The position is what follows `<album_id>_` in the given key.
    let release_id = row.get("album_id");
    let given = row.get("track_id");
    let position = match (release_id, given) {
        (Some(r), Some(g)) => g.strip_prefix(r).and_then(|p| p.strip_prefix('_')).or(Some(g)),
        (_, g) => g,
    };
    append_track(
        app,
        TrackRow {
            file,
            line,
            format: Format::MyTracks.as_str(),
            release_id,
            release_artist: row.get("artist"),
            album: row.get("album"),
            seq: line as i32,
            position,
            type_: "track",
            title: row.get("title"),
            given_track_id: given,
        },
    )?;
    Ok(1)
}

fn append_features(app: &mut Appender<'_>, file: &str, line: i64, format: Format, rank: i32, row: &Row<'_>) -> duckdb::Result<u64> {
    let exportify = format == Format::Exportify;
    let spotify_id = if exportify {
        row.get("track uri|spotify id").map(|uri| uri.rsplit(':').next().unwrap_or(uri))
    } else {
        row.get("spotify_id")
    };
    let pick = |exportify_name: &str, original_name: &str| if exportify { row.get(exportify_name) } else { row.get(original_name) };
    let values: [&dyn ToSql; 23] = [
        &file,
        &line,
        &format.as_str(),
        &rank,
        &spotify_id,
        &pick("track name", "title"),
        &pick("artist name(s)", "artist"),
        &pick("album name", "album"),
        &pick("duration (ms)|track duration (ms)", "duration_ms"),
        &pick("", "time"),
        &row.get("popularity"),
        &row.get("danceability"),
        &row.get("energy"),
        &pick("key", "spotify_key"),
        &row.get("loudness"),
        &pick("mode", "spotify_mode"),
        &row.get("speechiness"),
        &row.get("acousticness"),
        &row.get("instrumentalness"),
        &row.get("liveness"),
        &row.get("valence"),
        &row.get("tempo"),
        &row.get("time signature|time_signature"),
    ];
    app.append_row(values.as_slice())?;
    Ok(1)
}

/// One record's fields looked up by column name; empty fields read as `None`.
struct Row<'a> {
    header: &'a Header,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        let i = self.header.find(name)?;
        self.rec.get(i).filter(|v| !v.is_empty())
    }
}

/// A CSV file read record by record, with line numbers and per-record problems.
struct CsvInput {
    path: PathBuf,
    header: Header,
    reader: csv::Reader<std::fs::File>,
}

struct Record {
    line: u64,
    fields: csv::StringRecord,
    /// Why the record cannot be used as it is (wrong column count).
    problem: Option<String>,
}

impl Record {
    fn raw(&self) -> String {
        self.fields.iter().collect::<Vec<_>>().join(",")
    }
}

impl CsvInput {
    fn open(path: &Path) -> Result<CsvInput, IngestError> {
        let file = std::fs::File::open(path).map_err(|source| IngestError::Io { path: path.to_path_buf(), source })?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(file);
        let names = reader
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect::<Vec<_>>();
        if names.is_empty() || names.iter().all(|n| n.is_empty()) {
            return Err(IngestError::Empty { path: path.to_path_buf() });
        }
        Ok(CsvInput { path: path.to_path_buf(), header: Header::new(names), reader })
    }

    fn next_record(&mut self) -> Result<Option<Record>, IngestError> {
        let mut fields = csv::StringRecord::new();
        let more = self.reader.read_record(&mut fields).map_err(|e| csv_error(&self.path, &e))?;
        if !more {
            return Ok(None);
        }
        let line = fields.position().map(|p| p.line()).unwrap_or(0);
        let expected = self.header.len();
        let mut problem = None;
        if fields.len() != expected {
            // A quoted value that runs over a line end and leaves the record short is a quote
            // that never closed: everything after it was read into one field.
            if let Some(i) = fields.iter().position(|f| f.contains('\n')) {
                let field = self.header.names.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1));
                return Err(IngestError::UnbalancedQuote { path: self.path.clone(), line, field });
            }
            problem = Some(format!("{} fields where the header has {expected}", fields.len()));
        }
        Ok(Some(Record { line, fields, problem }))
    }
}

fn csv_error(path: &Path, e: &csv::Error) -> IngestError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    IngestError::Csv { path: path.to_path_buf(), line, message: e.to_string() }
}
