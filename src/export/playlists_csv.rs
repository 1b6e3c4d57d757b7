//! `selecta export playlists --format csv --out DIR`: one CSV per cluster of `cluster_playlists`,
//! with the columns common playlist importers read (`Title,Artist,Album,Spotify URI`, and `Spotify URL` to listen), in a
//! file named after the cluster.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::ExportError;
use crate::db::duck;

/// A file name from a cluster name: characters file systems refuse become `-`.
pub fn file_stem(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '-' } else { c }).collect();
    let s = s.trim().trim_matches('.').to_string();
    if s.is_empty() { "cluster".to_string() } else { s }
}

/// Writes one CSV per cluster of `cluster_playlists` into `out_dir` (created if needed):
/// `<cluster name>.csv` with `Title,Artist,Album,Spotify URI,Spotify URL` in playlist order;
/// tracks without a Spotify ID keep an empty URI and URL. Returns the files written, in cluster order.
pub fn export_playlists_csv(conn: &duckdb::Connection, out_dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let mut stmt = conn
        .prepare("SELECT cluster, cluster_name, title, artist, album, spotify_id FROM cluster_playlists ORDER BY cluster, position")
        .map_err(duck("reading cluster_playlists (run `selecta cluster` or `selecta build` first)"))?;
    type Row = (i64, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .and_then(|m| m.collect::<Result<Vec<_>, _>>())
        .map_err(duck("reading cluster_playlists"))?;
    std::fs::create_dir_all(out_dir).map_err(|source| ExportError::Io { path: out_dir.to_path_buf(), source })?;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    let mut writer: Option<(i64, csv::Writer<std::fs::File>)> = None;
    let csv_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source: csv::Error| ExportError::Csv { path, source }
    };
    for (cluster, name, title, artist, album, spotify_id) in rows {
        if writer.as_ref().is_none_or(|(c, _)| *c != cluster) {
            if let Some((_, mut w)) = writer.take() {
                w.flush().map_err(|source| ExportError::Io { path: files.last().cloned().unwrap_or_default(), source })?;
            }
            let mut stem = file_stem(&name);
            if !used.insert(stem.to_lowercase()) {
                stem = format!("{stem} (cluster {cluster})");
                used.insert(stem.to_lowercase());
            }
            let path = out_dir.join(format!("{stem}.csv"));
            let mut w = csv::Writer::from_path(&path).map_err(csv_err(&path))?;
            w.write_record(["Title", "Artist", "Album", "Spotify URI", "Spotify URL"]).map_err(csv_err(&path))?;
            files.push(path);
            writer = Some((cluster, w));
        }
        let path = files.last().expect("a file is open").clone();
        let (_, w) = writer.as_mut().expect("a writer is open");
        let uri = spotify_id.as_ref().map(|id| format!("spotify:track:{id}")).unwrap_or_default();
        let url = spotify_id.as_ref().map(|id| format!("https://open.spotify.com/track/{id}")).unwrap_or_default();
        w.write_record([title.unwrap_or_default(), artist.unwrap_or_default(), album.unwrap_or_default(), uri, url]).map_err(csv_err(&path))?;
    }
    if let Some((_, mut w)) = writer.take() {
        w.flush().map_err(|source| ExportError::Io { path: files.last().cloned().unwrap_or_default(), source })?;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cluster names become safe file names (no separators, no `..`).
    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_stem("Fast · Energetic"), "Fast · Energetic");
        assert_eq!(file_stem("AC/DC: \"hits\""), "AC-DC- -hits-");
        assert_eq!(file_stem(".."), "cluster");
    }

    /// The CSV export writes one file per cluster, named after it, in playlist order.
    #[test]
    fn exports_one_csv_per_cluster() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE cluster_playlists(cluster INTEGER, cluster_name VARCHAR, position INTEGER, track_id VARCHAR, spotify_id VARCHAR, title VARCHAR, artist VARCHAR, album VARCHAR);
             INSERT INTO cluster_playlists VALUES
               (0, 'Fast · Loud', 2, 't2', 'B', 'Second, with comma', 'X', 'Al'),
               (0, 'Fast · Loud', 1, 't1', 'A', 'First', 'Y', NULL),
               (1, 'Calm/Quiet', 1, 't3', NULL, 'Third', 'Z', 'Al');",
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = export_playlists_csv(&conn, dir.path()).unwrap();
        let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["Fast · Loud.csv", "Calm-Quiet.csv"]);
        let first = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(first, "Title,Artist,Album,Spotify URI,Spotify URL\nFirst,Y,,spotify:track:A,https://open.spotify.com/track/A\n\"Second, with comma\",X,Al,spotify:track:B,https://open.spotify.com/track/B\n");
        let second = std::fs::read_to_string(&files[1]).unwrap();
        assert_eq!(second, "Title,Artist,Album,Spotify URI,Spotify URL\nThird,Z,Al,,\n");
    }
}
