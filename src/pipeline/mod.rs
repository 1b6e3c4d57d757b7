//! The build pipeline. For now only [`checks`]: the generic checks declared in `sql/schema.toml`.

pub mod checks;
