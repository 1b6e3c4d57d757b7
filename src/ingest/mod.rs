//! TEMPORARY stand-in for the lead's ingest module (branch `cluster` only, dropped on merge).

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("not available in this branch")]
    Unavailable,
}
