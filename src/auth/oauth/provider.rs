//! The three providers: their endpoints (real ones by default, `CONFAB_<P>_*_URL` to
//! override), what each one's user-info answer means, and which email counts as verified.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::config::Config;

use super::http::{FetchError, OAuthHttp};

/// A social login provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Kakao,
    Github,
    Google,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Kakao, Provider::Github, Provider::Google];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Kakao => "kakao",
            Provider::Github => "github",
            Provider::Google => "google",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The provider's display name (a brand: the same in every language).
    pub fn name(self) -> &'static str {
        match self {
            Provider::Kakao => "Kakao",
            Provider::Github => "GitHub",
            Provider::Google => "Google",
        }
    }

    fn defaults(self) -> [&'static str; 3] {
        match self {
            Provider::Kakao => [
                "https://kauth.kakao.com/oauth/authorize",
                "https://kauth.kakao.com/oauth/token",
                "https://kapi.kakao.com/v2/user/me",
            ],
            Provider::Github => [
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                "https://api.github.com/user",
            ],
            Provider::Google => [
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                "https://openidconnect.googleapis.com/v1/userinfo",
            ],
        }
    }

    /// Scopes asked for: just enough for a stable id and, where offered, the email.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            // Kakao's consent items are chosen in its console; the email is given only to
            // business apps, so nothing is asked for here.
            Provider::Kakao => &[],
            Provider::Github => &["read:user", "user:email"],
            Provider::Google => &["openid", "email", "profile"],
        }
    }

    /// Kakao takes the client secret in the form body; the others take HTTP Basic.
    pub fn secret_in_body(self) -> bool {
        matches!(self, Provider::Kakao | Provider::Github)
    }
}

/// A configured provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    pub provider: Provider,
    pub client_id: String,
    pub client_secret: Option<crate::config::Secret>,
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: String,
}

/// The providers with credentials, in display order.
pub fn configured(config: &Config) -> Vec<ProviderConfig> {
    let entries = [
        (
            Provider::Kakao,
            &config.kakao_client_id,
            &config.kakao_client_secret,
            [
                &config.kakao_authorize_url,
                &config.kakao_token_url,
                &config.kakao_userinfo_url,
            ],
        ),
        (
            Provider::Github,
            &config.github_client_id,
            &config.github_client_secret,
            [
                &config.github_authorize_url,
                &config.github_token_url,
                &config.github_userinfo_url,
            ],
        ),
        (
            Provider::Google,
            &config.google_client_id,
            &config.google_client_secret,
            [
                &config.google_authorize_url,
                &config.google_token_url,
                &config.google_userinfo_url,
            ],
        ),
    ];
    entries
        .into_iter()
        .filter_map(|(provider, id, secret, urls)| {
            let id = id.as_ref().filter(|s| !s.trim().is_empty())?;
            let [a, t, u] = provider.defaults();
            let pick = |url: &Option<String>, default: &str| {
                url.clone().unwrap_or_else(|| default.to_owned())
            };
            Some(ProviderConfig {
                provider,
                client_id: id.trim().to_owned(),
                client_secret: secret.clone(),
                authorize_url: pick(urls[0], a),
                token_url: pick(urls[1], t),
                userinfo_url: pick(urls[2], u),
            })
        })
        .collect()
}

/// Who the provider says signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The provider's stable id for the person (never the email).
    pub subject: String,
    /// The email the provider gave, if any, trimmed.
    pub email: Option<String>,
    /// Whether the provider vouches for that email.
    pub email_verified: bool,
    /// A name to start the username from.
    pub name_hint: Option<String>,
}

/// Why a profile could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileError {
    Fetch(FetchError),
    /// A non-2xx answer.
    Status(u16),
    /// An answer without the fields we need.
    Invalid,
}

impl From<FetchError> for ProfileError {
    fn from(e: FetchError) -> Self {
        ProfileError::Fetch(e)
    }
}

/// Asks the provider who the access token belongs to.
pub async fn fetch_profile(
    http: &OAuthHttp,
    cfg: &ProviderConfig,
    access_token: &str,
) -> Result<Profile, ProfileError> {
    let github_headers: &[(&str, &str)] = &[
        ("accept", "application/vnd.github+json"),
        ("x-github-api-version", "2022-11-28"),
    ];
    let extra: &[(&str, &str)] = match cfg.provider {
        Provider::Github => github_headers,
        _ => &[],
    };
    let user = get(http, &cfg.userinfo_url, access_token, extra).await?;
    match cfg.provider {
        Provider::Kakao => kakao_profile(&user),
        Provider::Google => google_profile(&user),
        Provider::Github => {
            let emails_url = format!("{}/emails", cfg.userinfo_url.trim_end_matches('/'));
            let emails = get(http, &emails_url, access_token, extra).await?;
            github_profile(&user, &emails)
        }
    }
}

async fn get(
    http: &OAuthHttp,
    url: &str,
    token: &str,
    extra: &[(&str, &str)],
) -> Result<Value, ProfileError> {
    let (status, body) = http.get_json(url, token, extra).await?;
    if !status.is_success() {
        return Err(ProfileError::Status(status.as_u16()));
    }
    serde_json::from_slice(&body).map_err(|_| ProfileError::Invalid)
}

/// A subject: a non-empty string, or a whole number written as one.
fn subject_of(value: Option<&Value>) -> Option<String> {
    let subject = match value? {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => return None,
    };
    (!subject.is_empty() && subject.len() <= 255).then_some(subject)
}

fn text(value: Option<&Value>) -> Option<String> {
    let s = value?.as_str()?.trim();
    (!s.is_empty() && s.len() <= 320).then(|| s.to_owned())
}

/// `true`, or the string `"true"` (Google has sent both).
fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Kakao: the id is a number; `kakao_account.email` counts as verified only when Kakao
/// says it is both valid and verified.
pub fn kakao_profile(user: &Value) -> Result<Profile, ProfileError> {
    let subject = subject_of(user.get("id")).ok_or(ProfileError::Invalid)?;
    let account = user.get("kakao_account");
    let email = account.and_then(|a| text(a.get("email")));
    let verified = account
        .is_some_and(|a| truthy(a.get("is_email_valid")) && truthy(a.get("is_email_verified")));
    let name_hint = account
        .and_then(|a| a.get("profile"))
        .and_then(|p| text(p.get("nickname")))
        .or_else(|| user.get("properties").and_then(|p| text(p.get("nickname"))));
    Ok(Profile {
        subject,
        email_verified: verified && email.is_some(),
        email,
        name_hint,
    })
}

/// Google (OpenID user-info): `sub`, `email`, `email_verified` as a boolean or "true".
pub fn google_profile(user: &Value) -> Result<Profile, ProfileError> {
    let subject = subject_of(user.get("sub")).ok_or(ProfileError::Invalid)?;
    let email = text(user.get("email"));
    Ok(Profile {
        email_verified: email.is_some() && truthy(user.get("email_verified")),
        email,
        name_hint: text(user.get("name")).or_else(|| text(user.get("given_name"))),
        subject,
    })
}

/// GitHub: the numeric `id` (the login can be renamed) and the verified primary address
/// from `/user/emails` (the profile's public `email` says nothing about verification).
pub fn github_profile(user: &Value, emails: &Value) -> Result<Profile, ProfileError> {
    let subject = subject_of(user.get("id")).ok_or(ProfileError::Invalid)?;
    let primary = emails.as_array().and_then(|list| {
        list.iter()
            .find(|e| truthy(e.get("primary")) && truthy(e.get("verified")))
    });
    Ok(Profile {
        subject,
        email: primary.and_then(|e| text(e.get("email"))),
        email_verified: primary.and_then(|e| text(e.get("email"))).is_some(),
        name_hint: text(user.get("login")).or_else(|| text(user.get("name"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kakao_counts_an_email_only_when_valid_and_verified() {
        let base = |valid: bool, verified: bool| {
            json!({"id": 4242, "kakao_account": {"email": "k@example.com",
                "is_email_valid": valid, "is_email_verified": verified,
                "profile": {"nickname": "라이언"}}})
        };
        let p = kakao_profile(&base(true, true)).unwrap();
        assert_eq!(p.subject, "4242");
        assert!(p.email_verified);
        assert_eq!(p.name_hint.as_deref(), Some("라이언"));
        assert!(!kakao_profile(&base(true, false)).unwrap().email_verified);
        assert!(!kakao_profile(&base(false, true)).unwrap().email_verified);
        let none = kakao_profile(&json!({"id": 7})).unwrap();
        assert_eq!((none.email, none.email_verified), (None, false));
        assert_eq!(
            kakao_profile(&json!({"id": null})),
            Err(ProfileError::Invalid)
        );
    }

    #[test]
    fn google_takes_email_verified_as_a_boolean_or_the_string_true() {
        for (value, expected) in [
            (json!(true), true),
            (json!("true"), true),
            (json!("false"), false),
            (json!(false), false),
            (json!(null), false),
        ] {
            let p = google_profile(
                &json!({"sub": "g-1", "email": "g@example.com", "email_verified": value}),
            )
            .unwrap();
            assert_eq!(p.email_verified, expected, "{value}");
        }
        assert_eq!(
            google_profile(&json!({"sub": ""})),
            Err(ProfileError::Invalid)
        );
    }

    #[test]
    fn github_uses_the_verified_primary_address_only() {
        let user = json!({"id": 99, "login": "octo", "email": "public@example.com"});
        let emails = json!([
            {"email": "other@example.com", "primary": false, "verified": true},
            {"email": "primary@example.com", "primary": true, "verified": true},
        ]);
        let p = github_profile(&user, &emails).unwrap();
        assert_eq!(p.email.as_deref(), Some("primary@example.com"));
        assert!(p.email_verified);
        let unverified =
            json!([{"email": "primary@example.com", "primary": true, "verified": false}]);
        let p = github_profile(&user, &unverified).unwrap();
        assert_eq!((p.email, p.email_verified), (None, false));
        assert_eq!(p.subject, "99");
    }
}
