//! `selecta cluster`: recompute the cluster tables of the existing warehouse, print a summary.

use std::process::ExitCode;

use super::{Ui, output};
use crate::cluster::{Algorithm, KSetting};
use crate::config::Config;

/// `selecta cluster [--k N|auto] [--seed S] [--n-init N] [--algorithm A]`
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ClusterArgs {
    /// Number of clusters, or `auto` to choose over the configured range [default: config, 8].
    #[arg(long)]
    pub k: Option<KSetting>,
    /// Seed of the k-means++ initialisations [default: config, 42].
    #[arg(long)]
    pub seed: Option<u64>,
    /// KMeans restarts, the lowest inertia kept [default: config, 10].
    #[arg(long)]
    pub n_init: Option<usize>,
    /// KMeans engine: native, hybrid or smartcore [default: config, native].
    #[arg(long, value_parser = super::enum_arg::<Algorithm>)]
    pub algorithm: Option<Algorithm>,
}

pub fn run(config: &Config, ui: &Ui, args: &ClusterArgs) -> anyhow::Result<ExitCode> {
    let mut c = crate::pipeline::plan::cluster_config(config);
    if let Some(k) = args.k {
        c.k = k;
    }
    if let Some(s) = args.seed {
        c.seed = s;
    }
    if let Some(n) = args.n_init {
        c.n_init = n;
    }
    if let Some(a) = args.algorithm {
        c.algorithm = a;
    }
    c.validate().map_err(crate::cluster::ClusterError::from)?;
    let conn = crate::db::open_read_write(&config.warehouse)?;
    let out = crate::cluster::run(&conn, &c, ui.progress)?;
    let run_id = format!("cluster-{}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    crate::cluster::write_tables(&conn, &out, &c, &run_id)?;
    crate::playlists::order_playlists(&conn, &config.playlists)?;
    output::clustering(&mut std::io::stdout().lock(), &out, &c)?;
    Ok(ExitCode::SUCCESS)
}
