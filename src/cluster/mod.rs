//! Clustering (placeholder until the cluster stage lands: disabled, and `selecta cluster` says so).

use std::process::ExitCode;

use serde::Deserialize;

use crate::config::Config;
use crate::warehouse::Ui;
use crate::warehouse::step::{StepContext, StepOutput};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    #[serde(default)]
    pub enabled: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("clustering is not available in this build")]
    Unavailable,
}

#[derive(Debug, clap::Args)]
pub struct ClusterArgs {}

pub fn cluster_step(_ctx: &StepContext<'_>) -> Result<StepOutput, crate::Error> {
    Ok(StepOutput::skip("clustering is not available in this build"))
}

pub fn cluster_command(_config: &Config, _ui: &Ui, _args: &ClusterArgs) -> anyhow::Result<ExitCode> {
    Err(ClusterError::Unavailable.into())
}
