//! The build: [`plan`] composes the stages' steps and the SQL files of `sql/` into the ordered
//! list a configuration asks for; [`runner`] runs them on a side file, records each step in the
//! state database's `run_log`, and swaps the side file in only when every step and check passed.
//!
//! This is the top of the house with `config` and `cli`: it may use every stage, and no stage
//! knows it exists.

pub mod analysis_scorer;
pub mod deps;
pub mod interrupt;
pub mod lock;
pub mod plan;
pub mod runner;
pub mod schedule;

pub use runner::{BuildObserver, BuildOptions, BuildOutcome, PipelineError, StepRecord, build, build_with, side_path};
