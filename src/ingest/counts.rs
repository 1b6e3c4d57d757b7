//! What a load did: rows landed and rows quarantined.

/// What one load did.
#[derive(Debug, Default, Clone, Copy)]
pub struct LoadCounts {
    pub rows: u64,
    pub quarantined: u64,
}

impl std::ops::AddAssign for LoadCounts {
    fn add_assign(&mut self, o: LoadCounts) {
        self.rows += o.rows;
        self.quarantined += o.quarantined;
    }
}

