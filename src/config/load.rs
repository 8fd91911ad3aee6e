//! Loading: defaults → `confab.toml` (or `CONFAB_CONFIG`) → `CONFAB_*` variables, then
//! validation; every problem names the variable to fix.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Toml};

use super::env::{EnvStrings, describe_figment_error};
use super::{Config, QUOTA_SCOPES, Secret};

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  {}", .problems.join("\n  "))]
pub struct ConfigError {
    /// One line per problem, each starting with the variable name.
    pub problems: Vec<String>,
}

impl ConfigError {
    fn one(problem: String) -> Self {
        ConfigError {
            problems: vec![problem],
        }
    }
}

/// Environment name of a config key.
pub fn env_name(key: &str) -> String {
    format!("CONFAB_{}", key.to_ascii_uppercase())
}

impl Config {
    /// Loads from an optional TOML file and the given environment, then validates.
    ///
    /// `file` is used when given; otherwise `CONFAB_CONFIG` or `./confab.toml` if present.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let explicit = file.map(Path::to_path_buf).or_else(|| {
            env.iter()
                .find(|(k, _)| k == "CONFAB_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        let mut figment = Figment::new();
        match explicit {
            Some(path) => {
                if !path.is_file() {
                    return Err(ConfigError::one(format!(
                        "CONFAB_CONFIG: config file {} does not exist",
                        path.display()
                    )));
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None => {
                let default = Path::new("confab.toml");
                if default.is_file() {
                    figment = figment.merge(Toml::file_exact(default));
                }
            }
        }
        let fallback_key = env
            .iter()
            .find(|(k, _)| k == "OPENAI_API_KEY" || k == "GEMINI_API_KEY")
            .map(|(_, v)| v.clone());
        let figment = figment.merge(EnvStrings { vars: env });
        let mut config: Config = figment.extract().map_err(|err| ConfigError {
            problems: err.into_iter().map(describe_figment_error).collect(),
        })?;
        for scope in QUOTA_SCOPES {
            config
                .quota_limits
                .entry(scope.key.to_owned())
                .or_insert(scope.default);
        }
        if config.llm_api_key.is_none() {
            config.llm_api_key = fallback_key.filter(|v| !v.is_empty()).map(Secret::new);
        }
        config.validate()?;
        Ok(config)
    }

    /// Loads from the process environment.
    pub fn from_env(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load(
            file,
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }
}
