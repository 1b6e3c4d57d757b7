//! One normalization, applied the same way to Discogs tracks and to Spotify candidates.
//!
//! [`norm`] folds a string to a comparable key (accents via `deunicode`, case, apostrophe and
//! punctuation variants, `&` → `and`, a leading "the"). [`Title::parse`] splits a track title
//! into its core, the featured artists and a [`Version`] tag (remaster, live, remix + remixer,
//! edit, extended, instrumental, …) read from `(…)`, `[…]` and ` - …` suffixes.
//! [`Artist::parse`] strips Discogs' ` (n)` suffixes and `*`, splits featured artists off and
//! flags compilations ("Various"). [`album_key`] drops edition noise ("Deluxe Edition",
//! "Remastered") from album names.

use std::fmt;

/// Folds `s` into a comparison key: ASCII (deunicode), lower case, apostrophes removed,
/// `&` → `and`, every other non-alphanumeric run → one space, a leading "the " dropped.
pub fn norm(s: &str) -> String {
    let folded = fold(s);
    match folded.strip_prefix("the ") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => folded,
    }
}

/// [`norm`] without dropping a leading "the" (for tokens inside titles).
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(s);
    let mut out = String::with_capacity(ascii.len());
    let mut pending_space = false;
    for ch in ascii.chars() {
        let c = ch.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else if c == '\'' || c == '`' || c == '.' {
            // "Don't" = "Dont", "Mr." = "Mr", "N.Y.C." = "NYC"; apostrophe variants are folded to ' by deunicode.
        } else if c == '&' || c == '+' {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            pending_space = true;
        } else {
            pending_space = true;
        }
    }
    out
}

/// Words to send to a search engine: [`fold`] without "and" (an `&` on one side and "and" on
/// the other must not make a field filter fail), and with dots as word breaks ("B.I.G." →
/// "b i g", "Vol.01" → "vol 01") as search engines tokenize them.
pub fn search_terms(s: &str) -> String {
    fold(&s.replace('.', " ")).split(' ').filter(|w| !w.is_empty() && *w != "and").collect::<Vec<_>>().join(" ")
}

/// The version of a recording, as told by a title's suffix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Version {
    /// No tag, or one that names the plain recording (original mix, album/single/LP version).
    #[default]
    Plain,
    Remaster,
    Live,
    /// A remix, with the remixer when named ("Boys Noize Remix").
    Remix(Option<String>),
    /// Edit / radio edit / clean edit.
    Edit,
    /// Extended mix / extended version / 12" version.
    Extended,
    Instrumental,
    Acoustic,
    Mono,
    Stereo,
    Demo,
    /// Karaoke, tribute, "in the style of", "originally performed by": not the artist's recording.
    Karaoke,
}

impl Version {
    /// The tag's name as stored in tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            Version::Plain => "plain",
            Version::Remaster => "remaster",
            Version::Live => "live",
            Version::Remix(_) => "remix",
            Version::Edit => "edit",
            Version::Extended => "extended",
            Version::Instrumental => "instrumental",
            Version::Acoustic => "acoustic",
            Version::Mono => "mono",
            Version::Stereo => "stereo",
            Version::Demo => "demo",
            Version::Karaoke => "karaoke",
        }
    }

    /// Which tag wins when a title carries several.
    fn rank(&self) -> u8 {
        match self {
            Version::Plain => 0,
            Version::Remaster | Version::Mono | Version::Stereo => 1,
            Version::Edit | Version::Extended => 3,
            Version::Instrumental | Version::Acoustic | Version::Demo => 6,
            Version::Remix(_) => 7,
            Version::Live => 8,
            Version::Karaoke => 9,
        }
    }

    /// The recording class: versions of one class are the same recording (a remaster, a mono
    /// or stereo mix is the plain recording), versions of different classes never are.
    pub fn class(&self) -> &'static str {
        match self {
            Version::Plain | Version::Remaster | Version::Mono | Version::Stereo => "plain",
            other => other.as_str(),
        }
    }

    /// The family of recordings a version belongs to: plain, edit and extended cuts are one
    /// family (a radio edit on the record's own album is not "another song" than the plain
    /// cut on a compilation); every other class is its own family.
    pub fn family(&self) -> &'static str {
        match self.class() {
            "plain" | "edit" | "extended" => "plain",
            other => other,
        }
    }

    /// How far apart two versions are: 0 (same recording), `mild` for near cuts (edit /
    /// extended / plain: 0.2), 1 for different
    /// recordings (live, remix, instrumental, acoustic, demo, karaoke).
    pub fn distance(&self, other: &Version) -> f64 {
        const MILD: f64 = 0.2;
        let (a, b) = (self.class(), other.class());
        if a == b {
            return match (self, other) {
                (Version::Remix(Some(x)), Version::Remix(Some(y))) if !remixer_matches(x, y) => 1.0,
                _ => 0.0,
            };
        }
        let near = |c: &str| matches!(c, "plain" | "edit" | "extended");
        if near(a) && near(b) { MILD } else { 1.0 }
    }
}

fn remixer_matches(a: &str, b: &str) -> bool {
    a == b || a.contains(b) || b.contains(a) || strsim::normalized_levenshtein(a, b) >= 0.8
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Remix(Some(by)) => write!(f, "remix by {by}"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// A track title split into what identifies the recording.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Title {
    /// The normalized title without version tag and featured artists ("kofea").
    pub core: String,
    pub version: Version,
    /// Normalized featured artists named in the title ("feat. X").
    pub featured: Vec<String>,
}

/// What one bracketed or dashed suffix says.
enum Tag {
    Version(Version),
    Featuring(Vec<String>),
    /// Edition noise that says nothing about the recording ("Bonus Track", "2011").
    Noise,
}

/// Classifies one suffix (already folded), or `None` when it belongs to the title itself
/// ("Part 1", "Reprise", "Theme From Vinyl").
fn classify(seg: &str) -> Option<Tag> {
    let words: Vec<&str> = seg.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Some(Tag::Noise);
    }
    let has = |w: &str| words.contains(&w);
    let first = words[0];
    if matches!(first, "feat" | "ft" | "featuring" | "with") && words.len() > 1 {
        return Some(Tag::Featuring(split_artists(&words[1..].join(" "))));
    }
    if has("karaoke") || seg.contains("in the style of") || seg.contains("originally performed") || seg.contains("made famous") || has("tribute") {
        return Some(Tag::Version(Version::Karaoke));
    }
    if has("live") || seg.starts_with("live ") {
        return Some(Tag::Version(Version::Live));
    }
    if has("instrumental") || has("beatless") || has("acapella") || seg.contains("a cappella") || has("acappella") || (has("dub") && words.len() <= 2) {
        return Some(Tag::Version(Version::Instrumental));
    }
    if has("acoustic") || has("unplugged") {
        return Some(Tag::Version(Version::Acoustic));
    }
    if has("demo") {
        return Some(Tag::Version(Version::Demo));
    }
    if has("remix") || has("rmx") || has("rework") || has("mix") && !has("original") && !has("extended") && !has("radio") && !has("album") && !has("main") {
        let cut = words.iter().position(|w| matches!(*w, "remix" | "rmx" | "rework" | "mix")).unwrap_or(words.len());
        let by = words[..cut].join(" ");
        let by = by.strip_suffix(" s").unwrap_or(&by).to_string();
        return Some(Tag::Version(Version::Remix(if by.is_empty() { None } else { Some(by) })));
    }
    if has("extended") || seg.contains("12 version") || seg.contains("12 inch") || seg.contains("club mix") {
        return Some(Tag::Version(Version::Extended));
    }
    if has("edit") {
        return Some(Tag::Version(Version::Edit));
    }
    if has("remaster") || has("remastered") || has("remasterizado") || seg.contains("digital remaster") {
        return Some(Tag::Version(Version::Remaster));
    }
    if has("mono") {
        return Some(Tag::Version(Version::Mono));
    }
    if has("stereo") {
        return Some(Tag::Version(Version::Stereo));
    }
    if seg == "original mix" || seg == "original version" || seg == "original" || seg == "main mix"
        || ((has("single") || has("album") || has("lp")) && has("version"))
    {
        return Some(Tag::Version(Version::Plain));
    }
    if seg == "bonus track" || seg == "bonus" || words.iter().all(|w| w.chars().all(|c| c.is_ascii_digit())) {
        return Some(Tag::Noise);
    }
    None
}

impl Title {
    /// Parses a raw title (Discogs or Spotify).
    pub fn parse(raw: &str) -> Title {
        let mut rest = raw.trim().to_string();
        let mut version = Version::Plain;
        let mut featured = Vec::new();
        let mut apply = |tag: Tag, version: &mut Version| match tag {
            // The most telling tag wins: a remix stays a remix when also "(Radio Edit)".
            Tag::Version(v) if v.rank() > version.rank() => *version = v,
            Tag::Version(_) | Tag::Noise => {}
            Tag::Featuring(names) => featured.extend(names),
        };
        // Trailing suffixes, bracketed or dashed, in any mix:
        // "Title (Boys Noize Remix) - Remastered 2011", "Get Down On It - Eiffel 65 Remix (Radio Edit)".
        loop {
            let t = rest.trim_end();
            let bracket = match t.chars().last() {
                Some(')') => t.rfind('(').map(|open| (open, t.len() - 1)),
                Some(']') => t.rfind('[').map(|open| (open, t.len() - 1)),
                _ => None,
            };
            if let Some((open, close)) = bracket.filter(|(open, _)| *open > 0) {
                if let Some(tag) = classify(&fold(&t[open + 1..close])) {
                    apply(tag, &mut version);
                    rest = t[..open].trim_end().to_string();
                    continue;
                }
            }
            if let Some(pos) = t.rfind(" - ") {
                if let Some(tag) = classify(&fold(&t[pos + 3..])) {
                    apply(tag, &mut version);
                    rest = t[..pos].trim_end().to_string();
                    continue;
                }
            }
            break;
        }
        // Featured artists inline: "Title feat. X".
        let folded = fold(&rest);
        let mut core = folded.clone();
        for marker in [" feat ", " ft ", " featuring "] {
            if let Some(pos) = folded.find(marker) {
                featured.extend(split_artists(&folded[pos + marker.len()..]));
                core = folded[..pos].to_string();
                break;
            }
        }
        if core.is_empty() {
            core = folded;
        }
        Title { core, version, featured }
    }
}

/// Splits a folded list of artists on "and", ",", "x", "vs".
fn split_artists(s: &str) -> Vec<String> {
    s.split(" and ")
        .flat_map(|p| p.split(" x "))
        .flat_map(|p| p.split(" vs "))
        .map(|p| p.trim().trim_start_matches("the ").to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Removes Discogs' disambiguation suffix ` (12)` and the `*` of name variations.
pub fn discogs_clean(name: &str) -> String {
    let mut s = name.trim().trim_end_matches('*').trim_end().to_string();
    if s.ends_with(')') {
        if let Some(open) = s.rfind(" (") {
            if s[open + 2..s.len() - 1].chars().all(|c| c.is_ascii_digit()) && s.len() > open + 3 {
                s.truncate(open);
            }
        }
    }
    s.trim_end_matches('*').trim().to_string()
}

/// A track's artist credit, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Artist {
    /// The whole credit without featured artists, normalized ("nick cave and bad seeds").
    pub main: String,
    /// Featured artists ("feat." / "ft." / "featuring" / "with").
    pub featured: Vec<String>,
    /// "Various" / "Various Artists": a compilation, the credit says nothing of the performer.
    pub various: bool,
}

impl Artist {
    pub fn parse(raw: &str) -> Artist {
        let cleaned: Vec<String> = raw.split(", ").map(discogs_clean).collect();
        let cleaned = cleaned.join(", ");
        let folded = fold(&cleaned);
        let various = matches!(folded.as_str(), "various" | "various artists" | "va");
        let mut main = folded.clone();
        let mut featured = Vec::new();
        for marker in [" feat ", " ft ", " featuring ", " with "] {
            if let Some(pos) = folded.find(marker) {
                featured = split_artists(&folded[pos + marker.len()..]);
                main = folded[..pos].to_string();
                break;
            }
        }
        let main = main.strip_prefix("the ").map(str::to_string).unwrap_or(main);
        Artist { main, featured, various }
    }

    /// The names to compare with a candidate's artists: the main credit, then each featured one.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.main.as_str()).chain(self.featured.iter().map(String::as_str))
    }
}

/// An album name as a comparison key, without edition noise
/// ("Abbey Road (Remastered 2009)", "Discovery [Deluxe Edition]" → "abbey road", "discovery").
pub fn album_key(raw: &str) -> String {
    let mut rest = raw.trim().to_string();
    loop {
        let t = rest.trim_end();
        let close = match t.chars().last() {
            Some(')') => '(',
            Some(']') => '[',
            _ => break,
        };
        let Some(open) = t.rfind(close) else { break };
        if open == 0 || !is_edition(&fold(&t[open + 1..t.len() - 1])) {
            break;
        }
        rest = t[..open].trim_end().to_string();
    }
    if let Some(pos) = rest.rfind(" - ") {
        if is_edition(&fold(&rest[pos + 3..])) {
            rest.truncate(pos);
        }
    }
    norm(&rest)
}

fn is_edition(seg: &str) -> bool {
    ["deluxe", "edition", "remaster", "remastered", "expanded", "anniversary", "bonus", "version", "special", "collector", "reissue", "mono", "stereo"]
        .iter()
        .any(|w| seg.split(' ').any(|x| x == *w))
        || seg.chars().all(|c| c.is_ascii_digit() || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<(String, String, String, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/collection/my_tracks.csv");
        let mut r = csv::Reader::from_path(path).expect("my_tracks.csv beside the repo");
        r.records().map(|x| x.unwrap()).map(|x| (x[1].to_string(), x[2].to_string(), x[3].to_string(), x[4].to_string())).collect()
    }

    fn title_of(id: &str) -> String {
        rows().into_iter().find(|r| r.2 == id).unwrap_or_else(|| panic!("{id} in my_tracks.csv")).3
    }

    /// Accents, case, curly apostrophes, `&`/`and` and a leading "The" normalise alike.
    #[test]
    fn accents_case_apostrophes_and_ampersands_fold_alike() {
        assert_eq!(norm("Déjà à L'Ecole"), norm("deja a l’ecole"));
        assert_eq!(norm("Earth, Wind & Fire"), "earth wind and fire");
        assert_eq!(norm("The Rebel"), "rebel");
        assert_eq!(norm("Don't Stop"), norm("Dont Stop"));
        assert_eq!(fold("Beyoncé"), "beyonce");
    }

    /// Discogs' ` (n)` suffixes and name-variation stars are dropped; a name ending in digits is not touched.
    #[test]
    fn discogs_suffixes_and_stars_are_stripped() {
        assert_eq!(discogs_clean("Nihil (5)"), "Nihil");
        assert_eq!(discogs_clean("Kraftwerk*"), "Kraftwerk");
        assert_eq!(discogs_clean("Blink-182"), "Blink-182");
        assert_eq!(discogs_clean("Area (3)*"), "Area");
        assert_eq!(Artist::parse("Nick Cave & The Bad Seeds").main, "nick cave and the bad seeds");
        assert_eq!(Artist::parse("The Doors").main, "doors");
    }

    /// On the real tracks, exactly the 815 "Various" tracks are flagged as compilations.
    #[test]
    fn various_is_flagged_on_the_real_compilations() {
        let rows = rows();
        let various = rows.iter().filter(|r| Artist::parse(&r.0).various).count();
        assert_eq!(various, 815, "README: Various covers 815 of the 5 347 tracks");
    }

    /// "feat." / "ft." credits are split off both artists and titles.
    #[test]
    fn featured_artists_are_split_off() {
        let a = Artist::parse("Jay-Z feat. Rihanna & Kanye West");
        assert_eq!(a.main, "jay z");
        assert_eq!(a.featured, ["rihanna", "kanye west"]);
        let t = Title::parse("Umbrella (feat. JAY-Z)");
        assert_eq!(t.core, "umbrella");
        assert_eq!(t.featured, ["jay z"]);
        assert_eq!(Title::parse("Lose Yourself ft. Someone").core, "lose yourself");
    }

    /// Real titles' version tags (live, remix with its remixer, remaster, edits) are recognised and stripped from the core.
    #[test]
    fn version_tags_of_real_titles() {
        // Real titles of my_tracks.csv.
        let t = Title::parse(&title_of("8395519_B1"));
        assert_eq!((t.core.as_str(), &t.version), ("rockall", &Version::Live));
        let t = Title::parse(&title_of("3315662_B2"));
        assert_eq!((t.core.as_str(), &t.version), ("hot n fun", &Version::Remix(Some("boys noize".into()))));
        let t = Title::parse(&title_of("2702574_A2"));
        assert_eq!((t.core.as_str(), &t.version), ("get down on it", &Version::Remix(Some("eiffel 65".into()))));
        let cases = [
            ("Get Down On It - Eiffel 65 Remix (Radio Edit)", "get down on it", Version::Remix(Some("eiffel 65".into()))),
            ("Get Down On It - Eiffel 65 Remix (Extended Mix)", "get down on it", Version::Remix(Some("eiffel 65".into()))),
            ("Roadpatrol - Original Mix", "roadpatrol", Version::Plain),
            ("Something (Boys Noize Remix)", "something", Version::Remix(Some("boys noize".into()))),
            ("Hey Jude - Remastered 2015", "hey jude", Version::Remaster),
            ("Hey Jude - 2015 Remaster", "hey jude", Version::Remaster),
            ("Song (Live)", "song", Version::Live),
            ("Song - Live at Wembley 1986", "song", Version::Live),
            ("Song (Instrumental Version)", "song", Version::Instrumental),
            ("Song (Radio Edit)", "song", Version::Edit),
            ("Song (Extended Version)", "song", Version::Extended),
            ("Song (Acoustic)", "song", Version::Acoustic),
            ("Song - Mono", "song", Version::Mono),
            ("Song (Demo)", "song", Version::Demo),
            ("Song - Single Version", "song", Version::Plain),
            ("Song (LP Version)", "song", Version::Plain),
            ("Song (Karaoke Version)", "song", Version::Karaoke),
            ("Seine Saint Denis Style (IV My People Remix A Cappella)", "seine saint denis style", Version::Instrumental),
            ("A Drug Score - Part 1 (Acid Spill)", "a drug score part 1 acid spill", Version::Plain),
            ("Intro - Mission", "intro mission", Version::Plain),
            ("Main Title Theme from \"Le Cube\"", "main title theme from le cube", Version::Plain),
        ];
        for (raw, core, version) in cases {
            let t = Title::parse(raw);
            assert_eq!((t.core.as_str(), &t.version), (core, &version), "{raw}");
        }
    }

    /// Several suffixes in any order leave the same core and version; search terms drop punctuation.
    #[test]
    fn suffixes_stack_in_any_order() {
        let t = Title::parse("Hot-N-Fun (Boys Noize Remix) - Remastered 2011");
        assert_eq!((t.core.as_str(), &t.version), ("hot n fun", &Version::Remix(Some("boys noize".into()))));
        let t = Title::parse("Riders On The Storm (feat. Someone Else) - 2011 Remaster");
        assert_eq!((t.core.as_str(), &t.version, t.featured.as_slice()), ("riders on the storm", &Version::Remaster, &["someone else".to_string()][..]));
        assert_eq!(search_terms("Nick Cave & The Bad Seeds"), "nick cave the bad seeds");
        assert_eq!(search_terms("Notorious B.I.G."), "notorious b i g");
    }

    /// No real title normalises to an empty core unless it had no letters to begin with.
    #[test]
    fn every_real_title_keeps_a_core() {
        for (_, _, id, title) in rows() {
            let t = Title::parse(&title);
            assert!(!t.core.is_empty() || fold(&title).is_empty(), "{id}: {title:?} → {t:?}");
        }
    }

    /// A remaster is the same recording (distance 0); live, other remixers and instrumentals are different ones (1).
    #[test]
    fn versions_of_one_recording_are_close_and_others_far() {
        assert_eq!(Version::Plain.distance(&Version::Remaster), 0.0);
        assert_eq!(Version::Plain.distance(&Version::Live), 1.0);
        assert_eq!(Version::Remix(Some("boys noize".into())).distance(&Version::Remix(Some("victor ruiz".into()))), 1.0);
        assert!(Version::Plain.distance(&Version::Edit) < 0.5);
        assert_eq!(Version::Instrumental.distance(&Version::Plain), 1.0);
    }

    /// Edition and remaster noise is dropped from album names before comparing.
    #[test]
    fn album_edition_noise_is_dropped() {
        assert_eq!(album_key("Discovery (Deluxe Edition)"), "discovery");
        assert_eq!(album_key("Abbey Road - Remastered 2009"), "abbey road");
        assert_eq!(album_key("Sky Is Clear / Kofea"), "sky is clear kofea");
        assert_eq!(album_key("The Wall [2011 Remaster]"), "wall");
    }
}

/// Whether a title says nothing on its own — a part of a work: `Part 1`, `Pt. II`, `Movement 3`,
/// `I`, `IV`, `2`, `b)`, `Intro`, `Outro`, `Interlude`, `Reprise`, `Untitled` — so a search needs
/// the index track's title before it ("My Kingdom Part 1").
pub fn generic_title(title: &str) -> bool {
    let words: Vec<String> = deunicode::deunicode(title)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    let numeral = |w: &str| w.chars().all(|c| c.is_ascii_digit()) || w.chars().all(|c| "ivxlc".contains(c)) || (w.len() == 1 && w.chars().all(|c| c.is_ascii_lowercase()));
    match words.as_slice() {
        [w] => numeral(w) || ["intro", "outro", "interlude", "reprise", "untitled", "prelude", "finale", "coda"].contains(&w.as_str()),
        [kind, n] => ["part", "pt", "movement", "mvt", "chapter", "section", "act", "scene", "side", "track"].contains(&kind.as_str()) && numeral(n),
        _ => false,
    }
}

#[cfg(test)]
mod generic_title_tests {
    use super::generic_title;

    /// Parts of a work say nothing alone; real titles do.
    #[test]
    fn parts_of_a_work_are_generic() {
        for t in ["Part 1", "Pt. II", "Movement 3", "IV", "2", "b)", "Intro", "Part V"] {
            assert!(generic_title(t), "{t}");
        }
        for t in ["My Kingdom", "Velours (Part 1)", "Part Of Me", "Intro To Life", "Time"] {
            assert!(!generic_title(t), "{t}");
        }
    }
}
