//! One file into its raw table: every record appended with its file and line, or quarantined
//! with the reason.

use std::path::Path;

use duckdb::{Appender, ToSql};

use super::counts::LoadCounts;
use super::csv_input::CsvInput;
use super::formats::{self, Format, InputKind};
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
    // Each landed column's position in the header, found once for the file.
    let cols: Vec<Option<usize>> = landed_columns(format).iter().map(|c| if c.is_empty() { None } else { input.header.find(c) }).collect();
    let mut values: Vec<Option<&str>> = Vec::with_capacity(cols.len());
    for rec in &input.records {
        let line = rec.line as i64;
        let problem = match (&rec.problem, rec.len()) {
            (Some(p), _) => Some(p.clone()),
            (None, n) if n == width || (n < width && n >= needed) => None,
            (None, n) => Some(format!("{n} fields where the header has {width}")),
        };
        if let Some(problem) = problem {
            quarantine.append_row(duckdb::params![file, line, kind.as_str(), None::<String>, problem, rec.raw(), "ingest"]).map_err(duck)?;
            counts.quarantine(rec.lines);
            continue;
        }
        values.clear();
        values.extend(cols.iter().map(|c| c.and_then(|i| rec.field(i)).filter(|v| !v.is_empty())));
        let appended = match format {
            Format::CollectionTracks => match repr::parse_tracklist(values[3].unwrap_or("")) {
                Ok(tracks) => append_repr_tracks(&mut app, &file, line, &values, &tracks),
                Err(e) => {
                    let problem = format!("tracklist does not parse {e}");
                    quarantine
                        .append_row(duckdb::params![file, line, kind.as_str(), "tracklist", problem, rec.raw(), "ingest"])
                        .map_err(duck)?;
                    counts.quarantine(rec.lines);
                    continue;
                }
            },
            Format::MyTracks => append_flat_track(&mut app, &file, line, &values),
            Format::SpotifyIds => app.append_row(duckdb::params![file, line, values[0], values[1]]).map(|_| 1),
            Format::CollectionCsv | Format::DiscogsExport => append_cells(&mut app, &[&file, &line, &format.as_str()], &values),
            Format::Exportify | Format::OriginalTable => {
                if format == Format::Exportify {
                    // A `spotify:track:<id>` URI lands as its ID.
                    values[0] = values[0].map(|uri| uri.rsplit(':').next().unwrap_or(uri));
                }
                append_cells(&mut app, &[&file, &line, &format.as_str(), &rank], &values)
            }
        };
        counts.rows += appended.map_err(duck)?;
        counts.landed_lines += rec.lines;
    }
    app.flush().map_err(duck)?;
    quarantine.flush().map_err(duck)?;
    debug_assert!(counts.accounted(), "{counts:?}");
    Ok(counts)
}

/// The header columns a format lands, by name (`a|b`: the first present; `""`: the format has
/// none): for releases and features, in the order of the raw table's columns after the source
/// ones; for tracklists and Spotify IDs, the fields their rows are made of.
fn landed_columns(format: Format) -> &'static [&'static str] {
    match format {
        Format::CollectionCsv => &["id", "title", "artist", "year", "genre", "style", "labels", "format", "release_country", "master_id"],
        Format::DiscogsExport => &["release_id", "title", "artist", "released", "genre", "style", "label", "format", "", "master_id"],
        Format::CollectionTracks => &["id", "artist", "album", "tracklist"],
        Format::MyTracks => &["album_id", "artist", "album", "track_id", "title"],
        Format::SpotifyIds => &["track_id", "spotify_id"],
        Format::Exportify => &[
            "track uri|track id|spotify id",
            "track name",
            "artist name(s)",
            "album name",
            "duration (ms)|track duration (ms)",
            "",
            "popularity",
            "danceability",
            "energy",
            "key",
            "loudness",
            "mode",
            "speechiness",
            "acousticness",
            "instrumentalness",
            "liveness",
            "valence",
            "tempo",
            "time signature|time_signature",
        ],
        Format::OriginalTable => &[
            "spotify_id",
            "title",
            "artist",
            "album",
            "duration_ms",
            "time",
            "popularity",
            "danceability",
            "energy",
            "spotify_key",
            "loudness",
            "spotify_mode",
            "speechiness",
            "acousticness",
            "instrumentalness",
            "liveness",
            "valence",
            "tempo",
            "time signature|time_signature",
        ],
    }
}

/// One row: the source columns, then the landed cells in table order.
fn append_cells(app: &mut Appender<'_>, source: &[&dyn ToSql], cells: &[Option<&str>]) -> duckdb::Result<u64> {
    let mut row: Vec<&dyn ToSql> = Vec::with_capacity(source.len() + cells.len());
    row.extend_from_slice(source);
    row.extend(cells.iter().map(|c| c as &dyn ToSql));
    app.append_row(row.as_slice())?;
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

/// A `collection_tracks.csv` record (`id, artist, album, tracklist`): one row per entry.
fn append_repr_tracks(app: &mut Appender<'_>, file: &str, line: i64, cells: &[Option<&str>], tracks: &[repr::ReprTrack]) -> duckdb::Result<u64> {
    for (seq, t) in tracks.iter().enumerate() {
        let heading = t.position.trim().is_empty();
        append_track(
            app,
            TrackRow {
                file,
                line,
                format: Format::CollectionTracks.as_str(),
                release_id: cells[0],
                release_artist: cells[1],
                album: cells[2],
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

/// A `my_tracks.csv` record (`album_id, artist, album, track_id, title`).
fn append_flat_track(app: &mut Appender<'_>, file: &str, line: i64, cells: &[Option<&str>]) -> duckdb::Result<u64> {
    // The position is what follows `<album_id>_` in the given key.
    let (release_id, given) = (cells[0], cells[3]);
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
            release_artist: cells[1],
            album: cells[2],
            seq: line as i32,
            position,
            type_: "track",
            title: cells[4],
            given_track_id: given,
        },
    )?;
    Ok(1)
}
