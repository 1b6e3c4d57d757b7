//! The `selecta` binary: parse the command line, run it, map the result to an exit code.

use std::process::ExitCode;

/// mimalloc, for DuckDB's C++ as well (see build.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match selecta::cli::run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
