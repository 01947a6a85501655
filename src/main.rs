//! The `certdesk` binary: every subcommand runs headless through the CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    certdesk::cli::run(std::env::args_os())
}
