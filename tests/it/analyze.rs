//! `selecta analyze` and the `analysis` build steps, over the fixture library that
//! `data/sample/generate_audio.py` renders: tagged, mis-tagged and untagged files, a side split
//! by its CUE sheet, a file of no track, a corrupt one.

use crate::{Project, repo};

/// The sample project with its audio library rendered into `audio/` and `[analysis]` on it.
fn library() -> Project {
    let p = Project::sample();
    let status = std::process::Command::new("python3")
        .arg(repo().join("data/sample/generate_audio.py"))
        .arg(p.path("audio"))
        .status()
        .expect("python3 runs data/sample/generate_audio.py");
    assert!(status.success());
    let config = std::fs::read_to_string(p.path("selecta.toml")).unwrap();
    p.file("selecta.toml", &format!("{config}[analysis]\nmusic_dirs = [\"audio\"]\n"));
    p
}

/// Files matched to tracks by each rule, features computed at the rendered tempo and key, the
/// corrupt file recorded with its reason, the analysed tracks clustered, and a rerun served
/// from the cache.
#[test]
fn fixture_library_is_matched_analysed_and_clustered() {
    let p = library();
    let out = p.run(&["build"]).success();
    assert!(out.stdout.contains("analysis"), "{}", out.stdout);
    let rows = p.query(
        "SELECT regexp_replace(file_key, '^(.*/)?audio/', ''), coalesce(track_id, '-'), match_quality FROM track_files ORDER BY file_key",
    );
    let got: Vec<String> = rows.iter().map(|r| r.join(" | ")).collect();
    assert_eq!(
        got,
        [
            "DJ Sable/Poussière à Paris/Side A.wav#1 | 1023758_A1 | release_position",
            "DJ Sable/Poussière à Paris/Side A.wav#2 | 1023758_A2 | release_position",
            "DJ Sable/Poussière à Paris/Side A.wav#3 | 1023758_A3 | release_position",
            "DJ Sable/Poussière à Paris/Side A.wav#4 | 1023758_A4 | release_position",
            "Les Ondes/Nuit EP/Nuit maree.wav | 1007920_A1 | scorer",
            "Misc/Unknown Artist - Nothing Like It.wav | - | unmatched",
            "Misc/broken.flac | - | error",
            "Nova/Horizon Sessions/01 Silence brume.wav | 1000001_A1 | release_position",
            "Nova/Horizon Sessions/02 Aurore orage.wav | 1000001_A2 | release_title",
            "Silence EP/A3 - Mira Kovač - Volcan signal.wav | 1015839_A3 | scorer",
        ]
    );
    assert!(p.scalar("SELECT error FROM track_files WHERE match_quality = 'error'").starts_with("unsupported format"), "corrupt file's reason");
    // tempo and key as rendered (generate_audio.py): 120 BPM C major, 174 BPM D minor, the
    // side's 124 BPM A# major
    let feats = p.query(
        "SELECT t.track_id, round(a.tempo_bpm), a.camelot FROM analysis_features a JOIN track_files t USING (file_key)
         WHERE t.track_id IN ('1000001_A1', '1015839_A3', '1023758_A2') ORDER BY 1",
    );
    let feats: Vec<String> = feats.iter().map(|r| r.join(" ")).collect();
    assert_eq!(feats, ["1000001_A1 120 8B", "1015839_A3 174 7A", "1023758_A2 124 6B"]);
    assert_eq!(p.scalar("SELECT count(*) FROM analysis_features"), "9");
    assert_eq!(p.scalar("SELECT count(*) FROM analysis_calibration"), "4");
    // every matched, analysed track is clustered with the others
    assert_eq!(p.scalar("SELECT count(*) FROM track_clusters WHERE track_id IN (SELECT track_id FROM track_files)"), "8");
    assert_eq!(p.scalar("SELECT count(*) FROM tracks_without_file"), "357");
    // a rerun reads every file from the cache
    let again = p.run(&["analyze"]).success();
    assert!(again.stdout.contains("analysed now: 0 files; from the cache: 10 tracks"), "{}", again.stdout);
}
