//! Part and sequel markers: the words that make a title another piece of the same work
//! ("Part Two", "Pt. 2", "Reprise", "Interlude", "Skit", "Dub").
//!
//! A candidate whose title carries a marker the Discogs title lacks is another recording of
//! the same artist and album, not the track ("Shelter Of Your Love" is not "Shelter Of Your
//! Love Part Two"): the scorer gives it the version penalty. [`markers`] reads them from a
//! folded title; part numbers are normalised (`pt 2`, `part two`, `part ii` → `part 2`), so
//! "Part 1" against "Part 2" differs too.

/// The number a part marker names, from a digit or a number word (up to ten) or a Roman numeral.
fn part_number(word: &str) -> Option<u32> {
    if let Ok(n) = word.parse::<u32>() {
        return Some(n);
    }
    const WORDS: [&str; 10] = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    const ROMAN: [&str; 10] = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"];
    WORDS.iter().position(|w| *w == word).or_else(|| ROMAN.iter().position(|w| *w == word)).map(|i| i as u32 + 1)
}

/// The part and sequel markers of a title already folded ([`super::normalize::fold`]),
/// normalised and sorted: `["part 2"]`, `["interlude", "reprise"]`.
pub fn markers(folded: &str) -> Vec<String> {
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        match *w {
            "part" | "pt" | "pts" | "parts" => {
                if let Some(n) = words.get(i + 1).and_then(|n| part_number(n)) {
                    out.push(format!("part {n}"));
                }
            }
            "reprise" | "interlude" | "skit" | "dub" => out.push(w.to_string()),
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The markers `candidate` has and `discogs` lacks (both folded titles).
pub fn added_markers(discogs: &str, candidate: &str) -> Vec<String> {
    let mine = markers(discogs);
    markers(candidate).into_iter().filter(|m| !mine.contains(m)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::normalize::fold;

    /// Every marker the issue lists is read, part numbers in any spelling are one marker, and
    /// words that only look like one ("Part Of Me", "Dubai") are not.
    #[test]
    fn markers_of_titles() {
        let m = |t: &str| markers(&fold(t));
        assert_eq!(m("Shelter Of Your Love Part Two"), ["part 2"]);
        assert_eq!(m("Shelter Of Your Love, Pt. 2"), ["part 2"]);
        assert_eq!(m("Theme (Part II)"), ["part 2"]);
        assert_eq!(m("Theme - Reprise"), ["reprise"]);
        assert_eq!(m("Interlude"), ["interlude"]);
        assert_eq!(m("Skit #3"), ["skit"]);
        assert_eq!(m("Kingston Dub"), ["dub"]);
        assert!(m("Part Of Me").is_empty());
        assert!(m("Dubai Nights").is_empty());
        assert_eq!(added_markers(&fold("Song Part 1"), &fold("Song Pt. 2")), ["part 2"]);
        assert!(added_markers(&fold("Song (Reprise)"), &fold("Song - Reprise")).is_empty());
        assert!(added_markers(&fold("Song Part Two"), &fold("Song")).is_empty(), "a marker the candidate lacks is the title's own business");
    }
}
