//! TEMPORARY stand-in for the lead's ingest module (branch `fetch` only; main's
//! `src/ingest/mod.rs` wins on merge): creates the raw tables so the fetch steps can be tested.

use crate::warehouse::step::{StepContext, StepOutput};

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("creating the raw tables: {0}")]
    Duck(#[from] duckdb::Error),
}

/// The raw tables' DDL (a copy of main's `sql/ingest/raw_tables.sql` at the time of the stub).
pub const RAW_TABLES: &str = include_str!("../../sql/ingest/raw_tables.sql");

pub fn ingest_step(ctx: &StepContext<'_>) -> Result<StepOutput, crate::Error> {
    ctx.conn.execute_batch(RAW_TABLES).map_err(IngestError::from)?;
    Ok(StepOutput::ok(0))
}
