//! What a stage says about a value of its configuration section that is out of range.
//!
//! Every stage validates its own section ([`Invalid`] names the key inside the section); the
//! configuration loader prefixes the section's name, so a person reads `cluster.k_min: …`.

/// A configuration value a stage cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct Invalid {
    /// The key inside the section (`k_min`, `weights.accept`).
    pub key: String,
    pub message: String,
}

impl Invalid {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid { key: key.into(), message: message.into() }
    }
}

/// `Err(Invalid)` unless `lo <= value <= hi`.
pub fn in_range<T: PartialOrd + std::fmt::Display>(key: &str, value: T, lo: T, hi: T) -> Result<(), Invalid> {
    if value < lo || value > hi {
        return Err(Invalid::new(key, format!("{value} is out of range ({lo} to {hi})")));
    }
    Ok(())
}
