//! The build step [`discogs_ingest_step`]: the cached Discogs collection of `[discogs] user` →
//! rows of `raw_releases` and `raw_tracks` (source_format `discogs_api`), so the same staging SQL
//! handles the API and the CSV files.
//!
//! [`release_row`] and [`track_rows`] are the pure mapping from one `GET /releases/{id}` document:
//! - release: artists joined with their join strings (`A, B`, `A & B`, `A Feat. B`), names kept raw
//!   (` (n)` suffixes and all: staging strips them), genres / styles / label names comma-joined
//!   like the original exporter, formats as their descriptions (the format's name when it has none);
//! - tracklist, one row per entry in order (`seq`): headings as `type_ = 'heading'` rows, a track
//!   with its own `artists` gets them in `track_artists` (compilations: the release artist stays the
//!   album artist); an index track is a `type_ = 'index'` row followed by its `sub_tracks` as
//!   tracks (a sub-track without a position takes the index's, and without artists the index's
//!   artists) — except an index whose sub-tracks have no position at all while it has one, which is
//!   one track on the record (a medley) and lands as a single track.
//!
//! The latest finished listing decides which releases are in the collection; a release listed
//! twice (two copies) lands once. A listed release whose details were never fetched lands from
//! its collection entry (no tracks) and the step ends in WARN.

use std::collections::{HashMap, HashSet};

use duckdb::{Connection, params};
use serde_json::Value;

use super::discogs::{ListedItem, ensure_state_tables, latest_listing, listed_items};
use super::{DiscogsConfig, FetchError, state_err};
use crate::step::{StepContext, StepOutput};

/// One `raw_releases` row (the step adds the source columns).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReleaseRow {
    pub release_id: String,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub year: Option<String>,
    pub genre: Option<String>,
    pub style: Option<String>,
    pub labels: Option<String>,
    pub formats: Option<String>,
    pub country: Option<String>,
    pub master_id: Option<String>,
}

/// One `raw_tracks` row (release columns added by the step).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackRow {
    pub seq: i32,
    pub position: Option<String>,
    pub type_: &'static str,
    pub title: Option<String>,
    pub track_artists: Option<String>,
    pub duration: Option<String>,
    /// The artists as credited (`anv`), when that differs from `track_artists` (or, for a track
    /// without its own artists, from the release's).
    pub credit: Option<String>,
    /// A sub-track's index title.
    pub work: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn joined(v: &Value, key: &str, f: impl Fn(&Value) -> Option<String>) -> Option<String> {
    let parts: Vec<String> = v.get(key)?.as_array()?.iter().filter_map(f).collect();
    if parts.is_empty() { None } else { Some(parts.join(", ")) }
}

/// Artist names joined with Discogs' join strings: `,` → `A, B`, anything else → `A & B`,
/// `A Feat. B`; a missing join between two names reads as a comma.
pub fn join_artists(artists: Option<&Value>) -> Option<String> {
    join_named(artists, false)
}

/// The artists as credited on the record: each one's `anv` (name variation) where it has one,
/// joined like [`join_artists`]; `None` when no artist has an `anv`.
pub fn join_credits(artists: Option<&Value>) -> Option<String> {
    let any = artists?.as_array()?.iter().any(|a| a.get("anv").and_then(Value::as_str).is_some_and(|v| !v.trim().is_empty()));
    if any { join_named(artists, true) } else { None }
}

fn join_named(artists: Option<&Value>, credited: bool) -> Option<String> {
    let list = artists?.as_array()?;
    let named: Vec<(&str, &str)> = list
        .iter()
        .filter_map(|a| {
            let anv = a.get("anv").and_then(Value::as_str).map(str::trim).filter(|v| credited && !v.is_empty());
            let name = anv.or_else(|| a.get("name").and_then(Value::as_str))?.trim();
            (!name.is_empty()).then(|| (name, a.get("join").and_then(Value::as_str).unwrap_or("").trim()))
        })
        .collect();
    if named.is_empty() {
        return None;
    }
    let mut out = String::new();
    for (i, (name, join)) in named.iter().enumerate() {
        out.push_str(name);
        if i + 1 < named.len() {
            match *join {
                "" | "," => out.push_str(", "),
                j => {
                    out.push(' ');
                    out.push_str(j);
                    out.push(' ');
                }
            }
        }
    }
    Some(out)
}

/// A release document (`GET /releases/{id}`, or a collection entry's `basic_information`) as a
/// `raw_releases` row.
pub fn release_row(r: &Value) -> ReleaseRow {
    let formats = r.get("formats").and_then(Value::as_array).map(|fs| {
        fs.iter()
            .flat_map(|f| {
                let descriptions: Vec<String> =
                    f.get("descriptions").and_then(Value::as_array).map(|d| d.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
                if descriptions.is_empty() { f.get("name").and_then(Value::as_str).map(String::from).into_iter().collect() } else { descriptions }
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    ReleaseRow {
        release_id: r.get("id").map(|v| v.to_string()).unwrap_or_default(),
        title: text(r, "title"),
        artist: join_artists(r.get("artists")),
        year: text(r, "year"),
        genre: joined(r, "genres", |g| g.as_str().map(String::from)),
        style: joined(r, "styles", |s| s.as_str().map(String::from)),
        labels: joined(r, "labels", |l| l.get("name").and_then(Value::as_str).map(String::from)),
        formats: formats.filter(|f| !f.is_empty()),
        country: text(r, "country"),
        master_id: text(r, "master_id").filter(|m| m != "0"),
    }
}

/// A release's tracklist as `raw_tracks` rows, in order (see the module doc for index tracks).
pub fn track_rows(r: &Value) -> Vec<TrackRow> {
    let mut rows = Vec::new();
    let Some(list) = r.get("tracklist").and_then(Value::as_array) else {
        return rows;
    };
    let release_credit = join_credits(r.get("artists"));
    let push = |rows: &mut Vec<TrackRow>, t: &Value, type_: &'static str, position: Option<String>, artists: Option<String>, credit: Option<String>, work: Option<String>| {
        rows.push(TrackRow {
            seq: rows.len() as i32 + 1,
            position,
            type_,
            title: t.get("title").and_then(Value::as_str).map(String::from),
            track_artists: artists,
            duration: text(t, "duration"),
            credit,
            work,
        });
    };
    for t in list {
        let position = text(t, "position").map(|p| p.trim().to_string());
        let artists = join_artists(t.get("artists"));
        let credit = if t.get("artists").is_some() { join_credits(t.get("artists")) } else { release_credit.clone() };
        match t.get("type_").and_then(Value::as_str).unwrap_or("track") {
            "heading" => push(&mut rows, t, "heading", position, artists, None, None),
            "index" => {
                let subs = t.get("sub_tracks").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]);
                let any_sub_position = subs.iter().any(|s| text(s, "position").is_some());
                if position.is_some() && !any_sub_position {
                    // One track on the record (a medley): the index is the track.
                    push(&mut rows, t, "track", position, artists, credit, None);
                    continue;
                }
                let work = t.get("title").and_then(Value::as_str).map(str::trim).filter(|w| !w.is_empty()).map(String::from);
                push(&mut rows, t, "index", position.clone(), artists.clone(), None, None);
                for s in subs {
                    let sub_position = text(s, "position").map(|p| p.trim().to_string()).or_else(|| position.clone());
                    let sub_artists = join_artists(s.get("artists")).or_else(|| artists.clone());
                    let sub_credit = if s.get("artists").is_some() { join_credits(s.get("artists")) } else { credit.clone() };
                    let kind = if s.get("type_").and_then(Value::as_str) == Some("heading") { "heading" } else { "track" };
                    push(&mut rows, s, kind, sub_position, sub_artists, sub_credit, work.clone());
                }
            }
            _ => push(&mut rows, t, "track", position, artists, credit, None),
        }
    }
    rows
}

/// DDL: `sql/ingest/discogs_load.sql`.
const LOAD_TABLES: &str = include_str!("../../sql/ingest/discogs_load.sql");
/// DDL: `sql/ingest/discogs_track_credits.sql`.
const CREDITS_TABLE: &str = include_str!("../../sql/ingest/discogs_track_credits.sql");

/// What [`load_collection`] appended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DiscogsLoad {
    pub releases: u64,
    pub tracklist_rows: u64,
    /// Listed releases whose details were never fetched (loaded from the collection entry).
    pub without_details: u64,
    /// Collection entries that repeat a release (second copies), not loaded again.
    pub duplicates: u64,
}

/// Appends the latest finished listing of `user` to `raw_releases` / `raw_tracks` of `conn`
/// (which has the state database attached as `state`).
pub fn load_collection(conn: &Connection, user: &str) -> Result<DiscogsLoad, FetchError> {
    ensure_state_tables(conn)?;
    let not_fetched = || FetchError::NotFetched { what: format!("the Discogs collection of `{user}`"), command: format!("selecta fetch discogs --user {user}") };
    let listing = latest_listing(conn, user)?.ok_or_else(not_fetched)?;
    let items = listed_items(conn, listing)?;
    let wanted: HashSet<i64> = items.iter().map(|i| i.release_id).collect();
    let mut bodies: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT release_id, body FROM state.discogs_releases").map_err(state_err("reading cached releases"))?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(state_err("reading cached releases"))?;
        for row in rows {
            let (id, body) = row.map_err(state_err("reading cached releases"))?;
            if wanted.contains(&id) {
                bodies.insert(id, body);
            }
        }
    }
    conn.execute_batch(LOAD_TABLES).map_err(state_err("creating the load tables"))?;
    conn.execute_batch(CREDITS_TABLE).map_err(state_err("creating discogs_track_credits"))?;
    let mut load = DiscogsLoad::default();
    {
        let mut rel = conn.appender("discogs_load_releases").map_err(state_err("appending releases"))?;
        let mut trk = conn.appender("discogs_load_tracks").map_err(state_err("appending tracks"))?;
        let mut cred = conn.appender("discogs_track_credits").map_err(state_err("appending track credits"))?;
        let mut done = HashSet::new();
        for item in &items {
            if !done.insert(item.release_id) {
                load.duplicates += 1;
                continue;
            }
            let (source_file, doc) = match bodies.get(&item.release_id) {
                Some(body) => {
                    let source_file = format!("discogs-api:/releases/{}", item.release_id);
                    let doc: Value = serde_json::from_str(body).map_err(|e| FetchError::Cached { source_file: source_file.clone(), message: e.to_string() })?;
                    (source_file, doc)
                }
                None => {
                    load.without_details += 1;
                    (format!("discogs-api:/users/{user}/collection/folders/0/releases?page={}", item.page), entry_doc(item))
                }
            };
            let r = release_row(&doc);
            rel.append_row(params![
                source_file, item.index, "discogs_api", r.release_id, r.title, r.artist, r.year, r.genre, r.style, r.labels, r.formats, r.country, r.master_id
            ])
            .map_err(state_err("appending releases"))?;
            load.releases += 1;
            let release_artist = r.artist.clone();
            for t in track_rows(&doc) {
                let canonical = t.track_artists.as_ref().or(release_artist.as_ref());
                let credit = t.credit.clone().filter(|c| Some(c) != canonical);
                if credit.is_some() || t.work.is_some() {
                    cred.append_row(params![source_file, item.index, t.seq, credit, t.work]).map_err(state_err("appending track credits"))?;
                }
                trk.append_row(params![
                    source_file,
                    item.index,
                    "discogs_api",
                    r.release_id,
                    r.artist,
                    r.title,
                    t.seq,
                    t.position,
                    t.type_,
                    t.title,
                    t.track_artists,
                    t.duration,
                    None::<String>
                ])
                .map_err(state_err("appending tracks"))?;
                load.tracklist_rows += 1;
            }
        }
        rel.flush().map_err(state_err("appending releases"))?;
        trk.flush().map_err(state_err("appending tracks"))?;
        cred.flush().map_err(state_err("appending track credits"))?;
    }
    conn.execute_batch(
        "INSERT INTO raw_releases BY NAME SELECT * FROM discogs_load_releases;
         INSERT INTO raw_tracks BY NAME SELECT * FROM discogs_load_tracks;
         DROP TABLE discogs_load_releases; DROP TABLE discogs_load_tracks;",
    )
    .map_err(state_err("inserting into raw_releases / raw_tracks"))?;
    Ok(load)
}

/// A collection entry as a release document (its `basic_information`, which has no tracklist).
fn entry_doc(item: &ListedItem) -> Value {
    let mut doc = item.basic_information.clone();
    if doc.get("id").is_none() {
        doc["id"] = Value::from(item.release_id);
    }
    doc
}

/// The build step (after ingest created the raw tables, before staging; planned when
/// `[discogs] user` is set): loads the cached collection of `[discogs] user`.
pub fn discogs_ingest_step(ctx: &StepContext<'_>, cfg: &DiscogsConfig) -> Result<StepOutput, FetchError> {
    let user = cfg.user.as_deref().unwrap_or_default();
    // The credits table exists even when nothing was fetched: the `tracks` view reads it.
    ctx.conn.execute_batch(CREDITS_TABLE).map_err(state_err("creating discogs_track_credits"))?;
    let load = match load_collection(ctx.conn, user) {
        Ok(load) => load,
        // `fetch.discogs` said why (no token, no network); the rest of the build goes on.
        Err(e @ FetchError::NotFetched { .. }) => return Ok(StepOutput::warn(0, e.to_string())),
        Err(e) => return Err(e),
    };
    let rows = load.releases + load.tracklist_rows;
    let mut note = format!("{} releases, {} tracklist rows from the Discogs API ({user})", load.releases, load.tracklist_rows);
    if load.duplicates > 0 {
        note.push_str(&format!(", {} second copies skipped", load.duplicates));
    }
    if load.without_details > 0 {
        return Ok(StepOutput::warn(
            rows,
            format!("{note}; {} releases without fetched details (no tracks): rerun `selecta fetch discogs`", load.without_details),
        ));
    }
    Ok(StepOutput::ok(rows).with_note(note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fakes::discogs::{COMPILATION_RELEASE, Collection, HEADINGS_RELEASE};

    /// Headings stay headings, repeated positions on two discs are kept as given, index tracks
    /// give their sub-tracks as tracks, a positioned index without positioned sub-tracks is one track.
    #[test]
    fn headings_and_index_tracks() {
        let c = Collection::generated("u", 3);
        let rows = track_rows(&c.releases[&HEADINGS_RELEASE]);
        let show: Vec<String> =
            rows.iter().map(|t| format!("{} {} {} {}", t.seq, t.type_, t.position.as_deref().unwrap_or("-"), t.title.as_deref().unwrap_or("-"))).collect();
        assert_eq!(
            show,
            [
                "1 heading - Disque 1",
                "2 track A1 Foxxy",
                "3 track A2 Dub Tool",
                "4 index - Suite Nuit",
                "5 track A3 Nuit I",
                "6 track A4 Nuit II",
                "7 heading - Disque 2",
                "8 track A1 Foxxy (Reprise)",
                "9 track A2 Dub Tool (Reprise)",
                "10 track B3 Medley",
                "11 index B4 Velours",
                "12 track B4a Velours (Part 1)",
                "13 track B4b Velours (Part 2)",
            ]
        );
        assert!(rows.iter().all(|t| t.track_artists.is_none()));
    }

    /// A compilation's tracks carry their own artists, joined with the join strings, raw.
    #[test]
    fn compilation_tracks_carry_their_artists() {
        let c = Collection::generated("u", 3);
        let doc = &c.releases[&COMPILATION_RELEASE];
        assert_eq!(release_row(doc).artist.as_deref(), Some("Various"));
        let rows = track_rows(doc);
        assert_eq!(rows[0].track_artists.as_deref(), Some("Nihil (5) Feat. Human Records (2)"));
        assert_eq!(rows[1].track_artists.as_deref(), Some("Les Ondes, Cassius & Nova (2)"));
        assert!(rows.iter().all(|t| t.track_artists.is_some() && t.type_ == "track"));
    }

    /// Credits as printed (`anv`) beside the names; sub-tracks carry their index title.
    #[test]
    fn credits_and_works() {
        let doc = serde_json::json!({"id": 1, "artists": [{"name": "Karl Axel Bissler", "anv": "K.A.B.", "join": ""}], "tracklist": [
            {"position": "", "type_": "index", "title": "My Kingdom", "sub_tracks": [{"position": "A1", "type_": "track", "title": "Part 1"}]},
            {"position": "B1", "type_": "track", "title": "Solo", "artists": [{"name": "Nova (2)", "anv": "", "join": ""}]}]});
        assert_eq!(join_credits(doc.get("artists")).as_deref(), Some("K.A.B."));
        let rows = track_rows(&doc);
        let show: Vec<(Option<&str>, Option<&str>)> = rows.iter().map(|t| (t.credit.as_deref(), t.work.as_deref())).collect();
        assert_eq!(show, [(None, None), (Some("K.A.B."), Some("My Kingdom")), (None, None)]);
    }

    /// A release document becomes the row the original exporter wrote (styles, labels, formats joined; master 0 → none).
    #[test]
    fn release_fields_like_the_original_exporter() {
        let doc: Value = serde_json::json!({
            "id": 18669670, "title": "Music To Be Murdered By (Side B)", "year": 2021, "country": "USA & Europe", "master_id": 0,
            "artists": [{"name": "Eminem", "join": ""}],
            "genres": ["Hip Hop"], "styles": ["Hardcore Hip-Hop", "Conscious"],
            "labels": [{"name": "Aftermath Entertainment"}, {"name": "Shady Records"}],
            "formats": [{"name": "Vinyl", "descriptions": ["LP", "Album", "Reissue"]}, {"name": "Vinyl", "descriptions": ["LP", "Album", "Deluxe Edition", "Stereo"]}, {"name": "CD"}]
        });
        let r = release_row(&doc);
        assert_eq!(r.release_id, "18669670");
        assert_eq!(r.year.as_deref(), Some("2021"));
        assert_eq!(r.style.as_deref(), Some("Hardcore Hip-Hop, Conscious"));
        assert_eq!(r.labels.as_deref(), Some("Aftermath Entertainment, Shady Records"));
        assert_eq!(r.formats.as_deref(), Some("LP, Album, Reissue, LP, Album, Deluxe Edition, Stereo, CD"));
        assert_eq!(r.master_id, None);
    }
}
