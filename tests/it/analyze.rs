//! `selecta analyze` and the `analysis` build steps, over the fixture library that
//! `data/sample/generate_audio.py --formats` renders: tagged, mis-tagged and untagged files in
//! WAV, FLAC (through sox), Ogg Vorbis and MP3 (Debian's sox, flac, vorbis-tools and lame,
//! which `.ci/run` installs: a missing one fails the test), a side split by its CUE sheet, a
//! file of no track, a corrupt one.

use crate::{Project, repo};

/// The sample project with its audio library rendered into `audio/` and `[analysis]` on it.
fn library() -> Project {
    let p = Project::sample();
    let status = std::process::Command::new("python3")
        .arg(repo().join("data/sample/generate_audio.py"))
        .arg("--formats")
        .arg(p.path("audio"))
        .status()
        .expect("python3 runs data/sample/generate_audio.py");
    assert!(status.success(), "generate_audio.py --formats failed (sox, flac, vorbis-tools and lame installed?)");
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
            "Nova/Horizon Sessions/04 L'Velours echo.flac | 1000001_B1 | release_position",
            "Nova/Horizon Sessions/05 Fièvre jardin.ogg | 1000001_B2 | release_position",
            "Nova/Horizon Sessions/06 Volcan velours.mp3 | 1000001_B3 | release_title",
            "Nova/Horizon Sessions/07 Soleil glace.wav | 1000001_C1 | release_position",
            "Silence EP/A3 - Mira Kovač - Volcan signal.wav | 1015839_A3 | scorer",
        ]
    );
    assert!(p.scalar("SELECT error FROM track_files WHERE match_quality = 'error'").starts_with("unsupported format"), "corrupt file's reason");
    // the encoders' tags as lofty reads them (Vorbis comments, ID3v2 with TXXX), the codec
    // symphonia decoded and the features at the rendered tempo and key
    let encoded = p.query(
        "SELECT t.format, t.codec, t.tag_artist, t.tag_title, coalesce(t.tag_position, '-'), t.tag_release_id, round(a.tempo_bpm), a.camelot
         FROM track_files t JOIN analysis_features a USING (file_key) WHERE t.format IN ('flac', 'ogg', 'mp3') ORDER BY t.file_key",
    );
    let encoded: Vec<String> = encoded.iter().map(|r| r.join(" | ")).collect();
    assert_eq!(
        encoded,
        [
            "flac | flac | Nova | L'Velours echo | B1 | 1000001 | 135 | 9A",
            "ogg | vorbis | Nova | Fièvre jardin | B2 | 1000001 | 118 | 4B",
            "mp3 | mp3 | Nova | Volcan velours | - | 1000001 | 126 | 2B",
        ]
    );
    // tempo and key as rendered (generate_audio.py): 120 BPM C major, 174 BPM D minor, the
    // side's 78 BPM A# major
    let feats = p.query(
        "SELECT t.track_id, round(a.tempo_bpm), a.camelot FROM analysis_features a JOIN track_files t USING (file_key)
         WHERE t.track_id IN ('1000001_A1', '1015839_A3', '1023758_A2') ORDER BY 1",
    );
    let feats: Vec<String> = feats.iter().map(|r| r.join(" ")).collect();
    assert_eq!(feats, ["1000001_A1 120 8B", "1015839_A3 174 7A", "1023758_A2 78 6B"]);
    assert_eq!(p.scalar("SELECT count(*) FROM analysis_features"), "13");
    // eleven tracks with both an analysis and features (exportify.csv; Nuit marée has none): every feature is fitted
    assert_eq!(p.scalar("SELECT string_agg(feature || ' ' || n, ', ' ORDER BY feature) FROM analysis_calibration WHERE r2 IS NOT NULL"), "Danceability 11, Energy 11, Loudness 11, Tempo 11");
    // every matched, analysed track is clustered with the others
    assert_eq!(p.scalar("SELECT count(*) FROM track_clusters WHERE track_id IN (SELECT track_id FROM track_files)"), "12");
    assert_eq!(p.scalar("SELECT count(*) FROM tracks_without_file"), "353");
    // a rerun reads every file from the cache
    let again = p.run(&["analyze"]).success();
    assert!(again.stdout.contains("analysed now: 0 files; from the cache: 14 tracks"), "{}", again.stdout);
}
