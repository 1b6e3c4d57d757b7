//! Parser for the `tracklist` column of `collection_tracks.csv`: the Python `repr` of a list of
//! Discogs client `Track` objects, e.g.
//! `[<Track 'A1' 'Title'>, <Track 'B3' "Déjà à L'Ecole">, <Track '' 'Disque 2'>]`.
//!
//! Python writes a string in single quotes unless it contains `'` and no `"`, in which case it
//! uses double quotes; inside, `\\`, `\'`, `\t`, `\n`, `\xhh`, `\uhhhh`… are escaped. The original
//! project's regex only knew single quotes and lost 730 tracks; this parser reads both forms and
//! every escape, and fails with the byte offset of anything it does not understand.

/// One `<Track 'position' 'title'>` entry, in list order. An empty position is a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReprTrack {
    pub position: String,
    pub title: String,
}

/// Where and why a tracklist could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {offset}: {message}")]
pub struct ReprError {
    pub offset: usize,
    pub message: String,
}

/// Parses a whole tracklist repr. An empty string or `[]` is an empty tracklist.
pub fn parse_tracklist(text: &str) -> Result<Vec<ReprTrack>, ReprError> {
    let mut p = Parser { chars: text.char_indices().collect(), i: 0 };
    p.ws();
    if p.at_end() {
        return Ok(Vec::new());
    }
    p.expect('[')?;
    let mut tracks = Vec::new();
    p.ws();
    if p.peek() == Some(']') {
        p.i += 1;
    } else {
        loop {
            p.ws();
            tracks.push(p.track()?);
            p.ws();
            match p.next() {
                Some(',') => continue,
                Some(']') => break,
                Some(c) => return Err(p.err_prev(format!("expected ',' or ']' after a track, found {c:?}"))),
                None => return Err(p.err("the list is not closed with ']'")),
            }
        }
    }
    p.ws();
    if !p.at_end() {
        return Err(p.err("unexpected text after the closing ']'"));
    }
    Ok(tracks)
}

struct Parser {
    chars: Vec<(usize, char)>,
    i: usize,
}

impl Parser {
    fn at_end(&self) -> bool {
        self.i >= self.chars.len()
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).map(|&(_, c)| c)
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.i += 1;
        }
        c
    }
    fn offset(&self) -> usize {
        self.i
    }
    fn err(&self, message: impl Into<String>) -> ReprError {
        ReprError { offset: self.offset(), message: message.into() }
    }
    fn err_prev(&self, message: impl Into<String>) -> ReprError {
        ReprError { offset: self.offset().saturating_sub(1), message: message.into() }
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(c) if c.is_whitespace()) {
            self.i += 1;
        }
    }
    fn expect(&mut self, want: char) -> Result<(), ReprError> {
        match self.next() {
            Some(c) if c == want => Ok(()),
            Some(c) => Err(self.err_prev(format!("expected {want:?}, found {c:?}"))),
            None => Err(self.err(format!("expected {want:?}, found the end of the text"))),
        }
    }
    fn keyword(&mut self, word: &str) -> Result<(), ReprError> {
        for want in word.chars() {
            self.expect(want)?;
        }
        Ok(())
    }
    fn track(&mut self) -> Result<ReprTrack, ReprError> {
        self.keyword("<Track")?;
        self.ws();
        let position = self.string()?;
        self.ws();
        let title = self.string()?;
        self.ws();
        self.expect('>')?;
        Ok(ReprTrack { position, title })
    }

    /// A Python string literal in single or double quotes.
    fn string(&mut self) -> Result<String, ReprError> {
        let quote = match self.next() {
            Some(q @ ('\'' | '"')) => q,
            Some(c) => return Err(self.err_prev(format!("expected a quoted string, found {c:?}"))),
            None => return Err(self.err("expected a quoted string, found the end of the text")),
        };
        let start = self.offset();
        let mut out = String::new();
        loop {
            match self.next() {
                None => {
                    return Err(ReprError { offset: start - 1, message: format!("string opened with {quote} is never closed") });
                }
                Some(c) if c == quote => return Ok(out),
                Some('\\') => out.push(self.escape()?),
                Some(c) => out.push(c),
            }
        }
    }

    fn escape(&mut self) -> Result<char, ReprError> {
        let c = self.next().ok_or_else(|| self.err("a backslash ends the text"))?;
        Ok(match c {
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'a' => '\u{07}',
            'b' => '\u{08}',
            'f' => '\u{0c}',
            'v' => '\u{0b}',
            '0' => '\0',
            'x' => self.hex(2)?,
            'u' => self.hex(4)?,
            'U' => self.hex(8)?,
            other => return Err(self.err_prev(format!("unknown escape \\{other}"))),
        })
    }

    fn hex(&mut self, digits: usize) -> Result<char, ReprError> {
        let mut value = 0u32;
        for _ in 0..digits {
            let c = self.next().ok_or_else(|| self.err("a hex escape ends the text"))?;
            let d = c.to_digit(16).ok_or_else(|| self.err_prev(format!("{c:?} is not a hex digit")))?;
            value = value * 16 + d;
        }
        char::from_u32(value).ok_or_else(|| self.err(format!("\\u{value:x} is not a character")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(position: &str, title: &str) -> ReprTrack {
        ReprTrack { position: position.into(), title: title.into() }
    }

    /// Both repr quote styles are read (a title with an apostrophe comes double-quoted).
    #[test]
    fn single_and_double_quoted_titles() {
        let got = parse_tracklist(r#"[<Track 'A1' 'Falling, Catching'>, <Track 'B3' "Déjà à L'Ecole">]"#).unwrap();
        assert_eq!(got, vec![t("A1", "Falling, Catching"), t("B3", "Déjà à L'Ecole")]);
    }

    /// Release 8310253 and others: `\'` inside single quotes, `\t` escapes, `"` inside single quotes.
    #[test]
    fn python_escapes() {
        let got = parse_tracklist(r#"[<Track 'A1' 'Siegfried\'s Funeral March From "Gotterdämmerung"'>, <Track 'B2' '\t Promise Land'>, <Track 'C' '\xe9\u00e8'>]"#).unwrap();
        assert_eq!(got[0].title, "Siegfried's Funeral March From \"Gotterdämmerung\"");
        assert_eq!(got[1].title, "\t Promise Land");
        assert_eq!(got[2].title, "éè");
    }

    /// Headings are read as entries with an empty position.
    #[test]
    fn headings_have_empty_positions() {
        let got = parse_tracklist("[<Track '' 'Disque 1'>, <Track 'A1' 'Cassius 1999'>]").unwrap();
        assert_eq!(got, vec![t("", "Disque 1"), t("A1", "Cassius 1999")]);
    }

    /// An empty cell and `[]` are both an empty tracklist.
    #[test]
    fn empty_lists() {
        assert!(parse_tracklist("").unwrap().is_empty());
        assert!(parse_tracklist("[]").unwrap().is_empty());
    }

    /// Parse errors give the offset and what was expected.
    #[test]
    fn errors_say_where() {
        let e = parse_tracklist("[<Track 'A1' 'never closed>]").unwrap_err();
        assert_eq!(e.offset, 13);
        assert!(e.message.contains("never closed"), "{e}");
        let e = parse_tracklist("[<Track 'A1' 'x'> <Track 'A2' 'y'>]").unwrap_err();
        assert!(e.message.contains("expected ',' or ']'"), "{e}");
        let e = parse_tracklist("[<Track 'A1' 'x'>, <Trick 'A2' 'y'>]").unwrap_err();
        assert!(e.message.contains("expected"), "{e}");
    }

    /// The trap of the real data: 6 349 Track objects, 6 248 with a position, where the
    /// original regex kept 5 518.
    #[test]
    fn real_collection_tracks_lose_nothing() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/collection/collection_tracks.csv");
        let mut rdr = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path} (the original data, beside the clone): {e}"));
        let (mut all, mut positioned) = (0, 0);
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let tracks = parse_tracklist(&rec[3]).unwrap_or_else(|e| panic!("release {}: {e}", &rec[0]));
            all += tracks.len();
            positioned += tracks.iter().filter(|t| !t.position.is_empty()).count();
        }
        assert_eq!((all, positioned), (6349, 6248));
    }
}
