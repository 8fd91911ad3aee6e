//! The `confab` binary: parse the command line and hand over to the library.
#![forbid(unsafe_code)]

use clap::Parser as _;

// jemalloc rather than glibc's malloc: with thousands of answers streaming at once, memory
// freed on one worker thread's arena sat unused while another's grew (peak RSS at 10,000
// streams 450-520 MiB with glibc, 400-410 MiB with jemalloc, in bench/run's S4), and jemalloc
// returns what it freed to the system after a busy spell.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = confab::cli::Cli::parse();
    match confab::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("confab: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
