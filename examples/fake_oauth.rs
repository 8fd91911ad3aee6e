//! A standalone fake OAuth provider (Kakao, GitHub and Google under `/kakao`, `/github`,
//! `/google`) for the browser tests and manual runs:
//! `cargo run --example fake_oauth -- --port 0 --subject 1 --email me@example.com`.
//! Point confab at it with `CONFAB_GITHUB_AUTHORIZE_URL=<base>/github/authorize` (and the
//! token and user-info URLs), client id `fake-client-id`, secret `fake-client-secret-5ec7e7`.

#[path = "../tests/support/fake_oauth.rs"]
mod fake_oauth;

use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use fake_oauth::{FakeOAuth, Identity};

/// Fake OAuth 2.0 provider: authorize, token (PKCE checked), user info.
#[derive(Debug, Parser)]
#[command(name = "fake_oauth")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one (printed on startup).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The provider's id for the person who signs in (every provider).
    #[arg(long, default_value = "424242")]
    subject: String,
    /// Their email, reported as verified.
    #[arg(long)]
    email: Option<String>,
    /// Their name (the new account's username starts from it).
    #[arg(long, default_value = "octo-e2e")]
    name: String,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let fake = FakeOAuth::start_on(SocketAddr::new(args.host, args.port)).await?;
    for provider in ["kakao", "github", "google"] {
        fake.set_identity(
            provider,
            Identity::new(&args.subject, args.email.as_deref(), true, &args.name),
        );
    }
    println!("fake oauth listening on {}", fake.base_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
