//! Reading the environment and the TOML file: `CONFAB_*` variables as text, numbers and
//! booleans written either way, and figment's errors in the variables' names.

use std::collections::BTreeMap;
use std::fmt;

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::env_name;

pub(super) fn describe_figment_error(err: figment::Error) -> String {
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
pub(super) struct EnvStrings {
    pub(super) vars: Vec<(String, String)>,
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

pub(super) fn de_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
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
pub(super) fn de_quota_limits<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, u64>, D::Error> {
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

pub(super) fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
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
