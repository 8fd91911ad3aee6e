//! `Config::validate`: every value checked, every problem reported at once, each naming
//! its variable.

use std::net::SocketAddr;

use super::{Config, ConfigError, QUOTA_SCOPES, env_name, is_http_url};

/// Problems found so far, as `CONFAB_NAME: what is wrong`.
#[derive(Default)]
struct Checks {
    problems: Vec<String>,
}

impl Checks {
    fn bad(&mut self, key: &str, message: String) {
        self.problems.push(format!("{}: {message}", env_name(key)));
    }

    fn between(&mut self, key: &str, value: u64, low: u64, high: u64) {
        if !(low..=high).contains(&value) {
            self.bad(key, format!("must be between {low} and {high}"));
        }
    }

    fn http_url(&mut self, key: &str, url: &str) {
        if !is_http_url(url) {
            self.bad(key, "must be an http:// or https:// URL".into());
        }
    }
}

impl Config {
    /// Checks every value; all problems are reported at once.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut checks = Checks::default();
        self.check_storage(&mut checks);
        self.check_llm(&mut checks);
        self.check_quota(&mut checks);
        self.check_web(&mut checks);
        self.check_auth(&mut checks);
        if checks.problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError {
                problems: checks.problems,
            })
        }
    }

    fn check_storage(&self, checks: &mut Checks) {
        if let Some(url) = &self.media_url {
            match url.strip_prefix("s3://") {
                Some(rest) if !rest.split('/').next().unwrap_or("").is_empty() => {
                    if self.media_s3_access_key_id.is_none()
                        || self.media_s3_secret_access_key.is_none()
                    {
                        checks.bad(
                            "media_url",
                            "an s3:// store needs CONFAB_MEDIA_S3_ACCESS_KEY_ID and CONFAB_MEDIA_S3_SECRET_ACCESS_KEY".into(),
                        );
                    }
                    if let Some(endpoint) = &self.media_s3_endpoint {
                        checks.http_url("media_s3_endpoint", endpoint);
                    }
                }
                _ => checks.bad("media_url", "must be s3://bucket/prefix".into()),
            }
        }
        if let Some(url) = &self.database_url {
            let url = url.expose();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                checks.bad(
                    "database_url",
                    "must start with sqlite:// or postgres://".into(),
                );
            }
        }
        if !matches!(
            self.sqlite_synchronous.as_str(),
            "off" | "normal" | "full" | "extra"
        ) {
            checks.bad(
                "sqlite_synchronous",
                "must be one of off, normal, full, extra".into(),
            );
        }
        checks.between("db_max_connections", self.db_max_connections, 1, 1000);
    }

    fn check_llm(&self, checks: &mut Checks) {
        if !matches!(self.llm_provider.as_str(), "offline" | "openai" | "gemini") {
            checks.bad(
                "llm_provider",
                format!(
                    "{:?} is not one of offline, openai, gemini",
                    self.llm_provider
                ),
            );
        }
        if let Some(url) = &self.llm_base_url {
            checks.http_url("llm_base_url", url);
        }
        checks.between("llm_timeout_secs", self.llm_timeout_secs, 1, 3600);
        if !matches!(self.llm_http2.as_str(), "auto" | "always" | "never") {
            checks.bad(
                "llm_http2",
                format!("{:?} is not one of auto, always, never", self.llm_http2),
            );
        }
        checks.between(
            "llm_max_answer_bytes",
            self.llm_max_answer_bytes,
            1024,
            16 << 20,
        );
        checks.between("llm_context_chars", self.llm_context_chars, 500, 2_000_000);
    }

    fn check_quota(&self, checks: &mut Checks) {
        if jiff::tz::TimeZone::get(&self.quota_timezone).is_err() {
            checks.bad(
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
                checks.bad(
                    key,
                    format!("is not a quota scope (scopes: {})", known.join(", ")),
                );
            } else if value > 1_000_000 {
                checks.bad(key, "must be at most 1000000 (0 means unlimited)".into());
            }
        }
    }

    fn check_web(&self, checks: &mut Checks) {
        if self.listen.parse::<SocketAddr>().is_err() {
            checks.bad(
                "listen",
                format!("{:?} is not an address like 127.0.0.1:8080", self.listen),
            );
        }
        checks.http_url("public_url", &self.public_url);
        for origin in self.cors_origin_list() {
            if !is_http_url(&origin) {
                checks.bad(
                    "cors_origins",
                    format!("{origin:?} is not an http(s) origin"),
                );
            }
        }
        for email in self.admin_email_list() {
            let valid = email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
            if !valid {
                checks.bad("admin_emails", format!("{email:?} is not an email address"));
            }
        }
        if !(1024..=64 * 1024 * 1024).contains(&self.json_body_limit) {
            checks.bad(
                "json_body_limit",
                "must be between 1024 and 67108864 bytes".into(),
            );
        }
        checks.between("max_connections", self.max_connections, 1, 1_000_000);
        checks.between(
            "header_read_timeout_secs",
            self.header_read_timeout_secs,
            1,
            3600,
        );
        checks.between(
            "body_read_timeout_secs",
            self.body_read_timeout_secs,
            1,
            3600,
        );
        checks.between("shutdown_drain_secs", self.shutdown_drain_secs, 0, 3600);
        if !matches!(self.log_format.as_str(), "text" | "json") {
            checks.bad("log_format", "must be text or json".into());
        }
    }

    fn check_auth(&self, checks: &mut Checks) {
        if let Some(secret) = &self.jwt_secret
            && secret.expose().len() < 32
        {
            checks.bad(
                "jwt_secret",
                format!("must be at least 32 bytes, got {}", secret.expose().len()),
            );
        }
        for (prefix, id, secret) in [
            ("kakao", &self.kakao_client_id, &self.kakao_client_secret),
            ("github", &self.github_client_id, &self.github_client_secret),
            ("google", &self.google_client_id, &self.google_client_secret),
        ] {
            if secret.is_some() && id.is_none() {
                checks.bad(
                    &format!("{prefix}_client_id"),
                    format!(
                        "is required when CONFAB_{}_CLIENT_SECRET is set",
                        prefix.to_ascii_uppercase()
                    ),
                );
            }
            // Kakao may run without a client secret (it is optional in Kakao's console);
            // GitHub and Google always need one.
            if prefix != "kakao" && id.is_some() && secret.is_none() {
                checks.bad(
                    &format!("{prefix}_client_secret"),
                    format!(
                        "is required when CONFAB_{}_CLIENT_ID is set",
                        prefix.to_ascii_uppercase()
                    ),
                );
            }
        }
        for (key, url) in [
            ("kakao_authorize_url", &self.kakao_authorize_url),
            ("kakao_token_url", &self.kakao_token_url),
            ("kakao_userinfo_url", &self.kakao_userinfo_url),
            ("github_authorize_url", &self.github_authorize_url),
            ("github_token_url", &self.github_token_url),
            ("github_userinfo_url", &self.github_userinfo_url),
            ("google_authorize_url", &self.google_authorize_url),
            ("google_token_url", &self.google_token_url),
            ("google_userinfo_url", &self.google_userinfo_url),
            ("kakao_local_url", &self.kakao_local_url),
        ] {
            if let Some(url) = url {
                checks.http_url(key, url);
            }
        }
        checks.between(
            "access_token_ttl_secs",
            self.access_token_ttl_secs,
            60,
            86_400,
        );
        checks.between(
            "refresh_token_ttl_days",
            self.refresh_token_ttl_days,
            1,
            365,
        );
        checks.between("session_max_age_days", self.session_max_age_days, 1, 3650);
        if self.login_max_failures_per_account == 0 || self.login_max_failures_per_ip == 0 {
            checks.bad(
                "login_max_failures_per_account",
                "login failure limits must be at least 1".into(),
            );
        }
        checks.between("login_window_secs", self.login_window_secs, 1, 86_400);
        checks.between("signup_max_per_ip", self.signup_max_per_ip, 1, 1_000_000);
        checks.between("signup_window_secs", self.signup_window_secs, 1, 86_400);
    }
}
