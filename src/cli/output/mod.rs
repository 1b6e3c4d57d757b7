//! Everything `selecta` prints, in one place: on stdout the build's run log (like dbt's: one
//! numbered line per step, then a summary), each command's summary and query results
//! ([`table`]); on stderr the few lines a person must read ([`problem`], [`notice`]). Logs and
//! progress bars go to stderr through `tracing` and `indicatif`, never here.

pub mod table;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::cluster::{ClusterConfig, Clustering};
use crate::export::postgres::ExportSummary;
use crate::fetch::discogs::DiscogsReport;
use crate::fetch::reccobeats::FeaturesReport;
use crate::fmt::thousands;
use crate::matching::Strategy;
use crate::matching::engine::Summary;
use crate::matching::explain::Explanation;
use crate::pipeline::{BuildObserver, BuildOutcome, StepRecord};
use crate::playlists::{Action, Change, SyncSummary};
use crate::report::Report;

/// A problem the person must read, on stderr (`error: …`); the exit code says the rest.
pub fn problem(message: &str) {
    eprintln!("error: {message}");
}

/// Something the person must do or know that is not a result (`stopped: …`, a URL to open), on stderr.
pub fn notice(message: &str) {
    eprintln!("{message}");
}

/// The build's run log, printed as the build goes.
pub struct RunLog<W: Write> {
    out: W,
    /// Step names are padded with dots to this width: the longest name and a few dots, at least 40.
    name_width: usize,
}

impl<W: Write> RunLog<W> {
    pub fn new(out: W) -> Self {
        RunLog { out, name_width: 40 }
    }
}

impl<W: Write> BuildObserver for RunLog<W> {
    fn started(&mut self, run_id: &str, config: &Path, warehouse: &Path, steps: &[&str]) {
        self.name_width = steps.iter().map(|s| s.chars().count() + 4).max().unwrap_or(0).max(40);
        let _ = writeln!(self.out, "selecta build · run {run_id} · {} → {}", config.display(), warehouse.display());
    }

    /// `  3 of 15 OK    staging.tracks ............ [6 248 rows in 0.02s]`
    fn step_done(&mut self, r: &StepRecord, total: usize) {
        let width = total.to_string().len();
        let name = format!("{} ", r.name);
        let rows = match r.rows {
            Some(n) => format!("{} rows in ", thousands(n)),
            None => String::new(),
        };
        let name_width = self.name_width;
        let _ = writeln!(self.out, "{:>width$} of {total} {:<5} {name:.<name_width$} [{rows}{:.2}s]", r.no, r.status, r.seconds);
        if let Some(note) = &r.note {
            let _ = writeln!(self.out, "{:>width$}          ↳ {note}", "");
        }
        let _ = self.out.flush();
    }

    fn finished(&mut self, o: &BuildOutcome, warehouse: &Path, warehouse_exists: bool) {
        let count = |s: &str| o.steps.iter().filter(|r| r.status == s).count();
        let _ = writeln!(
            self.out,
            "\nDone in {:.2}s: {} OK, {} WARN, {} SKIP, {} FAIL, {} ERROR.",
            o.seconds,
            count("OK"),
            count("WARN"),
            count("SKIP"),
            count("FAIL"),
            count("ERROR")
        );
        match &o.failure {
            None => {
                let _ = writeln!(self.out, "Warehouse ready: {}", warehouse.display());
            }
            Some(msg) => {
                let _ = writeln!(self.out, "Build failed: {msg}");
                let kept = if warehouse_exists { "the last good warehouse is unchanged" } else { "no warehouse was written" };
                let _ = writeln!(self.out, "Nothing was swapped in: {kept} ({}).", warehouse.display());
            }
        }
        let _ = self.out.flush();
    }
}

/// `selecta cluster`: what was clustered, k, inertia, silhouette, the named clusters.
pub fn clustering(w: &mut dyn Write, out: &Clustering, c: &ClusterConfig) -> io::Result<()> {
    writeln!(
        w,
        "clustered {} tracks on {} ({} excluded for a missing feature, see cluster_excluded)",
        out.loaded.x.n,
        out.loaded.features.join(", "),
        out.loaded.excluded.len()
    )?;
    writeln!(w, "k = {} ({}), best of {} inits (seed {}, {}): inertia {:.2}", out.k, out.k_rule, c.n_init, c.seed, c.algorithm.as_str(), out.inertia)?;
    match out.silhouette {
        Some(s) if s.rows < out.loaded.x.n => writeln!(w, "silhouette {:.4} (on a sample of {} tracks)", s.value, s.rows)?,
        Some(s) => writeln!(w, "silhouette {:.4}", s.value)?,
        None => writeln!(w, "silhouette n/a")?,
    }
    writeln!(w, "{:>7}  {:>5}  name", "cluster", "size")?;
    for cl in &out.clusters {
        writeln!(w, "{:>7}  {:>5}  {}", cl.cluster, cl.size, cl.name.name)?;
    }
    writeln!(w, "{} near-duplicates left out of the playlists; {:.2} s", out.duplicates_dropped, out.seconds)?;
    w.flush()
}

/// `selecta match`: counts by quality and by the kind of search that found the match.
pub fn match_summary(w: &mut dyn Write, s: &Summary, strategy: Strategy, review: i64) -> io::Result<()> {
    writeln!(w, "matched {} of {} tracks ({}), {} requests, {:.1} s", s.matched, s.tracks, strategy.as_str(), s.requests, s.seconds)?;
    writeln!(w, "by quality:")?;
    for (k, v) in &s.by_quality {
        writeln!(w, "  {k:<10} {v:>6}")?;
    }
    writeln!(w, "matched by query:")?;
    for (k, v) in &s.by_query {
        writeln!(w, "  {k:<18} {v:>6}")?;
    }
    writeln!(w, "{review} tracks to review in match_review (unmatched, ambiguous, pending) with their top-3 candidates")?;
    w.flush()
}

/// `selecta match --explain TRACK_ID`: the decision, then every candidate (`*` = chosen).
pub fn explanation(w: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    let s = |o: &Option<String>| o.clone().unwrap_or_else(|| "—".into());
    let opt = |x: Option<f64>| x.map(|x| format!("{x:.2}")).unwrap_or_else(|| "n/a".into());
    writeln!(w, "track {}: {} — {} ({})", e.track_id, s(&e.artist), s(&e.title), s(&e.album))?;
    writeln!(w, "decision: {} → {} (strategy {}, source {})", s(&e.quality), s(&e.spotify_id), s(&e.strategy), s(&e.source))?;
    writeln!(w, "found by: {}", s(&e.query))?;
    writeln!(w, "why: {}", s(&e.reason))?;
    if let Some(sc) = e.score {
        writeln!(w, "score: {sc:.3}; runner-up: {} {}", s(&e.runner_up_id), e.runner_up_score.map(|x| format!("{x:.3}")).unwrap_or_default())?;
    }
    writeln!(w, "candidates (* = chosen):")?;
    for c in &e.candidates {
        writeln!(
            w,
            "{:>3}{} {:.3}  title {:.2} artist {} album {:.2} duration {} version {:.1} ({})  {} — {} — {} [{}]  via {}",
            c.rank,
            if c.chosen { "*" } else { " " },
            c.score,
            c.title_sim,
            opt(c.artist_sim),
            c.album_sim,
            opt(c.duration_sim),
            c.version_distance,
            c.version,
            c.name,
            c.artists,
            c.album,
            c.spotify_id,
            c.query,
        )?;
    }
    w.flush()
}

/// `selecta init`: what was written and the next commands.
pub fn initialized(w: &mut dyn Write, config: &Path, env: &Path, has_user: bool) -> io::Result<()> {
    writeln!(w, "wrote {} (every section, with its defaults) and {}", config.display(), env.display())?;
    let dir = config.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    writeln!(w, "next:")?;
    writeln!(w, "  cp {} {}   # then fill in DISCOGS_TOKEN, SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET", env.display(), dir.join(".env").display())?;
    if !has_user {
        writeln!(w, "  set `user` in [discogs] of {} (or list your files in [inputs])", config.display())?;
    }
    let cd = if dir == Path::new(".") { String::new() } else { format!("cd {} && ", dir.display()) };
    writeln!(w, "  {cd}selecta build && selecta playlists spotify")?;
    w.flush()
}

/// `selecta fetch discogs`: one summary line.
pub fn discogs_fetched(w: &mut dyn Write, user: &str, r: &DiscogsReport) -> io::Result<()> {
    writeln!(
        w,
        "discogs {user}: {} releases in the collection ({} entries, {} pages fetched, {} kept from an interrupted run); \
         details fetched: {} new, {} changed; {} cached; {} not found; {} requests, {:.0} s waiting for the rate limit",
        r.releases,
        r.items,
        r.pages_fetched,
        r.pages_resumed,
        r.fetched_new,
        r.fetched_changed,
        r.cached,
        r.not_found.len(),
        r.requests,
        r.waited.as_secs_f64(),
    )?;
    w.flush()
}

/// `selecta fetch features`: one summary line.
pub fn features_fetched(w: &mut dyn Write, r: &FeaturesReport) -> io::Result<()> {
    writeln!(
        w,
        "reccobeats: {} Spotify IDs; asked {} in {} requests: {} with features, {} recorded missing; {} already cached; {} not Spotify IDs; {} batches failed",
        r.ids,
        r.found + r.missing,
        r.requests,
        r.found,
        r.missing,
        r.cached,
        r.invalid.len(),
        r.failed_batches.len(),
    )?;
    w.flush()
}

/// `selecta playlists spotify --dry-run`: what would change.
pub fn playlist_changes(w: &mut dyn Write, changes: &[Change], orphans: &[(i64, String)]) -> io::Result<()> {
    for c in changes {
        match &c.action {
            Action::Create => writeln!(w, "create  {:<40} {:>5} tracks", c.title, c.playlist.uris.len())?,
            Action::Update { playlist_id, was_tracks, renamed_from } => {
                let was = was_tracks.map(|n| format!(" (was {n})")).unwrap_or_default();
                let renamed = renamed_from.as_ref().map(|n| format!(", renamed from {n:?}")).unwrap_or_default();
                writeln!(w, "replace {:<40} {:>5} tracks{was} in playlist {playlist_id}{renamed}", c.title, c.playlist.uris.len())?;
            }
        }
    }
    for (c, id) in orphans {
        writeln!(w, "keep    playlist {id} of cluster {c}, which no longer exists (--prune empties, renames and unfollows it)")?;
    }
    let creates = changes.iter().filter(|c| matches!(c.action, Action::Create)).count();
    writeln!(w, "dry run: {creates} to create, {} to update; nothing sent", changes.len() - creates)?;
    w.flush()
}

/// `selecta playlists spotify`: what was done.
pub fn playlists_synced(w: &mut dyn Write, s: &SyncSummary, orphans: &[(i64, String)]) -> io::Result<()> {
    writeln!(w, "{} playlists created, {} updated, {} tracks; {} requests", s.created, s.updated, s.tracks, s.requests)?;
    if s.recreated > 0 {
        writeln!(w, "{} of the created replace playlists removed in Spotify (unfollowed) or gone", s.recreated)?;
    }
    for (c, id) in &s.pruned {
        writeln!(w, "pruned playlist {id} of cluster {c}: emptied, renamed \"… (retired)\", unfollowed")?;
    }
    for (c, id) in orphans {
        writeln!(w, "playlist {id} of cluster {c} left alone: the cluster no longer exists, its tracks now sit in other playlists (--prune retires it)")?;
    }
    w.flush()
}

/// `selecta export TABLE`: rows written.
pub fn exported_table(w: &mut dyn Write, rows: u64, table: &str, out: &Path) -> io::Result<()> {
    writeln!(w, "{} rows of {table} → {}", thousands(rows), out.display())?;
    w.flush()
}

/// `selecta export playlists`: the files written.
pub fn playlist_files(w: &mut dyn Write, files: &[PathBuf], dir: &Path) -> io::Result<()> {
    for f in files {
        writeln!(w, "{}", f.display())?;
    }
    writeln!(w, "{} playlists → {}", files.len(), dir.display())?;
    w.flush()
}

/// `selecta export postgres`: each table's rows and checksum.
pub fn postgres_export(w: &mut dyn Write, redacted_url: &str, summary: &ExportSummary) -> io::Result<()> {
    writeln!(w, "exported to {redacted_url} schema {}:", summary.schema)?;
    for t in &summary.tables {
        writeln!(w, "  {:<20} {:>8} rows  sha256 {}", t.table, t.rows, &t.checksum[..16])?;
    }
    if !summary.skipped.is_empty() {
        writeln!(w, "  not in the warehouse: {}", summary.skipped.join(", "))?;
    }
    w.flush()
}

/// `selecta report`: where it went, and the parts that had no input.
/// `selecta analyze`: files, tracks, matches, failures, cache use.
pub fn analysis_summary(w: &mut dyn Write, s: &crate::analysis::Summary) -> io::Result<()> {
    writeln!(w, "{} audio files, {} tracks (CUE sheets split)", thousands(s.files as u64), thousands(s.segments as u64))?;
    writeln!(w, "  analysed now: {} files; from the cache: {} tracks", thousands(s.analysed as u64), thousands(s.from_cache as u64))?;
    writeln!(w, "  matched: {}, unmatched or ambiguous: {}, unreadable: {}", thousands(s.matched as u64), thousands(s.unmatched as u64), thousands(s.failed as u64))?;
    writeln!(w, "  collection tracks without a file: {} (tracks_without_file)", thousands(s.tracks_without_file))
}

pub fn report_written(w: &mut dyn Write, report: &Report, out: &Path) -> io::Result<()> {
    writeln!(w, "report → {} ({} of {} parts drawn)", out.display(), report.drawn(), report.sections.len())?;
    for (title, why) in report.missing() {
        writeln!(w, "  {title}: {why}")?;
    }
    w.flush()
}

/// `selecta serve`: where the page is (first line, so a script can read the port), which
/// warehouse it serves and which decision files it created.
pub fn serving(w: &mut dyn Write, url: &str, warehouse: &Path, created: &[PathBuf]) -> io::Result<()> {
    writeln!(w, "selecta serve: {url}")?;
    writeln!(w, "serving {} (read-only); Ctrl-C stops", warehouse.display())?;
    for p in created {
        writeln!(w, "created {} (decisions are saved there)", p.display())?;
    }
    w.flush()
}
