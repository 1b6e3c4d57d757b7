//! One file into its raw table: every record appended with its file and line, or quarantined
//! with the reason.

use std::path::Path;

use duckdb::{Appender, ToSql};

use super::counts::LoadCounts;
use super::csv_input::CsvInput;
use super::formats::{self, Format, Header, InputKind};
use super::{IngestError, repr};

/// Loads one file of the given kind into its raw table. `rank` is the file's position in its
/// `[inputs]` list (for features: lower wins).
pub fn load_file(conn: &duckdb::Connection, kind: InputKind, path: &Path, rank: i32) -> Result<LoadCounts, IngestError> {
    let input = CsvInput::open(path)?;
    let format = formats::detect(kind, &input.header).ok_or_else(|| IngestError::UnknownFormat {
        path: path.to_path_buf(),
        line: input.header_line,
        input: kind.as_str(),
        header: input.header.names.join(","),
        missing: formats::missing_columns(kind, &input.header),
    })?;
    let table = match kind {
        InputKind::Releases => "raw_releases",
        InputKind::Tracklists => "raw_tracks",
        InputKind::SpotifyIds => "raw_spotify_ids",
        InputKind::Features => "raw_audio_features",
    };
    let context = format!("loading {} into {table}", path.display());
    let duck = |source| IngestError::from(crate::db::DbError::Duck { context: context.clone(), source });
    let mut app = conn.appender(table).map_err(duck)?;
    let mut quarantine = conn.appender("quarantine").map_err(duck)?;
    let file = path.display().to_string();
    let mut counts = LoadCounts { lines: input.lines, header_lines: input.header_lines, blank_lines: input.blank_lines, ..LoadCounts::default() };
    // A short record may lack only trailing columns the format does not need (the Discogs
    // export's empty `Notes`); they read as empty.
    let needed = format.required().iter().filter_map(|c| input.header.find(c)).max().map_or(0, |i| i + 1);
    let width = input.header.len();
    for rec in &input.records {
        let line = rec.line as i64;
        let problem = match (&rec.problem, rec.fields.len()) {
            (Some(p), _) => Some(p.clone()),
            (None, n) if n == width || (n < width && n >= needed) => None,
            (None, n) => Some(format!("{n} fields where the header has {width}")),
        };
        if let Some(problem) = problem {
            quarantine.append_row(duckdb::params![file, line, kind.as_str(), None::<String>, problem, rec.raw(), "ingest"]).map_err(duck)?;
            counts.quarantine(rec.lines);
            continue;
        }
        let row = Row { header: &input.header, rec: &rec.fields };
        let appended = match format {
            Format::CollectionCsv | Format::DiscogsExport => append_release(&mut app, &file, line, format, &row),
            Format::CollectionTracks => match repr::parse_tracklist(row.get("tracklist").unwrap_or("")) {
                Ok(tracks) => append_repr_tracks(&mut app, &file, line, &row, &tracks),
                Err(e) => {
                    let problem = format!("tracklist does not parse {e}");
                    quarantine
                        .append_row(duckdb::params![file, line, kind.as_str(), "tracklist", problem, rec.raw(), "ingest"])
                        .map_err(duck)?;
                    counts.quarantine(rec.lines);
                    continue;
                }
            },
            Format::MyTracks => append_flat_track(&mut app, &file, line, &row),
            Format::SpotifyIds => app.append_row(duckdb::params![file, line, row.get("track_id"), row.get("spotify_id")]).map(|_| 1),
            Format::Exportify | Format::OriginalTable => append_features(&mut app, &file, line, format, rank, &row),
        };
        counts.rows += appended.map_err(duck)?;
        counts.landed_lines += rec.lines;
    }
    app.flush().map_err(duck)?;
    quarantine.flush().map_err(duck)?;
    debug_assert!(counts.accounted(), "{counts:?}");
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
        row.get("track uri|track id|spotify id").map(|uri| uri.rsplit(':').next().unwrap_or(uri))
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
    rec: &'a [String],
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        let i = self.header.find(name)?;
        self.rec.get(i).map(String::as_str).filter(|v| !v.is_empty())
    }
}

