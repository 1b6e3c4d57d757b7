//! TEMPORARY STUB (deliver branch): the lead's ingest module replaces this file on merge.

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("ingest is not available in this build")]
    Unavailable,
}
