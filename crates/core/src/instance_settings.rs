//! The instance's policy settings as they are stored and resolved. The database holds the
//! settings an operator set (one versioned document per instance: only the keys set, so a key
//! left alone follows Usher's default); a node's `serve` flags override them for that node only.
//! Each effective value therefore has a [`Source`]: `default`, `database` or `flag`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::instance::{FieldRule, InstanceSettings, SignUpMode};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;

/// The stored settings: the keys an operator set, with their values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredSettings {
    pub values: BTreeMap<String, Value>,
    pub updated_at: Option<Millis>,
    /// The stored row's version (optimistic concurrency); 0 before the first write.
    #[serde(skip)]
    pub version: i64,
}

/// Where an effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Default,
    Database,
    Flag,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::Database => "database",
            Source::Flag => "flag",
        }
    }
}

/// The settings a node works with, and where each value comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub settings: InstanceSettings,
    pub sources: BTreeMap<String, Source>,
    /// The stored document's version these were resolved from.
    pub version: i64,
}

impl Resolved {
    /// One setting: its value and source, `None` for a key Usher does not know.
    pub fn get(&self, key: &str) -> Option<(Value, Source)> {
        let value = as_map(&self.settings).remove(key)?;
        Some((
            value,
            self.sources.get(key).copied().unwrap_or(Source::Default),
        ))
    }

    /// Every setting, by key.
    pub fn entries(&self) -> Vec<(String, Value, Source)> {
        as_map(&self.settings)
            .into_iter()
            .map(|(k, v)| {
                let source = self.sources.get(&k).copied().unwrap_or(Source::Default);
                (k, v, source)
            })
            .collect()
    }
}

/// A change: each key to a new value, or to `None` to follow the default again.
pub type SettingsPatch = BTreeMap<String, Option<Value>>;

/// Every setting's key, in the order `usher config list` shows them.
pub fn keys() -> Vec<String> {
    as_map(&InstanceSettings::default())
        .keys()
        .cloned()
        .collect()
}

fn as_map(s: &InstanceSettings) -> Map<String, Value> {
    match serde_json::to_value(s) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The defaults, then the stored values, then this node's flags.
pub fn resolve(stored: &StoredSettings, flags: &BTreeMap<String, Value>) -> Resolved {
    let mut map = as_map(&InstanceSettings::default());
    let mut sources = BTreeMap::new();
    for (layer, source) in [(&stored.values, Source::Database), (flags, Source::Flag)] {
        for (k, v) in layer {
            if map.contains_key(k) && check_type(k, v).is_ok() {
                map.insert(k.clone(), v.clone());
                sources.insert(k.clone(), source);
            }
        }
    }
    let settings = serde_json::from_value(Value::Object(map)).unwrap_or_default();
    Resolved {
        settings,
        sources,
        version: stored.version,
    }
}

/// Validates `patch` against the stored values (every key known, every value of its type, the
/// result within bounds) before changing anything, then applies it. Returns whether anything
/// changed. A value equal to the default is stored all the same (it was chosen on purpose).
pub fn apply(stored: &mut StoredSettings, patch: &SettingsPatch, now: Millis) -> CoreResult<bool> {
    let mut values = stored.values.clone();
    for (key, value) in patch {
        if !keys().contains(key) {
            return Err(CoreError::value(key.clone(), "is not an instance setting"));
        }
        match value {
            Some(v) => {
                check_type(key, v)?;
                values.insert(key.clone(), normalized(key, v)?);
            }
            None => {
                values.remove(key);
            }
        }
    }
    if values == stored.values {
        return Ok(false);
    }
    let candidate = StoredSettings {
        values: values.clone(),
        ..Default::default()
    };
    validate(&resolve(&candidate, &BTreeMap::new()).settings)?;
    stored.values = values;
    stored.updated_at = Some(now);
    Ok(true)
}

/// The value's JSON type must be the default's (true/false, a whole number, or a list of
/// strings).
fn check_type(key: &str, v: &Value) -> CoreResult<()> {
    let default = as_map(&InstanceSettings::default());
    let ok = match default.get(key) {
        Some(Value::Bool(_)) => v.is_boolean(),
        Some(Value::Number(_)) => v.is_i64(),
        Some(Value::Array(_)) => v
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Some(Value::String(_)) => v.as_str().is_some_and(|s| text_allowed(key, s)),
        _ => false,
    };
    match default.get(key) {
        _ if ok => Ok(()),
        Some(Value::String(_)) => Err(CoreError::value(key, text_choices(key))),
        Some(Value::Bool(_)) => Err(CoreError::format(key, "must be true or false")),
        Some(Value::Array(_)) => Err(CoreError::format(key, "must be a list of strings")),
        _ => Err(CoreError::format(key, "must be a whole number")),
    }
}

/// Whether `s` is one of the values a text setting takes.
fn text_allowed(key: &str, s: &str) -> bool {
    match key {
        SIGN_UP_MODE => SignUpMode::parse(s).is_some(),
        k if FIELD_RULES.contains(&k) => FieldRule::parse(s).is_some(),
        _ => false,
    }
}

fn text_choices(key: &str) -> &'static str {
    match key {
        SIGN_UP_MODE => "must be public, restricted or waitlist",
        k if FIELD_RULES.contains(&k) => "must be off, optional or required",
        _ => "is not a text setting",
    }
}

/// The key of the sign-up mode.
pub const SIGN_UP_MODE: &str = "sign_up_mode";

/// The keys of the sign-up fields' rules (`off`, `optional`, `required`).
pub const FIELD_RULES: [&str; 3] = ["first_name_field", "last_name_field", "username_field"];

/// The value as stored: allowed origins each reduced to `scheme://host[:port]` (an exact
/// origin; a wildcard, a path or another scheme refused), sorted, without repeats.
fn normalized(key: &str, v: &Value) -> CoreResult<Value> {
    if key != ALLOWED_ORIGINS {
        return Ok(v.clone());
    }
    let mut origins = Vec::new();
    for item in v.as_array().into_iter().flatten() {
        let text = item.as_str().unwrap_or_default();
        let Some(origin) = normalize_origin(text) else {
            return Err(CoreError::value(
                key,
                format!(
                    "must hold exact origins (scheme://host[:port], http or https, no wildcard): {text:?} is not one"
                ),
            ));
        };
        origins.push(origin);
    }
    origins.sort();
    origins.dedup();
    Ok(Value::from(origins))
}

/// The key of the Frontend API's allowed origins.
pub const ALLOWED_ORIGINS: &str = "allowed_origins";

/// `scheme://host[:port]`, lower-cased, without a path or trailing slash; `None` if not one
/// (a wildcard, credentials, a path, a query or another scheme).
pub fn normalize_origin(s: &str) -> Option<String> {
    let s = s.trim().trim_end_matches('/');
    let (scheme, rest) = s.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https")
        || rest.is_empty()
        || rest.contains(['/', '?', '#', '@', '*', ' '])
    {
        return None;
    }
    Some(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

/// Turns the text an operator typed (`usher config set KEY VALUE`) into the key's JSON type.
pub fn parse_value(key: &str, text: &str) -> CoreResult<Value> {
    let default = as_map(&InstanceSettings::default());
    let value = match default.get(key) {
        None => return Err(CoreError::value(key, "is not an instance setting")),
        Some(Value::Array(_)) => Value::from(
            text.split([',', ' '])
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        Some(Value::String(_)) => Value::from(text.trim()),
        Some(Value::Bool(_)) => match text.trim() {
            "true" | "on" | "yes" => Value::Bool(true),
            "false" | "off" | "no" => Value::Bool(false),
            _ => return Err(CoreError::format(key, "must be true or false")),
        },
        Some(_) => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| CoreError::format(key, "must be a whole number"))?,
    };
    Ok(value)
}

fn within(key: &str, v: i64, min: i64, max: i64, unit: &str) -> CoreResult<()> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(CoreError::value(
            key,
            format!("must be between {min} and {max}{unit}"),
        ))
    }
}

/// The bounds every stored combination keeps.
pub fn validate(s: &InstanceSettings) -> CoreResult<()> {
    within(
        "session_token_lifetime_secs",
        s.session_token_lifetime_secs,
        30,
        86_400,
        " seconds",
    )?;
    within(
        "session_max_lifetime_ms",
        s.session_max_lifetime_ms,
        5 * MINUTE_MS,
        3650 * DAY_MS,
        " ms (5 minutes to 10 years)",
    )?;
    within(
        "session_inactivity_ms",
        s.session_inactivity_ms,
        5 * MINUTE_MS,
        3650 * DAY_MS,
        " ms (5 minutes to 10 years)",
    )?;
    within(
        "lockout_duration_secs",
        s.lockout_duration_secs,
        60,
        30 * 86_400,
        " seconds",
    )?;
    within(
        "max_verification_attempts",
        s.max_verification_attempts,
        1,
        100,
        "",
    )?;
    let (min, max) = (s.password_min_length as i64, s.password_max_length as i64);
    within("password_min_length", min, 8, 72, "")?;
    within("password_max_length", max, 8, 72, "")?;
    if min > max {
        return Err(CoreError::value(
            "password_min_length",
            "must not exceed password_max_length",
        ));
    }
    within(
        "organization_max_allowed_memberships",
        s.organization_max_allowed_memberships,
        0,
        100_000,
        " (0: no limit)",
    )?;
    within(
        "degraded_mode_window_secs",
        s.degraded_mode_window_secs,
        60,
        24 * 3600,
        " seconds (1 minute to 1 day)",
    )?;
    within(
        "degraded_mode_db_timeout_ms",
        s.degraded_mode_db_timeout_ms,
        100,
        30_000,
        " ms",
    )?;
    for (key, days) in [
        ("retention_events_days", s.retention_events_days),
        (
            "retention_webhook_deliveries_days",
            s.retention_webhook_deliveries_days,
        ),
        ("retention_emails_days", s.retention_emails_days),
        ("retention_sms_days", s.retention_sms_days),
        ("retention_audit_days", s.retention_audit_days),
    ] {
        within(key, days, 0, 36_500, " days (0: kept forever)")?;
    }
    if s.phone_number_required && !s.phone_numbers_enabled {
        return Err(CoreError::value(
            "phone_number_required",
            "needs phone_numbers_enabled",
        ));
    }
    if s.force_organization_selection && !s.organizations_enabled {
        return Err(CoreError::value(
            "force_organization_selection",
            "needs organizations_enabled",
        ));
    }
    Ok(())
}

/// What an instance created before its settings were stored kept in its own record: the values
/// that differ from the defaults, the first stored document.
pub fn seed_from(legacy: &InstanceSettings) -> BTreeMap<String, Value> {
    let defaults = as_map(&InstanceSettings::default());
    as_map(legacy)
        .into_iter()
        .filter(|(k, v)| defaults.get(k) != Some(v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(pairs: &[(&str, Value)]) -> SettingsPatch {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), Some(v.clone())))
            .collect()
    }

    #[test]
    fn sources_layer_default_database_flag() {
        let mut stored = StoredSettings::default();
        assert!(
            apply(
                &mut stored,
                &patch(&[("client_trust", Value::Bool(false))]),
                5
            )
            .unwrap()
        );
        let flags = BTreeMap::from([("max_verification_attempts".to_string(), Value::from(3))]);
        let r = resolve(&stored, &flags);
        assert!(!r.settings.client_trust);
        assert_eq!(r.settings.max_verification_attempts, 3);
        assert_eq!(r.get("client_trust").unwrap().1, Source::Database);
        assert_eq!(r.get("max_verification_attempts").unwrap().1, Source::Flag);
        assert_eq!(r.get("password_min_length").unwrap().1, Source::Default);
        assert_eq!(r.entries().len(), keys().len());
    }

    #[test]
    fn bad_values_change_nothing() {
        let mut stored = StoredSettings::default();
        for bad in [
            patch(&[("password_min_length", Value::from(7))]),
            patch(&[("password_max_length", Value::from(73))]),
            patch(&[("client_trust", Value::from(1))]),
            patch(&[("retention_events_days", Value::from(-1))]),
            patch(&[("no_such_setting", Value::Bool(true))]),
            patch(&[("force_organization_selection", Value::Bool(true))]),
            patch(&[("degraded_mode_window_secs", Value::from(59))]),
            patch(&[("degraded_mode_db_timeout_ms", Value::from(30_001))]),
            patch(&[(SIGN_UP_MODE, Value::from("invite_only"))]),
            patch(&[(SIGN_UP_MODE, Value::Bool(true))]),
            patch(&[("first_name_field", Value::from("mandatory"))]),
            patch(&[("username_field", Value::Bool(false))]),
            patch(&[
                ("password_min_length", Value::from(20)),
                ("password_max_length", Value::from(10)),
            ]),
        ] {
            assert!(apply(&mut stored, &bad, 5).is_err(), "{bad:?}");
        }
        assert_eq!(stored, StoredSettings::default());
        assert!(!apply(&mut stored, &SettingsPatch::new(), 5).unwrap());
    }

    #[test]
    fn typed_text_is_parsed_by_the_keys_type() {
        assert_eq!(
            parse_value("client_trust", "off").unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            parse_value("password_min_length", "12").unwrap(),
            Value::from(12)
        );
        assert!(parse_value("password_min_length", "twelve").is_err());
        assert!(parse_value("nope", "1").is_err());
        assert_eq!(
            parse_value(SIGN_UP_MODE, " restricted ").unwrap(),
            Value::from("restricted")
        );
        assert_eq!(
            parse_value("last_name_field", "required").unwrap(),
            Value::from("required")
        );
        assert_eq!(
            parse_value(ALLOWED_ORIGINS, "https://a.test, https://b.test").unwrap(),
            serde_json::json!(["https://a.test", "https://b.test"])
        );
        assert_eq!(
            parse_value(ALLOWED_ORIGINS, "").unwrap(),
            serde_json::json!([])
        );
    }

    #[test]
    fn allowed_origins_are_exact_origins() {
        let mut stored = StoredSettings::default();
        let set = |list: Value| patch(&[(ALLOWED_ORIGINS, list)]);
        for bad in [
            serde_json::json!(["*"]),
            serde_json::json!(["https://*.example.com"]),
            serde_json::json!(["https://app.example.com/path"]),
            serde_json::json!(["ftp://app.example.com"]),
            serde_json::json!([1]),
            serde_json::json!("https://app.example.com"),
        ] {
            assert!(apply(&mut stored, &set(bad.clone()), 5).is_err(), "{bad}");
        }
        let list = serde_json::json!([
            "https://B.example.com/",
            "https://a.example.com",
            "https://a.example.com"
        ]);
        assert!(apply(&mut stored, &set(list), 5).unwrap());
        let r = resolve(&stored, &BTreeMap::new());
        assert_eq!(
            r.settings.allowed_origins,
            ["https://a.example.com", "https://b.example.com"]
        );
        assert_eq!(r.get(ALLOWED_ORIGINS).unwrap().1, Source::Database);
    }
}
