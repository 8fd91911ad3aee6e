//! The command line: `serve` (the default), `migrate`, `backup`, `restore`, `user …` and
//! `config check`.

use std::io::BufRead as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::app::Application;
use crate::auth::input::{Email, Username};
use crate::auth::repo::{self, Role};
use crate::config::Config;
use crate::db::{Db, DbOptions};

/// confab: a self-hosted AI assistant service.
#[derive(Debug, Parser)]
#[command(name = "confab", version, about)]
pub struct Cli {
    /// TOML configuration file (default: $CONFAB_CONFIG, else ./confab.toml if present).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and web UI (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Copy the SQLite database to PATH while the server keeps serving (PostgreSQL: explains
    /// pg_dump).
    Backup {
        /// Where to write the copy (a new file).
        path: PathBuf,
    },
    /// Exit 0 when the server on CONFAB_LISTEN answers /readyz (for container health checks).
    Healthcheck,
    /// Replace the SQLite database with a backup (the server must be stopped).
    Restore {
        /// The backup to restore.
        path: PathBuf,
        /// Replace a database that already has accounts.
        #[arg(long)]
        force: bool,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        email: String,
        #[arg(long)]
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long, value_enum, default_value_t = RoleArg::Member)]
        role: RoleArg,
    },
    /// Change an account's role.
    Promote {
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Deactivate an account and end all its sessions.
    Deactivate { email: String },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate and print the effective configuration, secrets redacted.
    Check,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Member,
    Manager,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Member => Role::Member,
            RoleArg::Manager => Role::Manager,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env(cli.config.as_deref())?;
    crate::telemetry::init_tracing(config.log_format == "json");
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(config).await.context("cannot start")?;
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = connect(&config).await?;
            let _lock = db.lock_for_server()?;
            db.migrate().await?;
            println!("migrations applied ({})", db.backend());
        }
        Command::Backup { path } => {
            let url = config.database_url();
            let Some(source) = crate::db::sqlite_file(&url) else {
                bail!("{}", crate::db::backup::postgres_advice(false));
            };
            let summary = tokio::task::spawn_blocking({
                let path = path.clone();
                move || crate::db::backup::backup(&source, &path)
            })
            .await??;
            println!("backed up to {}: {summary}", path.display());
        }
        Command::Restore { path, force } => {
            let url = config.database_url();
            let Some(target) = crate::db::sqlite_file(&url) else {
                bail!("{}", crate::db::backup::postgres_advice(true));
            };
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let _lock = crate::db::lock_sqlite_file(&target)
                .map_err(|e| anyhow::anyhow!("{e}: stop the server before restoring a backup"))?;
            let summary = tokio::task::spawn_blocking({
                let (path, target) = (path.clone(), target.clone());
                move || crate::db::backup::restore(&path, &target, force)
            })
            .await??;
            // A backup from an older release is brought up to this one's schema now.
            let db = connect(&config).await?;
            db.migrate().await?;
            db.close().await;
            println!(
                "restored {} into {}: {summary}",
                path.display(),
                target.display()
            );
        }
        Command::Healthcheck => {
            let listen = config.listen.replace("0.0.0.0", "127.0.0.1");
            let listen = listen.replace("[::]", "[::1]");
            let url = format!("http://{listen}/readyz");
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(3))
                .build()?;
            let res = client
                .get(&url)
                .send()
                .await
                .with_context(|| format!("{url} does not answer"))?;
            if !res.status().is_success() {
                bail!("{url} answered {}", res.status());
            }
            println!("ready");
        }
        Command::Config(ConfigCommand::Check) => {
            print!("{}", config.render_redacted());
            println!("# configuration is valid");
        }
        Command::User(cmd) => user(&config, cmd).await?,
    }
    Ok(())
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    Ok(Db::connect(&DbOptions {
        url: config.database_url(),
        max_connections: 2,
        sqlite_synchronous: config.sqlite_synchronous.clone(),
    })
    .await?)
}

async fn user(config: &Config, cmd: UserCommand) -> anyhow::Result<()> {
    let db = connect(config).await?;
    db.migrate().await?;
    match cmd {
        UserCommand::Create {
            email,
            username,
            password_stdin: _,
            role,
        } => {
            let email = Email::parse(&email).map_err(|m| anyhow::anyhow!("email {}", m.message))?;
            let username = Username::parse(&username)
                .map_err(|m| anyhow::anyhow!("username {}", m.message))?;
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let problems = crate::crypto::password::check_policy(
                &password,
                &[&email.display, &username.display],
            );
            if !problems.is_empty() {
                let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
                bail!("password {}", messages.join("; "));
            }
            let hash = crate::crypto::password::Hasher::new()?
                .hash(password)
                .await?;
            let user = repo::insert_user(
                &db,
                repo::NewUser {
                    email: &email.display,
                    email_normalized: &email.normalized,
                    username: &username.display,
                    username_normalized: &username.normalized,
                    password_hash: Some(&hash),
                    role: role.into(),
                },
            )
            .await
            .map_err(describe)?;
            println!(
                "created {} ({}) as {}",
                user.email.as_deref().unwrap_or("-"),
                user.id,
                user.role
            );
        }
        UserCommand::Promote { email, role } => {
            let key = crate::auth::input::normalize_email_for_lookup(&email);
            if !repo::set_role(&db, &key, role.into()).await? {
                bail!("no account with email {email}");
            }
            println!("{email} is now {}", Role::from(role).as_str());
        }
        UserCommand::Deactivate { email } => {
            let key = crate::auth::input::normalize_email_for_lookup(&email);
            if !repo::set_active(&db, &key, false).await? {
                bail!("no account with email {email}");
            }
            println!("{email} is deactivated, signed out everywhere, and its API keys are deleted");
        }
    }
    db.close().await;
    Ok(())
}

fn describe(err: crate::error::Error) -> anyhow::Error {
    match err {
        crate::error::Error::Validation { fields } => anyhow::anyhow!(
            "{}",
            fields
                .names()
                .filter_map(|k| fields.get(k).map(|p| format!("{k}: {}", p.message)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!(other),
    }
}
