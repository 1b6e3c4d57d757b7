//! Link arguments of the `selecta` binary and the benches.
//!
//! They take their allocator from mimalloc (`#[global_allocator]` plus the crate's `override`
//! feature, which defines `malloc`, `free` and the rest). Statically linked, those functions are
//! not put in the executable's dynamic symbol table, so libstdc++ (DuckDB's `operator new`) and
//! libc (what `realpath` or `backtrace_symbols` return for the caller to free) would go on
//! calling glibc's allocator, and a block could be freed by the other one. Exporting them makes every allocation of the process
//! mimalloc's, as an `LD_PRELOAD` of it would. Linux only (on macOS the crate interposes through
//! malloc zones).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    for sym in ["malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size", "strdup", "strndup"] {
        println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol={sym}");
        println!("cargo:rustc-link-arg-benches=-Wl,--export-dynamic-symbol={sym}");
    }
}
