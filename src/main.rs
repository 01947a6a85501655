//! The `certdesk` binary: every subcommand runs headless through the CLI.

use std::process::ExitCode;

/// mimalloc: a list or an import of 100,000 certificates makes millions of small
/// allocations (each summary's strings), where glibc's allocator spends a fifth of the time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    certdesk::cli::run(std::env::args_os())
}
