//! `scry`: the command-line entry point. The only crate that prints,
//! installs a tracing subscriber, exits the process or uses `anyhow`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[allow(unsafe_code)]
mod alloc;
mod cli;
mod cmd;
mod open;
mod out;

use std::process::ExitCode;

use clap::Parser;

// The store's write path allocates many short-lived keys; mimalloc cuts the
// allocator's share of ingest CPU time (measured with perf, see ARCHITECTURE.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let filter = match (cli.verbose, cli.quiet) {
        (_, true) => "error",
        (0, _) => "warn",
        (1, _) => "info",
        _ => "debug",
    };
    let env = tracing_subscriber::EnvFilter::try_from_env("SCRY_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    tracing_subscriber::fmt()
        .with_env_filter(env)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    if matches!(cli.command, cli::Command::Serve(_)) {
        // mimalloc asks for transparent huge pages for its arenas: a
        // query whose allocation first touches a fresh 2 MiB page waits
        // while the kernel zeroes all of it (perf: `clear_page_erms` under
        // `do_huge_pmd_anonymous_page`; the store bench's costliest small
        // profiles took 6-9 ms of CPU against a median of ~150 µs, 0.3-0.4
        // ms with 4 KiB pages). The facts load keeps them: its sorts touch
        // large buffers at random (a 10 M-fact load took 66 s of CPU with
        // 4 KiB pages against 47 s, one run each on a loaded machine); the
        // zone and pDNS loads turn them off (`cmd::ingest`).
        alloc::no_transparent_huge_pages();
    }
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
