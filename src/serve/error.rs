//! The errors of `selecta serve`: starting it, and refusing a request.

use std::path::PathBuf;

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("port {port} on 127.0.0.1 is taken (another `selecta serve`?): choose another with --port N, or --port 0 for any free one")]
    PortTaken { port: u16 },
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
    #[error("{path}: {message}")]
    Decision { path: PathBuf, message: String },
}
