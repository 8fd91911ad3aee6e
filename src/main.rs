//! The `confab` binary: parse the command line and hand over to the library.
#![forbid(unsafe_code)]

use clap::Parser as _;

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
