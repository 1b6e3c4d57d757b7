//! `selecta init [--discogs-user NAME] [--music DIR] [FOLDER]`: a new project folder — a
//! commented `selecta.toml` with every section and its defaults, and a `.env.example` naming each
//! secret, where to create it and what works without it. An existing file is never overwritten.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::output;

/// `selecta init`
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Your Discogs username: `selecta build` then fetches your collection.
    #[arg(long)]
    pub discogs_user: Option<String>,
    /// The folder of your music files, noted for audio analysis.
    #[arg(long)]
    pub music: Option<PathBuf>,
    /// The project folder (created if needed). Default: the current folder.
    #[arg(default_value = ".")]
    pub folder: PathBuf,
}

const CONFIG_TEMPLATE: &str = include_str!("init/selecta.toml");
const ENV_TEMPLATE: &str = include_str!("init/env.example");

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The configuration `init` writes.
pub fn config_text(discogs_user: Option<&str>, music: Option<&Path>) -> String {
    let user = match discogs_user {
        Some(u) => format!("user = {}", toml_string(u)),
        None => "# user = \"your-discogs-username\"   (set it, and the build fetches your collection)".to_string(),
    };
    let music = match music {
        Some(m) => format!(
            "\n# Your music files, for audio analysis (a stage this version does not run yet):\n# [analysis]\n# music = {}\n",
            toml_string(&m.display().to_string())
        ),
        None => String::new(),
    };
    CONFIG_TEMPLATE.replace("{discogs_user}", &user).replace("{music}", &music)
}

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.folder).with_context(|| format!("creating {}", args.folder.display()))?;
    let config = args.folder.join("selecta.toml");
    let env = args.folder.join(".env.example");
    let existing: Vec<&PathBuf> = [&config, &env].into_iter().filter(|p| p.exists()).collect();
    if !existing.is_empty() {
        let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
        output::problem(&format!("{} already exists; selecta init never overwrites a file (move it away, or edit it)", names.join(" and ")));
        return Ok(ExitCode::FAILURE);
    }
    let text = config_text(args.discogs_user.as_deref(), args.music.as_deref());
    std::fs::write(&config, text).with_context(|| format!("writing {}", config.display()))?;
    std::fs::write(&env, ENV_TEMPLATE).with_context(|| format!("writing {}", env.display()))?;
    output::initialized(&mut std::io::stdout().lock(), &config, &env, args.discogs_user.is_some())?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `init` writes loads as a configuration: the user's collection as an input, matching
    /// implied, ReccoBeats on, every default as documented.
    #[test]
    fn the_written_config_loads_with_its_defaults() {
        let text = config_text(Some("k\"ab"), Some(Path::new("/music")));
        let c = crate::config::Config::from_toml(Path::new("p/selecta.toml"), &text).unwrap();
        assert_eq!(c.discogs.user.as_deref(), Some("k\"ab"));
        assert!(c.discogs.input && c.reccobeats.input && c.matching.is_some() && c.cluster.enabled);
        assert_eq!(c.warehouse, PathBuf::from("p/selecta.duckdb"));
        assert!(text.contains("# music = \"/music\""));
        let c = crate::config::Config::from_toml(Path::new("selecta.toml"), &config_text(None, None)).unwrap();
        assert!(!c.discogs.input && c.matching.is_some() && c.reccobeats.input);
    }
}
