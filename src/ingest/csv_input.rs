//! A CSV file split into records with physical line numbers, blank lines counted, and the
//! errors a file that cannot be read at all gets.
//!
//! The reader is ours (RFC 4180: `,` separates, `"` quotes, `""` is a quote inside quotes; a
//! quote inside an unquoted value is kept as it is) so that every physical line is accounted
//! for: a line is a header line, a line of a landed or quarantined record, or blank. Lines end
//! at `\n`, with or without `\r` before it, so LF and CRLF files give identical line numbers.
//!
//! A quoted value that runs over line ends is accepted only when that is plausible: at most
//! [`MAX_EMBEDDED_LINE_BREAKS`] line breaks, its record has the header's column count, and the
//! record after it does too. Otherwise the quote is taken for an unbalanced one that swallowed
//! the lines after it, and the file fails naming the line where the quote opened and the field.

use std::path::{Path, PathBuf};

use super::IngestError;
use super::formats::Header;

/// The most line breaks a quoted value may hold (a Discogs `Notes` paragraph) before its quote
/// is taken for one that never closed.
pub const MAX_EMBEDDED_LINE_BREAKS: u64 = 20;

/// A CSV file split into its header and records.
pub(super) struct CsvInput {
    pub(super) header: Header,
    /// The physical line the header starts on.
    pub(super) header_line: u64,
    /// Physical lines the header takes.
    pub(super) header_lines: u64,
    /// The records after the header, in file order.
    pub(super) records: Vec<Record>,
    /// Empty lines (outside quoted values), header's leading ones included.
    pub(super) blank_lines: u64,
    /// Every physical line of the file.
    pub(super) lines: u64,
}

/// One record: where it starts, how many lines it takes, its fields (held in one text, so a
/// record is two allocations whatever its width).
#[derive(Debug)]
pub(super) struct Record {
    /// Physical line (1-based) where the record starts.
    pub(super) line: u64,
    /// Physical lines it takes (more than one when a quoted value holds line breaks).
    pub(super) lines: u64,
    /// The fields one after the other; field `i` ends at `ends[i]`.
    text: String,
    ends: Vec<usize>,
    /// Why the record cannot be used as it is (not UTF-8).
    pub(super) problem: Option<String>,
}

impl Record {
    /// How many fields the record has.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`, if the record has it.
    pub(super) fn field(&self, i: usize) -> Option<&str> {
        span(&self.ends, i).map(|r| &self.text[r])
    }

    /// The fields in order.
    pub(super) fn fields(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.field(i))
    }

    /// The record as one text for `quarantine.raw`.
    pub(super) fn raw(&self) -> String {
        self.fields().collect::<Vec<_>>().join(",")
    }
}

/// Where field `i` lies in a record's text, given where each field ends.
fn span(ends: &[usize], i: usize) -> Option<std::ops::Range<usize>> {
    let end = *ends.get(i)?;
    Some(if i == 0 { 0 } else { ends[i - 1] }..end)
}

/// One record as split, before its text is decoded: the fields' bytes one after the other,
/// field `i` ending at `ends[i]`.
struct Split {
    line: u64,
    lines: u64,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// The first quoted value holding line breaks: (field index, line it opened on, breaks).
    multiline: Option<(usize, u64, u64)>,
}

impl Split {
    fn field(&self, i: usize) -> Option<&[u8]> {
        span(&self.ends, i).map(|r| &self.bytes[r])
    }

    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.ends.len()).filter_map(|i| self.field(i))
    }

    /// The record with its text decoded; a field that is not UTF-8 is named in `problem`
    /// and decoded lossily.
    fn decode(self, field_name: impl Fn(usize) -> String) -> Record {
        let (line, lines) = (self.line, self.lines);
        // Field by field: two invalid halves of a character on each side of a separator make
        // valid UTF-8 together, but neither field is.
        let bad = self.fields().position(|f| std::str::from_utf8(f).is_err());
        match bad {
            None => {
                let text = String::from_utf8(self.bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                Record { line, lines, text, ends: self.ends, problem: None }
            }
            Some(first) => {
                let mut text = String::with_capacity(self.bytes.len());
                let mut ends = Vec::with_capacity(self.ends.len());
                for f in self.fields() {
                    text.push_str(&String::from_utf8_lossy(f));
                    ends.push(text.len());
                }
                Record { line, lines, text, ends, problem: Some(format!("field `{}` is not valid UTF-8", field_name(first))) }
            }
        }
    }
}

/// A quote that opens and never closes: (field index, line it opened on).
struct Unclosed(usize, u64);

impl CsvInput {
    pub(super) fn open(path: &Path) -> Result<CsvInput, IngestError> {
        let bytes = std::fs::read(path).map_err(|source| IngestError::Io { path: path.to_path_buf(), source })?;
        CsvInput::parse(path, &bytes)
    }

    /// Splits `bytes` (the content of `path`) into header and records.
    pub(super) fn parse(path: &Path, bytes: &[u8]) -> Result<CsvInput, IngestError> {
        let lines = physical_lines(bytes);
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let (mut splits, blank_lines) = match split(body) {
            Ok(v) => v,
            Err((Unclosed(i, line), splits)) => {
                let field = splits.first().and_then(|h| h.field(i)).map(header_name).unwrap_or_default();
                let field = if splits.is_empty() || field.is_empty() { format!("column {}", i + 1) } else { field };
                return Err(IngestError::UnbalancedQuote { path: path.to_path_buf(), line, field });
            }
        };
        if splits.is_empty() {
            return Err(IngestError::Empty { path: path.to_path_buf(), line: lines.max(1) });
        }
        let head = splits.remove(0);
        let mut names = Vec::with_capacity(head.ends.len());
        for f in head.fields() {
            match std::str::from_utf8(f) {
                Ok(_) => names.push(header_name(f)),
                Err(_) => return Err(csv_error(path, head.line, "the header row is not valid UTF-8".into())),
            }
        }
        if names.iter().all(|n| n.is_empty()) {
            return Err(IngestError::Empty { path: path.to_path_buf(), line: head.line });
        }
        let mut seen = std::collections::HashMap::new();
        for (i, n) in names.iter().enumerate() {
            if n.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert(n.to_lowercase(), i) {
                return Err(IngestError::DuplicateColumn { path: path.to_path_buf(), line: head.line, column: n.clone(), first: first + 1, second: i + 1 });
            }
        }
        let width = names.len();
        let field_name = |i: usize| names.get(i).filter(|n| !n.is_empty()).cloned().unwrap_or_else(|| format!("column {}", i + 1));
        for (k, s) in std::iter::once(&head).chain(splits.iter()).enumerate() {
            if let Some((i, opened, breaks)) = s.multiline {
                let next_ok = splits.get(k).is_none_or(|next| next.ends.len() == width);
                let own_ok = k == 0 || s.ends.len() == width;
                if breaks > MAX_EMBEDDED_LINE_BREAKS || !own_ok || !next_ok {
                    return Err(IngestError::UnbalancedQuote { path: path.to_path_buf(), line: opened, field: field_name(i) });
                }
            }
        }
        let (header_line, header_lines) = (head.line, head.lines);
        let records = splits.into_iter().map(|s| s.decode(&field_name)).collect();
        Ok(CsvInput { header: Header::new(names), header_line, header_lines, records, blank_lines, lines })
    }
}

/// A header name: BOM, surrounding whitespace (Exportify writes tabs before `Danceability`) removed.
fn header_name(f: &[u8]) -> String {
    String::from_utf8_lossy(f).trim_start_matches('\u{feff}').trim().to_string()
}

/// Lines as `wc -l` counts them, plus a last line without its line end.
pub(super) fn physical_lines(bytes: &[u8]) -> u64 {
    let breaks = bytes.iter().filter(|b| **b == b'\n').count() as u64;
    breaks + u64::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

/// Splits into records and counts blank lines; on a quote that never closes, the error and the
/// records split so far (the header among them, to name the field).
#[allow(clippy::type_complexity)]
fn split(bytes: &[u8]) -> Result<(Vec<Split>, u64), (Unclosed, Vec<Split>)> {
    let n = bytes.len();
    let mut pos = 0;
    let mut line = 1u64;
    let mut blank = 0u64;
    let mut out = Vec::new();
    // A line end at `pos`: its length (`\n` or `\r\n`; a `\r` at the end of the file), else 0.
    let line_end = |pos: usize| -> usize {
        match bytes.get(pos) {
            Some(b'\n') => 1,
            Some(b'\r') if pos + 1 == n => 1,
            Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => 2,
            _ => 0,
        }
    };
    while pos < n {
        let end = line_end(pos);
        if end > 0 {
            blank += 1;
            pos += end;
            line += 1;
            continue;
        }
        let start = line;
        let mut cur = Vec::new();
        let mut ends = Vec::new();
        let mut multiline = None;
        loop {
            if bytes.get(pos) == Some(&b'"') {
                let opened = line;
                let mut breaks = 0;
                pos += 1;
                // Up to the next quote at once: a closing one, or the first of `""`.
                loop {
                    let Some(q) = bytes[pos..].iter().position(|&b| b == b'"') else {
                        return Err((Unclosed(ends.len(), opened), out));
                    };
                    let chunk = &bytes[pos..pos + q];
                    let nl = chunk.iter().filter(|&&b| b == b'\n').count() as u64;
                    line += nl;
                    breaks += nl;
                    cur.extend_from_slice(chunk);
                    pos += q;
                    if bytes.get(pos + 1) == Some(&b'"') {
                        cur.push(b'"');
                        pos += 2;
                    } else {
                        pos += 1;
                        break;
                    }
                }
                if breaks > 0 && multiline.is_none() {
                    multiline = Some((ends.len(), opened, breaks));
                }
            }
            // Unquoted text (or what follows a closing quote) up to the separator or line end.
            // A `\r` that ends no line is part of the value.
            loop {
                let stop = bytes[pos..].iter().position(|&b| matches!(b, b',' | b'\n' | b'\r')).map_or(n, |i| pos + i);
                cur.extend_from_slice(&bytes[pos..stop]);
                pos = stop;
                if pos < n && bytes[pos] == b'\r' && line_end(pos) == 0 {
                    cur.push(b'\r');
                    pos += 1;
                    continue;
                }
                break;
            }
            ends.push(cur.len());
            if pos < n && bytes[pos] == b',' {
                pos += 1;
                continue;
            }
            let end = line_end(pos);
            let lines = line - start + 1;
            pos += end;
            if end > 0 && bytes[pos - 1] == b'\n' {
                line += 1;
            }
            out.push(Split { line: start, lines, bytes: cur, ends, multiline });
            break;
        }
    }
    Ok((out, blank))
}

fn csv_error(path: &Path, line: u64, message: String) -> IngestError {
    IngestError::Csv { path: PathBuf::from(path), line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8]) -> Result<CsvInput, IngestError> {
        CsvInput::parse(Path::new("f.csv"), text)
    }

    fn lines_of(c: &CsvInput) -> Vec<(u64, u64, Vec<String>)> {
        c.records.iter().map(|r| (r.line, r.lines, r.fields().map(String::from).collect())).collect()
    }

    /// Proves: LF and CRLF files give the same records at the same physical lines, blank lines included.
    #[test]
    fn crlf_and_lf_give_the_same_physical_lines() {
        let lf = parse(b"a,b\n1,2\n\n3,\"x\ny\"\n4,5").unwrap();
        let crlf = parse(b"a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n4,5\r\n").unwrap();
        assert_eq!(lines_of(&lf)[..2], [(2, 1, vec!["1".into(), "2".into()]), (4, 2, vec!["3".into(), "x\ny".into()])]);
        assert_eq!(lines_of(&crlf)[1], (4, 2, vec!["3".into(), "x\r\ny".into()]));
        for c in [&lf, &crlf] {
            assert_eq!(c.records[2].line, 6);
            assert_eq!((c.lines, c.header_lines, c.blank_lines), (6, 1, 1));
        }
    }

    /// Proves: a quote that opens and swallows the lines after it fails naming the line and field.
    #[test]
    fn a_quote_swallowing_lines_fails_naming_line_and_field() {
        let mut text = String::from("id,title,year\n1,ok,2000\n2,\"broken,2001\n");
        for i in 3..50 {
            text.push_str(&format!("{i},t{i},2002\n"));
        }
        text.push_str("50,\"closes\",2003\n");
        let e = parse(text.as_bytes()).err().unwrap().to_string();
        assert!(e.starts_with("f.csv:3: field `title`: unbalanced quote"), "{e}");
        let e = parse(b"id,title\n1,\"never closes\n2,x\n").err().unwrap().to_string();
        assert!(e.starts_with("f.csv:2: field `title`"), "{e}");
    }

    /// Proves: `""` is a quote, a quote inside an unquoted value is kept, a BOM and the header's
    /// surrounding whitespace are dropped, a repeated header column is refused.
    #[test]
    fn quoting_rules_and_header_names() {
        let c = parse(b"\xEF\xBB\xBF id ,\t\t\t\tDanceability\n\"a \"\"b\"\"\",c\"d\n").unwrap();
        assert_eq!(c.header.names, ["id", "Danceability"]);
        assert_eq!(c.records[0].fields().collect::<Vec<_>>(), ["a \"b\"", "c\"d"]);
        // A character's two bytes on each side of a separator: valid together, neither field is.
        let c = parse(b"a,b\n\xC8,\xA3-1\n").unwrap();
        assert_eq!(c.records[0].problem.as_deref(), Some("field `a` is not valid UTF-8"));
        let e = parse(b"id,Title,title\n1,2,3\n").err().unwrap().to_string();
        assert_eq!(e, "f.csv:1: the header names column `title` twice (columns 2 and 3): the second's values would be ignored");
    }
}
