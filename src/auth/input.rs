//! Validated account input: email addresses and usernames.

use crate::error::Problem;

/// Longest accepted email address (RFC 5321 path limit).
const MAX_EMAIL_LENGTH: usize = 254;

/// A syntactically valid email address, with its case-insensitive key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// As shown: trimmed, domain lower-cased.
    pub display: String,
    /// For uniqueness and login: fully lower-cased.
    pub normalized: String,
}

fn invalid_email() -> Problem {
    Problem::new("invalid_email", "is not a valid email address")
}

impl Email {
    /// Validates an address (the practical subset of RFC 5321 people type).
    pub fn parse(raw: &str) -> Result<Email, Problem> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(Problem::required());
        }
        if s.chars().count() > MAX_EMAIL_LENGTH {
            return Err(Problem::too_long(MAX_EMAIL_LENGTH));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(invalid_email());
        };
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\\\"".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.chars().count() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(invalid_email());
        }
        let display = format!("{local}@{}", domain.to_lowercase());
        Ok(Email {
            normalized: display.to_lowercase(),
            display,
        })
    }
}

/// A username: 2–30 letters (any script), digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    pub display: String,
    pub normalized: String,
}

impl Username {
    /// Validates a username.
    pub fn parse(raw: &str) -> Result<Username, Problem> {
        let s = raw.trim();
        let n = s.chars().count();
        if n == 0 {
            return Err(Problem::required());
        }
        if n < 2 {
            return Err(Problem::too_short(2));
        }
        if n > 30 {
            return Err(Problem::too_long(30));
        }
        if !s
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(Problem::new(
                "invalid_chars",
                "may contain only letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(Username {
            display: s.to_owned(),
            normalized: s.to_lowercase(),
        })
    }
}

/// Normalises an email for lookups without validating it (login takes anything).
pub fn normalize_email_for_lookup(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_validated_and_normalised() {
        let e = Email::parse("  Minji.Kim@Example.COM ").expect("valid");
        assert_eq!(e.display, "Minji.Kim@example.com");
        assert_eq!(e.normalized, "minji.kim@example.com");
        for bad in [
            "",
            "plain",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "@x.com",
            "x@.com",
            "x@-a.com",
            "x..y@a.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn usernames_accept_korean_and_refuse_symbols() {
        assert_eq!(
            Username::parse("김민지_dev").expect("valid").normalized,
            "김민지_dev"
        );
        assert_eq!(Username::parse("MinJi").expect("valid").normalized, "minji");
        for bad in [
            "",
            "a",
            "has space",
            "semi;colon",
            &"x".repeat(31),
            "<script>",
        ] {
            assert!(Username::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
