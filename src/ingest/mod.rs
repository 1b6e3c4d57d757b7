//! Ingest: raw files → raw landing tables (`raw_releases`, `raw_tracks`, `raw_spotify_ids`,
//! `raw_audio_features`), each row with the file and line it came from.
//!
//! [`formats`] recognises a file's format from its header; [`repr`] reads the Python-repr
//! tracklists of `collection_tracks.csv`; [`load_file`] lands one file. [`ingest_step`] is the
//! build step: it creates the raw tables (`sql/ingest/raw_tables.sql`) and loads every file of
//! [`Inputs`], the `[inputs]` section.
//!
//! Every physical line of a file is accounted for ([`LoadCounts`]): header + landed +
//! quarantined + blank = lines, and the step's note in the run log gives the four counts.
//! What cannot be loaded is never dropped silently. A row whose column count is wrong, or whose
//! tracklist cannot be parsed, goes to the `quarantine` table with its line, field and reason,
//! and the step ends in WARN. A file that cannot be read at all — missing, unknown header, an
//! unbalanced quote that swallows the rest of the file — fails the build with an error naming
//! the file, line and field.

mod counts;
mod csv_input;
mod error;
pub mod formats;
#[cfg(test)]
mod fuzz;
mod inputs;
mod load;
pub mod repr;

use crate::step::{StepContext, StepOutput};
pub use counts::LoadCounts;
pub use error::IngestError;
use formats::InputKind;
pub use inputs::Inputs;
pub use csv_input::MAX_EMBEDDED_LINE_BREAKS;
pub use load::load_file;

const RAW_TABLES: &str = include_str!("../../sql/ingest/raw_tables.sql");

/// The build step: raw tables created, every configured file loaded. The four kinds of input
/// load at the same time, each on its own connection (one per core, at most four); the files
/// of one kind load one after the other, so a raw table's rows keep the files' order.
pub fn ingest_step(ctx: &StepContext<'_>, inputs: &Inputs) -> Result<StepOutput, IngestError> {
    ctx.conn.execute_batch(RAW_TABLES).map_err(crate::db::duck("creating the raw tables (sql/ingest/raw_tables.sql)"))?;
    let kinds: Vec<(InputKind, &Vec<std::path::PathBuf>)> = [
        (InputKind::Releases, &inputs.releases),
        (InputKind::Tracklists, &inputs.tracklists),
        (InputKind::SpotifyIds, &inputs.spotify_ids),
        (InputKind::Features, &inputs.features),
    ]
    .into_iter()
    .filter(|(_, paths)| !paths.is_empty())
    .collect();
    let threads = crate::parallel::threads(0, kinds.len());
    let conns = (0..threads).map(|_| crate::db::clone_session(ctx.conn)).collect::<Result<Vec<_>, _>>()?;
    let loaded = crate::parallel::map_owned(kinds.len(), conns, |conn, k| {
        let (kind, paths) = kinds[k];
        paths.iter().enumerate().map(|(rank, path)| load_file(conn, kind, path, rank as i32)).collect::<Result<Vec<_>, _>>()
    });
    let mut total = LoadCounts::default();
    let mut files = 0;
    for ((_, paths), counts) in kinds.iter().zip(loaded) {
        for (path, counts) in paths.iter().zip(counts?) {
            tracing::debug!(file = %path.display(), rows = counts.rows, lines = %counts.lines_note(), "loaded");
            total += counts;
            files += 1;
        }
    }
    // Every physical line is accounted for; the run log keeps the four counts.
    let note = format!("{files} files, {}", total.lines_note());
    if total.quarantined > 0 {
        return Ok(StepOutput::warn(total.rows, format!("{note}; {} rows quarantined (see table quarantine)", total.quarantined)));
    }
    Ok(StepOutput::ok(total.rows).with_note(note))
}
