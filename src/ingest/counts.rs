//! What a load did, line by line: every physical line of a file is a header line, a line of a
//! landed or a quarantined record, or blank — and the four add up to the file's lines.

/// What one load (or all of a build's loads) did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LoadCounts {
    /// Physical lines of the file(s).
    pub lines: u64,
    pub header_lines: u64,
    /// Lines of records that landed in a raw table.
    pub landed_lines: u64,
    /// Lines of records that went to `quarantine`.
    pub quarantined_lines: u64,
    pub blank_lines: u64,
    /// Raw rows appended (a tracklist record lands one row per entry).
    pub rows: u64,
    /// Records quarantined (one `quarantine` row each).
    pub quarantined: u64,
}

impl LoadCounts {
    /// One record of `lines` lines quarantined.
    pub fn quarantine(&mut self, lines: u64) {
        self.quarantined += 1;
        self.quarantined_lines += lines;
    }

    /// header + landed + quarantined + blank = lines.
    pub fn accounted(&self) -> bool {
        self.header_lines + self.landed_lines + self.quarantined_lines + self.blank_lines == self.lines
    }

    /// `1234 lines = 4 header + 1200 landed + 2 quarantined + 28 blank`.
    pub fn lines_note(&self) -> String {
        format!(
            "{} lines = {} header + {} landed + {} quarantined + {} blank",
            self.lines, self.header_lines, self.landed_lines, self.quarantined_lines, self.blank_lines
        )
    }
}

impl std::ops::AddAssign for LoadCounts {
    fn add_assign(&mut self, o: LoadCounts) {
        self.lines += o.lines;
        self.header_lines += o.header_lines;
        self.landed_lines += o.landed_lines;
        self.quarantined_lines += o.quarantined_lines;
        self.blank_lines += o.blank_lines;
        self.rows += o.rows;
        self.quarantined += o.quarantined;
    }
}
