//! Typed configuration: defaults → `confab.toml` → `CONFAB_*` environment variables.
//!
//! Environment values are taken as text (never guessed to be numbers), so a secret made of
//! digits stays exactly as given. Every problem found by [`Config::validate`] names the
//! variable to fix. Secrets are wrapped in [`Secret`], which never prints its value.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A configuration value that must never reach a log or a response.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// One daily quota scope: its API name, its configuration key (`CONFAB_QUOTA_…`) and its
/// default limit. The one table of scopes; the quota feature and the configuration read it.
#[derive(Clone, Copy, Debug)]
pub struct QuotaScope {
    pub name: &'static str,
    pub key: &'static str,
    pub default: u64,
}

/// Every quota scope, in display order.
pub const QUOTA_SCOPES: &[QuotaScope] = &[
    QuotaScope {
        name: "chat",
        key: "quota_chat",
        default: 5,
    },
    QuotaScope {
        name: "interview",
        key: "quota_interview",
        default: 5,
    },
    QuotaScope {
        name: "tarot",
        key: "quota_tarot",
        default: 5,
    },
    QuotaScope {
        name: "travel",
        key: "quota_travel",
        default: 5,
    },
];

/// The whole configuration. Field names are the `CONFAB_*` variables, lower-cased.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to serve on.
    pub listen: String,
    /// SQLite file, uploads, lock file.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; defaults to a SQLite file in `data_dir`.
    pub database_url: Option<Secret>,
    /// HS256 key for access tokens; generated and stored in the database when unset.
    pub jwt_secret: Option<Secret>,
    /// `offline`, `openai` or `gemini`.
    pub llm_provider: String,
    pub llm_base_url: Option<String>,
    pub llm_api_key: Option<Secret>,
    pub llm_model: Option<String>,
    #[serde(deserialize_with = "de_u64")]
    pub llm_timeout_secs: u64,
    /// How much conversation history (in characters) is sent with each message.
    #[serde(deserialize_with = "de_u64")]
    pub llm_context_chars: u64,
    /// IANA time zone in which the quota day resets.
    pub quota_timezone: String,
    /// Daily limits by quota key (`quota_chat`, …; see [`QUOTA_SCOPES`]); 0 = unlimited.
    #[serde(flatten, deserialize_with = "de_quota_limits")]
    pub quota_limits: BTreeMap<String, u64>,
    /// Public base URL, for OAuth redirects, links and the `Secure` cookie flag.
    pub public_url: String,
    pub kakao_client_id: Option<String>,
    pub kakao_client_secret: Option<Secret>,
    pub github_client_id: Option<String>,
    pub github_client_secret: Option<Secret>,
    pub google_client_id: Option<String>,
    pub google_client_secret: Option<Secret>,
    pub kakao_rest_key: Option<Secret>,
    pub kakao_js_key: Option<String>,
    /// Comma-separated origins allowed to call the API from another site.
    pub cors_origins: Option<String>,

    /// Access-token lifetime in seconds (default 15 minutes).
    #[serde(deserialize_with = "de_u64")]
    pub access_token_ttl_secs: u64,
    /// Session lifetime in days since the last refresh.
    #[serde(deserialize_with = "de_u64")]
    pub refresh_token_ttl_days: u64,
    /// Largest accepted JSON body in bytes.
    #[serde(deserialize_with = "de_u64")]
    pub json_body_limit: u64,
    /// SQLite `synchronous` pragma: `full` (default), `normal`, `extra` or `off`.
    pub sqlite_synchronous: String,
    /// Database pool size.
    #[serde(deserialize_with = "de_u64")]
    pub db_max_connections: u64,
    /// Failed logins per account within the window before 429.
    #[serde(deserialize_with = "de_u64")]
    pub login_max_failures_per_account: u64,
    /// Failed logins per client IP within the window before 429.
    #[serde(deserialize_with = "de_u64")]
    pub login_max_failures_per_ip: u64,
    /// The login throttling window in seconds.
    #[serde(deserialize_with = "de_u64")]
    pub login_window_secs: u64,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted proxy).
    #[serde(deserialize_with = "de_bool")]
    pub trust_forwarded_for: bool,
    /// `text` or `json` logs.
    pub log_format: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            jwt_secret: None,
            llm_provider: "offline".into(),
            llm_base_url: None,
            llm_api_key: None,
            llm_model: None,
            llm_timeout_secs: 60,
            llm_context_chars: 16_000,
            quota_timezone: "Asia/Seoul".into(),
            quota_limits: QUOTA_SCOPES
                .iter()
                .map(|s| (s.key.to_owned(), s.default))
                .collect(),
            public_url: "http://localhost:8080".into(),
            kakao_client_id: None,
            kakao_client_secret: None,
            github_client_id: None,
            github_client_secret: None,
            google_client_id: None,
            google_client_secret: None,
            kakao_rest_key: None,
            kakao_js_key: None,
            cors_origins: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            json_body_limit: 1024 * 1024,
            sqlite_synchronous: "full".into(),
            db_max_connections: 16,
            login_max_failures_per_account: 10,
            login_max_failures_per_ip: 50,
            login_window_secs: 15 * 60,
            trust_forwarded_for: false,
            log_format: "text".into(),
        }
    }
}

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
            config.llm_api_key = fallback_key.filter(|v| !v.is_empty()).map(Secret);
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

    /// Checks every value; all problems are reported at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Vec::new();
        let mut bad = |key: &str, msg: String| problems.push(format!("{}: {msg}", env_name(key)));

        if self.listen.parse::<SocketAddr>().is_err() {
            bad(
                "listen",
                format!("{:?} is not an address like 127.0.0.1:8080", self.listen),
            );
        }
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                bad(
                    "database_url",
                    "must start with sqlite:// or postgres://".into(),
                );
            }
        }
        if let Some(secret) = &self.jwt_secret
            && secret.expose().len() < 32
        {
            bad(
                "jwt_secret",
                format!("must be at least 32 bytes, got {}", secret.expose().len()),
            );
        }
        if !matches!(self.llm_provider.as_str(), "offline" | "openai" | "gemini") {
            bad(
                "llm_provider",
                format!(
                    "{:?} is not one of offline, openai, gemini",
                    self.llm_provider
                ),
            );
        }
        if let Some(url) = &self.llm_base_url
            && !is_http_url(url)
        {
            bad("llm_base_url", "must be an http:// or https:// URL".into());
        }
        if !(1..=3600).contains(&self.llm_timeout_secs) {
            bad("llm_timeout_secs", "must be between 1 and 3600".into());
        }
        if !(500..=2_000_000).contains(&self.llm_context_chars) {
            bad(
                "llm_context_chars",
                "must be between 500 and 2000000".into(),
            );
        }
        if jiff::tz::TimeZone::get(&self.quota_timezone).is_err() {
            bad(
                "quota_timezone",
                format!(
                    "{:?} is not a known IANA time zone (e.g. Asia/Seoul)",
                    self.quota_timezone
                ),
            );
        }
        for (key, &value) in &self.quota_limits {
            if !QUOTA_SCOPES.iter().any(|s| s.key == key) {
                let known: Vec<&str> = QUOTA_SCOPES.iter().map(|s| s.name).collect();
                bad(
                    key,
                    format!("is not a quota scope (scopes: {})", known.join(", ")),
                );
            } else if value > 1_000_000 {
                bad(key, "must be at most 1000000 (0 means unlimited)".into());
            }
        }
        if !is_http_url(&self.public_url) {
            bad("public_url", "must be an http:// or https:// URL".into());
        }
        for (prefix, id, secret) in [
            ("kakao", &self.kakao_client_id, &self.kakao_client_secret),
            ("github", &self.github_client_id, &self.github_client_secret),
            ("google", &self.google_client_id, &self.google_client_secret),
        ] {
            if secret.is_some() && id.is_none() {
                bad(
                    &format!("{prefix}_client_id"),
                    format!(
                        "is required when CONFAB_{}_CLIENT_SECRET is set",
                        prefix.to_ascii_uppercase()
                    ),
                );
            }
        }
        for origin in self.cors_origin_list() {
            if !is_http_url(&origin) {
                bad(
                    "cors_origins",
                    format!("{origin:?} is not an http(s) origin"),
                );
            }
        }
        if !(60..=86_400).contains(&self.access_token_ttl_secs) {
            bad(
                "access_token_ttl_secs",
                "must be between 60 and 86400".into(),
            );
        }
        if !(1..=365).contains(&self.refresh_token_ttl_days) {
            bad("refresh_token_ttl_days", "must be between 1 and 365".into());
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.json_body_limit) {
            bad(
                "json_body_limit",
                "must be between 1024 and 67108864 bytes".into(),
            );
        }
        if !matches!(
            self.sqlite_synchronous.as_str(),
            "off" | "normal" | "full" | "extra"
        ) {
            bad(
                "sqlite_synchronous",
                "must be one of off, normal, full, extra".into(),
            );
        }
        if !(1..=1000).contains(&self.db_max_connections) {
            bad("db_max_connections", "must be between 1 and 1000".into());
        }
        if self.login_max_failures_per_account == 0 || self.login_max_failures_per_ip == 0 {
            bad(
                "login_max_failures_per_account",
                "login failure limits must be at least 1".into(),
            );
        }
        if !(1..=86_400).contains(&self.login_window_secs) {
            bad("login_window_secs", "must be between 1 and 86400".into());
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            bad("log_format", "must be text or json".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems })
        }
    }

    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("confab.db").display()),
        }
    }

    /// The configured CORS origins.
    pub fn cors_origin_list(&self) -> Vec<String> {
        self.cors_origins
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().trim_end_matches('/').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Whether cookies must carry the `Secure` flag.
    /// The configured daily limit of a quota scope (0 = unlimited).
    pub fn quota_limit(&self, scope: &str) -> u64 {
        let scope = QUOTA_SCOPES.iter().find(|s| s.name == scope);
        scope.map_or(0, |s| {
            self.quota_limits.get(s.key).copied().unwrap_or(s.default)
        })
    }

    /// Sets a scope's configured daily limit (tests and tools).
    pub fn set_quota_limit(&mut self, scope: &str, limit: u64) {
        self.quota_limits.insert(format!("quota_{scope}"), limit);
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The effective configuration as TOML-style lines, secrets redacted.
    pub fn render_redacted(&self) -> String {
        let mut out = String::new();
        let value = serde_json::to_value(self).unwrap_or_default();
        if let serde_json::Value::Object(map) = value {
            for (key, value) in map {
                let key = key.as_str();
                match (key, value) {
                    ("database_url", _) => {
                        out.push_str(&format!(
                            "database_url = {}\n",
                            serde_json::Value::String(redact_url(&self.database_url()))
                        ));
                    }
                    (_, serde_json::Value::Null) => out.push_str(&format!("# {key} = (unset)\n")),
                    (_, v) => out.push_str(&format!("{key} = {v}\n")),
                }
            }
        }
        out
    }
}

/// Hides a password inside a database URL (`postgres://user:pw@host`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:[redacted]@{host}"),
        None => url.to_owned(),
    }
}

fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

fn describe_figment_error(err: figment::Error) -> String {
    let key = err.path.join("_");
    let name = if key.is_empty() {
        "config".to_owned()
    } else {
        env_name(&key)
    };
    let kind = match &err.kind {
        figment::error::Kind::InvalidType(actual, expected) => {
            format!("expected {expected}, found {actual}")
        }
        figment::error::Kind::InvalidValue(actual, expected) => {
            format!("expected {expected}, found {actual}")
        }
        other => other.to_string(),
    };
    let source = err
        .metadata
        .as_ref()
        .map(|m| format!(" (from {})", m.name))
        .unwrap_or_default();
    format!("{name}: {kind}{source}")
}

/// `CONFAB_*` variables as text values (figment's own `Env` would turn digits into numbers).
struct EnvStrings {
    vars: Vec<(String, String)>,
}

impl Provider for EnvStrings {
    fn metadata(&self) -> Metadata {
        Metadata::named("CONFAB_* environment variables")
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (key, value) in &self.vars {
            let Some(rest) = key.strip_prefix("CONFAB_") else {
                continue;
            };
            if rest == "CONFIG" || rest.starts_with("TEST_") || value.is_empty() {
                continue;
            }
            dict.insert(rest.to_ascii_lowercase(), Value::from(value.clone()));
        }
        Ok(Profile::Default.collect(dict))
    }
}

fn de_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(V)
}

/// The `quota_*` keys among the ones no field took (other unknown keys are ignored, as
/// before); values as numbers or text.
fn de_quota_limits<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u64>, D::Error> {
    let rest = BTreeMap::<String, serde_json::Value>::deserialize(d)?;
    let mut limits = BTreeMap::new();
    for (key, value) in rest {
        if !key.starts_with("quota_") {
            continue;
        }
        let parsed = match &value {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        let limit = parsed.ok_or_else(|| {
            de::Error::custom(format!(
                "{}: expected a whole number, got {value}",
                env_name(&key)
            ))
        })?;
        limits.insert(key, limit);
    }
    Ok(limits)
}

fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = bool;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("true or false")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
            Ok(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" => Ok(false),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_follow_the_product_table() {
        let c = Config::load(None, env(&[])).expect("defaults are valid");
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite://./data/confab.db");
        assert_eq!(c.llm_provider, "offline");
        assert_eq!(c.quota_timezone, "Asia/Seoul");
        assert_eq!(
            (
                c.quota_limit("chat"),
                c.quota_limit("interview"),
                c.quota_limit("tarot"),
                c.quota_limit("travel")
            ),
            (5, 5, 5, 5)
        );
        assert_eq!(c.access_token_ttl_secs, 900);
    }

    #[test]
    fn environment_values_stay_text_even_when_they_look_like_numbers() {
        let secret = "01234567890123456789012345678901234";
        let c = Config::load(
            None,
            env(&[("CONFAB_JWT_SECRET", secret), ("CONFAB_QUOTA_CHAT", "7")]),
        )
        .expect("valid");
        assert_eq!(c.jwt_secret.as_ref().map(Secret::expose), Some(secret));
        assert_eq!(c.quota_limit("chat"), 7);
    }

    #[test]
    fn a_short_jwt_secret_is_refused_naming_the_variable() {
        let err = Config::load(None, env(&[("CONFAB_JWT_SECRET", "short")])).unwrap_err();
        assert!(err.problems[0].starts_with("CONFAB_JWT_SECRET:"), "{err}");
    }

    #[test]
    fn a_bad_number_names_the_variable() {
        let err = Config::load(None, env(&[("CONFAB_QUOTA_CHAT", "five")])).unwrap_err();
        assert!(err.to_string().contains("CONFAB_QUOTA_CHAT"), "{err}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let err = Config::load(
            None,
            env(&[
                ("CONFAB_LLM_PROVIDER", "magic"),
                ("CONFAB_QUOTA_TIMEZONE", "Mars/Olympus"),
                ("CONFAB_LISTEN", "nowhere"),
            ]),
        )
        .unwrap_err();
        let text = err.to_string();
        for name in [
            "CONFAB_LLM_PROVIDER",
            "CONFAB_QUOTA_TIMEZONE",
            "CONFAB_LISTEN",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn the_toml_file_is_read_and_the_environment_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("confab.toml");
        std::fs::write(
            &path,
            "quota_chat = 9\nquota_tarot = 3\nlisten = \"0.0.0.0:9000\"\n",
        )
        .expect("write");
        let c = Config::load(Some(&path), env(&[("CONFAB_QUOTA_CHAT", "2")])).expect("valid");
        assert_eq!(c.quota_limit("chat"), 2);
        assert_eq!(c.quota_limit("tarot"), 3);
        assert_eq!(c.listen, "0.0.0.0:9000");
    }

    #[test]
    fn openai_api_key_is_a_fallback_for_the_llm_key() {
        let c = Config::load(None, env(&[("OPENAI_API_KEY", "sk-test")])).expect("valid");
        assert_eq!(c.llm_api_key.as_ref().map(Secret::expose), Some("sk-test"));
    }

    #[test]
    fn an_unknown_quota_scope_or_a_bad_limit_names_the_variable() {
        let err = Config::load(None, env(&[("CONFAB_QUOTA_CHESS", "3")])).expect_err("unknown");
        assert!(err.to_string().contains("CONFAB_QUOTA_CHESS"), "{err}");
        let err = Config::load(None, env(&[("CONFAB_QUOTA_TAROT", "many")])).expect_err("bad");
        assert!(err.to_string().contains("CONFAB_QUOTA_TAROT"), "{err}");
        let c = Config::load(None, env(&[("CONFAB_QUOTA_TRAVEL", "0")])).expect("valid");
        assert_eq!(c.quota_limit("travel"), 0);
        assert_eq!(c.quota_limit("chat"), 5);
    }

    #[test]
    fn rendering_and_debug_never_show_secrets() {
        let c = Config::load(
            None,
            env(&[
                (
                    "CONFAB_JWT_SECRET",
                    "a-very-secret-value-that-is-long-enough",
                ),
                ("CONFAB_LLM_API_KEY", "sk-hidden"),
                (
                    "CONFAB_DATABASE_URL",
                    "postgres://app:pw-hidden@db:5432/confab",
                ),
            ]),
        )
        .expect("valid");
        let shown = format!("{}\n{:?}", c.render_redacted(), c);
        for secret in ["a-very-secret-value", "sk-hidden", "pw-hidden"] {
            assert!(!shown.contains(secret), "{secret} leaked in:\n{shown}");
        }
        assert!(shown.contains("postgres://app:[redacted]@db:5432/confab"));
    }
}
