//! TEMPORARY STUB (matching branch): the lead's `ingest` module replaces this on merge.

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("ingest is not available in this branch")]
    Unavailable,
}
