//! Typed configuration: defaults → `confab.toml` → `CONFAB_*` environment variables.
//!
//! Environment values are taken as text (never guessed to be numbers), so a secret made of
//! digits stays exactly as given. Every problem found by [`Config::validate`] names the
//! variable to fix. Secrets are wrapped in [`Secret`], which never prints its value.

use std::collections::BTreeMap;
use std::path::PathBuf;

mod env;
mod load;
mod secret;
mod validate;

use env::{de_bool, de_quota_limits, de_u64};
pub use load::{ConfigError, env_name};
pub use secret::{Secret, redact_url};
use serde::{Deserialize, Serialize};

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
    /// HTTP/2 to the upstream: `auto` (negotiated over TLS, HTTP/1.1 on plain http),
    /// `always` (HTTP/2 only; prior knowledge (h2c) on plain http) or `never` (HTTP/1.1).
    pub llm_http2: String,
    /// The longest answer kept, in bytes; a longer one is stopped there and kept
    /// `incomplete`.
    #[serde(deserialize_with = "de_u64")]
    pub llm_max_answer_bytes: u64,
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
    /// Social login endpoints; unset means the provider's real ones (tests and
    /// self-hosted providers set them). GitHub's e-mail list is the user-info URL + `/emails`.
    pub kakao_authorize_url: Option<String>,
    pub kakao_token_url: Option<String>,
    pub kakao_userinfo_url: Option<String>,
    pub github_authorize_url: Option<String>,
    pub github_token_url: Option<String>,
    pub github_userinfo_url: Option<String>,
    pub google_authorize_url: Option<String>,
    pub google_token_url: Option<String>,
    pub google_userinfo_url: Option<String>,
    pub kakao_rest_key: Option<Secret>,
    pub kakao_js_key: Option<String>,
    /// Kakao Local API base (`https://dapi.kakao.com`); tests point it at a fake.
    pub kakao_local_url: Option<String>,
    /// Comma-separated origins allowed to call the API from another site.
    pub cors_origins: Option<String>,
    /// Comma-separated emails (any case) made admin when they sign up or log in.
    pub admin_emails: Option<String>,
    /// Where uploaded images go: unset = the `media/` folder of `data_dir`;
    /// `s3://bucket/prefix` = an S3-compatible store (endpoint, region and keys below; no
    /// instance metadata is ever asked).
    pub media_url: Option<String>,
    pub media_s3_endpoint: Option<String>,
    pub media_s3_region: Option<String>,
    pub media_s3_access_key_id: Option<String>,
    pub media_s3_secret_access_key: Option<Secret>,

    /// Access-token lifetime in seconds (default 15 minutes).
    #[serde(deserialize_with = "de_u64")]
    pub access_token_ttl_secs: u64,
    /// Session lifetime in days since the last refresh.
    #[serde(deserialize_with = "de_u64")]
    pub refresh_token_ttl_days: u64,
    /// Most connections served at once (streams included); further ones wait to be accepted.
    #[serde(deserialize_with = "de_u64")]
    pub max_connections: u64,
    /// Seconds a client has to send a request head (also how long an idle keep-alive
    /// connection stays open).
    #[serde(deserialize_with = "de_u64")]
    pub header_read_timeout_secs: u64,
    /// Seconds a client has to send a request body.
    #[serde(deserialize_with = "de_u64")]
    pub body_read_timeout_secs: u64,
    /// Seconds a stopping server waits for running answers to finish before it stops (and
    /// stores) the rest.
    #[serde(deserialize_with = "de_u64")]
    pub shutdown_drain_secs: u64,
    /// Largest accepted JSON body in bytes.
    #[serde(deserialize_with = "de_u64")]
    pub json_body_limit: u64,
    /// SQLite `synchronous` pragma: `full` (default), `normal`, `extra` or `off`.
    pub sqlite_synchronous: String,
    /// Database pool size.
    #[serde(deserialize_with = "de_u64")]
    pub db_max_connections: u64,
    /// A session ends this many days after login, however often it is refreshed.
    #[serde(deserialize_with = "de_u64")]
    pub session_max_age_days: u64,
    /// Failed logins per account within the window before 429.
    #[serde(deserialize_with = "de_u64")]
    pub login_max_failures_per_account: u64,
    /// Failed logins per client IP within the window before 429.
    #[serde(deserialize_with = "de_u64")]
    pub login_max_failures_per_ip: u64,
    /// The login throttling window in seconds.
    #[serde(deserialize_with = "de_u64")]
    pub login_window_secs: u64,
    /// Sign-ups per client IP within the sign-up window before 429.
    #[serde(deserialize_with = "de_u64")]
    pub signup_max_per_ip: u64,
    /// The sign-up throttling window in seconds.
    #[serde(deserialize_with = "de_u64")]
    pub signup_window_secs: u64,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted proxy).
    #[serde(deserialize_with = "de_bool")]
    pub trust_forwarded_for: bool,
    /// When set, `/metrics` answers only `Authorization: Bearer <this token>`.
    pub metrics_token: Option<Secret>,
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
            llm_http2: "auto".into(),
            llm_max_answer_bytes: 64 * 1024,
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
            kakao_authorize_url: None,
            kakao_token_url: None,
            kakao_userinfo_url: None,
            github_authorize_url: None,
            github_token_url: None,
            github_userinfo_url: None,
            google_authorize_url: None,
            google_token_url: None,
            google_userinfo_url: None,
            kakao_rest_key: None,
            kakao_js_key: None,
            kakao_local_url: None,
            cors_origins: None,
            admin_emails: None,
            media_url: None,
            media_s3_endpoint: None,
            media_s3_region: None,
            media_s3_access_key_id: None,
            media_s3_secret_access_key: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            max_connections: 16_384,
            header_read_timeout_secs: 30,
            body_read_timeout_secs: 30,
            shutdown_drain_secs: 30,
            json_body_limit: 1024 * 1024,
            sqlite_synchronous: "full".into(),
            db_max_connections: 16,
            login_max_failures_per_account: 10,
            login_max_failures_per_ip: 50,
            login_window_secs: 15 * 60,
            session_max_age_days: 90,
            signup_max_per_ip: 50,
            signup_window_secs: 3600,
            trust_forwarded_for: false,
            metrics_token: None,
            log_format: "text".into(),
        }
    }
}

impl Config {
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

    /// The emails of `CONFAB_ADMIN_EMAILS`, trimmed and lower-cased.
    pub fn admin_email_list(&self) -> Vec<String> {
        self.admin_emails
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Whether `email` is listed in `CONFAB_ADMIN_EMAILS` (case-insensitively).
    pub fn is_admin_email(&self, email: &str) -> bool {
        let email = email.trim().to_lowercase();
        !email.is_empty() && self.admin_email_list().contains(&email)
    }

    /// The configured daily limit of a quota scope (0 = unlimited).
    pub fn quota_limit(&self, scope: &str) -> u64 {
        let scope = QUOTA_SCOPES.iter().find(|s| s.name == scope);
        scope.map_or(0, |s| {
            self.quota_limits.get(s.key).copied().unwrap_or(s.default)
        })
    }

    /// Sets a scope's configured daily limit (tests and tools).
    pub fn set_quota_limit(&mut self, scope: &str, limit: u64) {
        if let Some(scope) = QUOTA_SCOPES.iter().find(|s| s.name == scope) {
            self.quota_limits.insert(scope.key.to_owned(), limit);
        }
    }

    /// Sessions begun before this moment have passed their absolute maximum age.
    pub fn sessions_created_after(&self) -> time::OffsetDateTime {
        crate::db::now() - time::Duration::days(self.session_max_age_days as i64)
    }

    /// Whether cookies must carry the `Secure` flag.
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

pub(crate) fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
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
