//! The raw file formats selecta reads, recognised from their header rows.
//!
//! Each [`Format`] names the columns it needs; columns are found by name (case-insensitive,
//! surrounding spaces ignored), never by position, so a new column in an export does not break
//! the load. [`detect`] picks the format of a file from its header for one kind of input.

use std::collections::HashMap;

/// What a file is for: the `[inputs]` key it was listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Releases,
    Tracklists,
    SpotifyIds,
    Features,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Releases => "releases",
            InputKind::Tracklists => "tracklists",
            InputKind::SpotifyIds => "spotify_ids",
            InputKind::Features => "features",
        }
    }
}

/// A recognised file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `id,title,artist,year,genre,style,master_id,release_country,labels,format,…` (the original exporter).
    CollectionCsv,
    /// The Discogs website's "Export collection": `Catalog#,Artist,Title,Label,Format,Rating,Released,release_id,…`.
    DiscogsExport,
    /// `id,artist,album,tracklist` with the Python repr of Discogs Track objects.
    CollectionTracks,
    /// `album_id,artist,album,track_id,title`, one row per track (the original's `my_tracks.csv`).
    MyTracks,
    /// `…,track_id,…,spotify_id` (the original's `my_tracks_spotify_id.csv`).
    SpotifyIds,
    /// An Exportify playlist export with audio features (`Track URI,Track Name,…,Danceability,…`).
    Exportify,
    /// The original project's final table `tracks_features.csv` (`Track_id,…,spotify_id`).
    OriginalTable,
}

impl Format {
    /// The name stored in `source_format` / `source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CollectionCsv => "collection_csv",
            Format::DiscogsExport => "discogs_export",
            Format::CollectionTracks => "collection_tracks",
            Format::MyTracks => "my_tracks",
            Format::SpotifyIds => "spotify_ids",
            Format::Exportify => "exportify",
            Format::OriginalTable => "original_table",
        }
    }

    /// Columns that must be present, by name.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Format::CollectionCsv => &["id", "title", "artist", "year", "genre", "style"],
            Format::DiscogsExport => &["release_id", "artist", "title", "label", "format", "released"],
            Format::CollectionTracks => &["id", "artist", "album", "tracklist"],
            Format::MyTracks => &["album_id", "artist", "album", "track_id", "title"],
            Format::SpotifyIds => &["track_id", "spotify_id"],
            Format::Exportify => &["track uri|track id|spotify id", "danceability", "energy", "loudness", "valence", "tempo"],
            Format::OriginalTable => &["track_id", "spotify_id", "danceability", "energy", "loudness", "valence", "tempo"],
        }
    }

    /// The formats accepted for a kind of input, most specific first.
    pub fn candidates(kind: InputKind) -> &'static [Format] {
        match kind {
            InputKind::Releases => &[Format::CollectionCsv, Format::DiscogsExport],
            InputKind::Tracklists => &[Format::CollectionTracks, Format::MyTracks],
            InputKind::SpotifyIds => &[Format::SpotifyIds],
            InputKind::Features => &[Format::OriginalTable, Format::Exportify],
        }
    }
}

/// Column positions of a header, looked up by (case-insensitive) name.
#[derive(Debug, Clone)]
pub struct Header {
    pub names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    pub fn new(names: Vec<String>) -> Header {
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(n.trim().to_lowercase()).or_insert(i);
        }
        Header { names, index }
    }

    /// The position of the first of `alternatives` (separated by `|`) present in the header.
    pub fn find(&self, alternatives: &str) -> Option<usize> {
        alternatives.split('|').find_map(|name| self.index.get(name).copied())
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Why no format of `kind` fits `header`: each candidate's required columns and the ones missing
/// (`collection_csv needs id, title, … (missing: year)`).
pub fn missing_columns(kind: InputKind, header: &Header) -> String {
    let show = |col: &str| col.split('|').map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ");
    Format::candidates(kind)
        .iter()
        .map(|f| {
            let needed: Vec<String> = f.required().iter().map(|c| show(c)).collect();
            let missing: Vec<String> = f.required().iter().filter(|c| header.find(c).is_none()).map(|c| show(c)).collect();
            format!("{} needs {} (missing: {})", f.as_str(), needed.join(", "), missing.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The first candidate format of `kind` whose required columns the header has.
pub fn detect(kind: InputKind, header: &Header) -> Option<Format> {
    Format::candidates(kind).iter().copied().find(|f| f.required().iter().all(|col| header.find(col).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(line: &str) -> Header {
        Header::new(line.split(',').map(String::from).collect())
    }

    /// Each supported input format is recognised from its header row.
    #[test]
    fn recognises_each_format_by_its_header() {
        let cases = [
            (InputKind::Releases, "id,title,artist,year,genre,style,master_id,release_country,labels,format,rating,have,want,url,image_url", Format::CollectionCsv),
            (InputKind::Releases, "Catalog#,Artist,Title,Label,Format,Rating,Released,release_id,CollectionFolder,Date Added,Collection Media Condition", Format::DiscogsExport),
            (InputKind::Tracklists, "id,artist,album,tracklist", Format::CollectionTracks),
            (InputKind::Tracklists, "album_id,artist,album,track_id,title", Format::MyTracks),
            (InputKind::SpotifyIds, "album_id,artist,album,track_id,title,spotify_id", Format::SpotifyIds),
            (InputKind::Features, "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Explicit,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature", Format::Exportify),
            (InputKind::Features, "Track_id,Artist,Title,Album,Genre,Style,Popularity,Danceability,Energy,Loudness,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time_Signature,Time,Key,Camelot,Spotify_key,Spotify_mode,spotify_id", Format::OriginalTable),
        ];
        for (kind, line, want) in cases {
            assert_eq!(detect(kind, &header(line)), Some(want), "{line}");
        }
    }

    /// Proves: Exportify's `Track ID` header (Sep 2024 – Apr 2025, bare IDs) is recognised, with
    /// the four tabs real files put before `Danceability`.
    #[test]
    fn exportify_track_id_header_is_recognised() {
        let line = "Track ID,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,Added By,Added At,Genres,Record Label,\t\t\t\tDanceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature";
        let h = Header::new(line.split(',').map(|n| n.trim().to_string()).collect());
        assert_eq!(detect(InputKind::Features, &h), Some(Format::Exportify));
    }

    /// Proves: an unrecognised header's error lists, per format, the columns needed and missing.
    #[test]
    fn an_unknown_header_lists_needed_and_missing_columns() {
        let got = missing_columns(InputKind::Features, &header("Track URI,Track Name,Energy,Loudness,Valence,Tempo"));
        assert_eq!(
            got,
            "original_table needs `track_id`, `spotify_id`, `danceability`, `energy`, `loudness`, `valence`, `tempo` (missing: `track_id`, `spotify_id`, `danceability`); \
             exportify needs `track uri` or `track id` or `spotify id`, `danceability`, `energy`, `loudness`, `valence`, `tempo` (missing: `danceability`)"
        );
    }

    /// A header of another kind of file is not taken for this kind.
    #[test]
    fn a_header_of_another_kind_is_not_recognised() {
        assert_eq!(detect(InputKind::Releases, &header("album_id,artist,album,track_id,title")), None);
        assert_eq!(detect(InputKind::Features, &header("track_id,spotify_id")), None);
    }
}
