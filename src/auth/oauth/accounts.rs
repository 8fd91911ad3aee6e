//! Which account a provider identity signs in to (PRODUCT §2.1).
//!
//! An identity is keyed by (provider, subject), never by email. A first sign-in joins an
//! existing account only when the provider verified the email **and** that account's own
//! email was verified (it came from a verifying provider); an account whose email nobody
//! verified refuses with `account_exists_login_to_link`, and its owner links the provider
//! from the profile. An unverified email never links anything and never becomes an
//! account's email: the sign-in makes a new account without one.

use rand::Rng as _;
use uuid::Uuid;

use super::Failure;
use super::provider::{Profile, Provider};
use crate::auth::input::{Email, Username};
use crate::auth::repo::identities::{self as repo, CreateRefused, LinkRefused, NewIdentity};
use crate::auth::repo::{self as users, UserRow};
use crate::error::Result;
use crate::state::AppState;

/// The account to sign in to, or why not.
pub async fn sign_in(
    state: &AppState,
    provider: Provider,
    profile: &Profile,
) -> Result<std::result::Result<UserRow, Failure>> {
    let db = &state.db;
    let p = provider.as_str();
    let identity = identity(provider, profile);
    if let Some(found) = repo::find_identity(db, p, &profile.subject).await? {
        repo::touch_identity(db, found.id, identity.email, identity.email_verified).await?;
        return active(users::find_user(db, found.user_id).await?);
    }
    let verified = verified_email(profile);
    if let Some(email) = &verified
        && let Some(existing) = users::find_user_by_email(db, &email.normalized).await?
    {
        if !existing.email_verified {
            return Ok(Err(Failure::AccountExists));
        }
        return Ok(
            match repo::link_identity(db, existing.id, identity).await? {
                Ok(()) => {
                    tracing::info!(user_id = %existing.id, provider = p, "provider linked by verified email");
                    active(Some(existing))?
                }
                Err(LinkRefused::ProviderTaken) => Err(Failure::ProviderTaken),
                // A parallel first sign-in linked it a moment ago: that is this account.
                Err(LinkRefused::InUse) => {
                    let found = repo::find_identity(db, p, &profile.subject).await?;
                    match found {
                        Some(f) => active(users::find_user(db, f.user_id).await?)?,
                        None => Err(Failure::Provider),
                    }
                }
            },
        );
    }
    let email = verified
        .as_ref()
        .map(|e| (e.display.as_str(), e.normalized.as_str()));
    for username in username_candidates(profile.name_hint.as_deref(), provider) {
        match repo::create_social_user(
            db,
            email,
            (&username.display, &username.normalized),
            identity,
        )
        .await?
        {
            Ok(user) => {
                tracing::info!(user_id = %user.id, provider = p, "account created by a provider sign-in");
                return Ok(Ok(user));
            }
            Err(CreateRefused::Username) => continue,
            Err(CreateRefused::Email) => return Ok(Err(Failure::AccountExists)),
            Err(CreateRefused::Identity) => {
                let found = repo::find_identity(db, p, &profile.subject).await?;
                return match found {
                    Some(f) => active(users::find_user(db, f.user_id).await?),
                    None => Ok(Err(Failure::Provider)),
                };
            }
        }
    }
    Ok(Err(Failure::Provider))
}

/// Links the identity to a signed-in user who started the flow from the profile.
pub async fn link(
    state: &AppState,
    user_id: Uuid,
    provider: Provider,
    profile: &Profile,
) -> Result<std::result::Result<(), Failure>> {
    let db = &state.db;
    let Some(user) = users::find_user(db, user_id).await?.filter(|u| u.is_active) else {
        return Ok(Err(Failure::InvalidState));
    };
    let identity = identity(provider, profile);
    if let Some(found) = repo::find_identity(db, provider.as_str(), &profile.subject).await? {
        return Ok(if found.user_id == user.id {
            Ok(())
        } else {
            Err(Failure::IdentityInUse)
        });
    }
    match repo::link_identity(db, user.id, identity).await? {
        Ok(()) => {}
        Err(LinkRefused::InUse) => return Ok(Err(Failure::IdentityInUse)),
        Err(LinkRefused::ProviderTaken) => return Ok(Err(Failure::ProviderTaken)),
    }
    // The owner of this account proved they hold a provider account that vouches for the
    // account's own address: from now on that address counts as verified.
    let own = user.email.as_deref().map(str::to_lowercase);
    if let (Some(email), Some(own)) = (verified_email(profile), own)
        && email.normalized == own
    {
        repo::set_email_verified(db, user.id, &own).await?;
    }
    tracing::info!(user_id = %user.id, provider = provider.as_str(), "provider linked");
    Ok(Ok(()))
}

fn identity<'a>(provider: Provider, profile: &'a Profile) -> NewIdentity<'a> {
    NewIdentity {
        provider: provider.as_str(),
        subject: &profile.subject,
        email: profile.email.as_deref(),
        email_verified: profile.email_verified,
    }
}

/// The provider's email when it vouches for it and it is one we accept.
fn verified_email(profile: &Profile) -> Option<Email> {
    profile
        .email
        .as_deref()
        .filter(|_| profile.email_verified)
        .and_then(|e| Email::parse(e).ok())
}

fn active(user: Option<UserRow>) -> Result<std::result::Result<UserRow, Failure>> {
    Ok(match user {
        Some(u) if u.is_active => Ok(u),
        Some(_) => Err(Failure::Disabled),
        None => Err(Failure::InvalidState),
    })
}

/// Usernames to try for a new account: the provider's name cleaned up, then with a number,
/// then a random one. Each is a valid [`Username`].
fn username_candidates(hint: Option<&str>, provider: Provider) -> Vec<Username> {
    let cleaned: String = hint
        .unwrap_or("")
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    let cleaned = cleaned.trim_matches('_').to_owned();
    let base = if cleaned.chars().count() >= 2 {
        cleaned
    } else {
        format!("{}_user", provider.as_str())
    };
    let mut rng = rand::rng();
    let mut names = vec![base.clone()];
    for _ in 0..4 {
        names.push(format!("{base}_{}", rng.random_range(1000..10_000)));
    }
    names.push(format!("user_{:08x}", rng.random::<u32>()));
    names
        .iter()
        .filter_map(|n| Username::parse(n).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_come_from_the_provider_name_and_are_always_valid() {
        let names = username_candidates(Some("Kim Minji!"), Provider::Github);
        assert_eq!(names[0].display, "Kim_Minji");
        assert!(names.len() >= 5);
        assert!(names[1].display.starts_with("Kim_Minji_"));
        let names = username_candidates(Some("!"), Provider::Kakao);
        assert_eq!(names[0].display, "kakao_user");
        let long = username_candidates(Some(&"가".repeat(40)), Provider::Google);
        assert!(long.iter().all(|n| n.display.chars().count() <= 30));
        assert_eq!(long.len(), 6);
    }
}
