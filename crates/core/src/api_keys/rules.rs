//! What an API key may be: Clerk's limits on its fields, and its changes (create, update,
//! revoke). Whether the subject and the creator exist is the caller's read; here only their form.

use serde_json::Value;

use super::bearer;
use super::model::{API_KEY_TYPE, ApiKey, Subject};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ApiKeyId, UserId};
use crate::text;

/// Clerk's `name` needs 3 characters and no surrounding whitespace.
const NAME_MIN: usize = 3;
const NAME_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 255;
const SCOPES_MAX: usize = 100;
const SCOPE_MAX: usize = 256;

#[derive(Debug, Clone, Default)]
pub struct NewApiKey {
    pub kind: Option<String>,
    pub name: String,
    pub subject: String,
    pub description: Option<String>,
    pub claims: Option<Value>,
    pub scopes: Vec<String>,
    pub created_by: Option<String>,
    pub seconds_until_expiration: Option<i64>,
}

/// A `PATCH`: absent fields stay; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ApiKeyPatch {
    pub subject: Option<String>,
    pub description: Option<Option<String>>,
    pub claims: Option<Option<Value>>,
    pub scopes: Option<Vec<String>>,
    pub seconds_until_expiration: Option<Option<i64>>,
}

/// The subject's form: a user or an organization id.
pub fn subject(s: &str) -> CoreResult<Subject> {
    Subject::parse(s)
        .ok_or_else(|| CoreError::value("subject", "must be a user or organization id"))
}

pub fn created_by(s: &str) -> CoreResult<UserId> {
    UserId::parse(s).map_err(|_| CoreError::value("created_by", "must be a user id"))
}

fn name(s: &str) -> CoreResult<String> {
    let n = s.chars().count();
    if !(NAME_MIN..=NAME_MAX).contains(&n) {
        return Err(CoreError::value("name", "must be 3 to 256 characters"));
    }
    if s.trim() != s {
        return Err(CoreError::value(
            "name",
            "must not start or end with whitespace",
        ));
    }
    Ok(s.to_owned())
}

fn description(d: Option<String>) -> CoreResult<Option<String>> {
    if let Some(d) = &d {
        text::at_most("description", d, DESCRIPTION_MAX)?;
    }
    Ok(d.filter(|d| !d.is_empty()))
}

fn scopes(s: Vec<String>) -> CoreResult<Vec<String>> {
    if s.len() > SCOPES_MAX {
        return Err(CoreError::value("scopes", "may hold at most 100 scopes"));
    }
    if s.iter()
        .any(|x| x.is_empty() || x.len() > SCOPE_MAX || x.contains(char::is_whitespace))
    {
        return Err(CoreError::value(
            "scopes",
            "must be non-empty words without whitespace",
        ));
    }
    Ok(s)
}

/// When a key given `seconds` to live from `now` expires.
fn expiration(seconds: Option<i64>, now: Millis) -> CoreResult<Option<Millis>> {
    Ok(match seconds {
        None => None,
        Some(s) => Some(now + bearer::lifetime_seconds(s)? * 1000),
    })
}

/// A new key from checked input (the subject and creator were found by the caller).
pub fn create(input: NewApiKey, now: Millis) -> CoreResult<ApiKey> {
    if input.kind.as_deref().is_some_and(|k| k != API_KEY_TYPE) {
        return Err(CoreError::value("type", "must be api_key"));
    }
    let subject = subject(&input.subject)?;
    let created_by = input.created_by.as_deref().map(created_by).transpose()?;
    Ok(ApiKey {
        id: ApiKeyId::mint(),
        kind: API_KEY_TYPE.to_owned(),
        subject: subject.as_str().to_owned(),
        name: name(&input.name)?,
        description: description(input.description)?,
        claims: bearer::claims(input.claims)?,
        scopes: scopes(input.scopes)?,
        revoked: false,
        revocation_reason: None,
        expiration: expiration(input.seconds_until_expiration, now)?,
        created_by,
        last_used_at: None,
        created_at: now,
        updated_at: now,
        version: 0,
    })
}

/// `key` with `patch` applied; `None` when nothing changes.
pub fn update(key: &ApiKey, patch: ApiKeyPatch, now: Millis) -> CoreResult<Option<ApiKey>> {
    let mut next = key.clone();
    if let Some(s) = patch.subject {
        next.subject = subject(&s)?.as_str().to_owned();
    }
    if let Some(d) = patch.description {
        next.description = description(d)?;
    }
    if let Some(c) = patch.claims {
        next.claims = bearer::claims(c)?;
    }
    if let Some(s) = patch.scopes {
        next.scopes = scopes(s)?;
    }
    if let Some(s) = patch.seconds_until_expiration {
        next.expiration = expiration(s, now)?;
    }
    if next == *key {
        return Ok(None);
    }
    next.updated_at = now;
    Ok(Some(next))
}

/// `key` revoked for `reason`; `None` when it was revoked already (the first reason stays).
pub fn revoke(key: &ApiKey, reason: Option<String>, now: Millis) -> CoreResult<Option<ApiKey>> {
    if key.revoked {
        return Ok(None);
    }
    let reason = bearer::revocation_reason(reason)?;
    let mut next = key.clone();
    next.revoked = true;
    next.revocation_reason = reason;
    next.updated_at = now;
    Ok(Some(next))
}

/// Verification's decision once the look-up by `digest` has answered: the key it `found` is the
/// secret's (digests equal, in constant time) and usable `now`. Unknown, revoked and expired all
/// answer `None`, so a caller learns nothing about which.
pub fn accept(found: Option<(ApiKey, String)>, digest: &str, now: Millis) -> Option<ApiKey> {
    let (key, stored) = found?;
    (super::secrets::same_digest(digest, &stored) && key.usable(now)).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrganizationId;

    fn input() -> NewApiKey {
        NewApiKey {
            name: "CI deploys".into(),
            subject: UserId::new().into_string(),
            ..NewApiKey::default()
        }
    }

    fn param(e: CoreError) -> String {
        match e {
            CoreError::ParamValueInvalid { param, .. } => param,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn creates_with_clerks_defaults() {
        let k = create(input(), 1_000).unwrap();
        assert_eq!(k.kind, "api_key");
        assert!(!k.revoked && k.expiration.is_none() && k.scopes.is_empty());
        assert!(k.usable(i64::MAX));
        let org = OrganizationId::new().into_string();
        let k = create(
            NewApiKey {
                subject: org.clone(),
                seconds_until_expiration: Some(60),
                ..input()
            },
            1_000,
        )
        .unwrap();
        assert_eq!(k.subject, org);
        assert_eq!(k.expiration, Some(61_000));
        assert!(k.usable(60_999) && !k.usable(61_000) && k.expired(61_000));
    }

    #[test]
    fn refuses_bad_fields_naming_them() {
        let cases: Vec<(NewApiKey, &str)> = vec![
            (
                NewApiKey {
                    name: "ab".into(),
                    ..input()
                },
                "name",
            ),
            (
                NewApiKey {
                    name: " padded ".into(),
                    ..input()
                },
                "name",
            ),
            (
                NewApiKey {
                    subject: "mch_x".into(),
                    ..input()
                },
                "subject",
            ),
            (
                NewApiKey {
                    subject: "user_a-b".into(),
                    ..input()
                },
                "subject",
            ),
            (
                NewApiKey {
                    seconds_until_expiration: Some(0),
                    ..input()
                },
                "seconds_until_expiration",
            ),
            (
                NewApiKey {
                    seconds_until_expiration: Some(-5),
                    ..input()
                },
                "seconds_until_expiration",
            ),
            (
                NewApiKey {
                    seconds_until_expiration: Some(i64::MAX),
                    ..input()
                },
                "seconds_until_expiration",
            ),
            (
                NewApiKey {
                    claims: Some(Value::from(3)),
                    ..input()
                },
                "claims",
            ),
            (
                NewApiKey {
                    scopes: vec!["a b".into()],
                    ..input()
                },
                "scopes",
            ),
            (
                NewApiKey {
                    description: Some("x".repeat(256)),
                    ..input()
                },
                "description",
            ),
            (
                NewApiKey {
                    created_by: Some("org_x".into()),
                    ..input()
                },
                "created_by",
            ),
            (
                NewApiKey {
                    kind: Some("machine".into()),
                    ..input()
                },
                "type",
            ),
        ];
        for (i, want) in cases {
            assert_eq!(param(create(i, 0).unwrap_err()), want);
        }
    }

    #[test]
    fn update_and_revoke() {
        let k = create(input(), 0).unwrap();
        assert!(update(&k, ApiKeyPatch::default(), 5).unwrap().is_none());
        let u = update(
            &k,
            ApiKeyPatch {
                scopes: Some(vec!["read".into()]),
                seconds_until_expiration: Some(Some(10)),
                ..ApiKeyPatch::default()
            },
            5,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (u.scopes.clone(), u.expiration, u.updated_at),
            (vec!["read".to_owned()], Some(10_005), 5)
        );
        let r = revoke(&u, Some("leaked".into()), 9).unwrap().unwrap();
        assert!(r.revoked && !r.usable(0));
        assert_eq!(r.revocation_reason.as_deref(), Some("leaked"));
        assert!(revoke(&r, None, 10).unwrap().is_none());
    }

    #[test]
    fn accept_needs_the_same_digest_and_a_usable_key() {
        let k = create(
            NewApiKey {
                seconds_until_expiration: Some(1),
                ..input()
            },
            0,
        )
        .unwrap();
        let found = |d: &str| Some((k.clone(), d.to_owned()));
        assert_eq!(
            accept(found("d1"), "d1", 999).map(|k| k.id),
            Some(k.id.clone())
        );
        assert!(accept(found("d1"), "d2", 999).is_none());
        assert!(accept(found("d1"), "d1", 1_000).is_none(), "expired");
        assert!(accept(None, "d1", 0).is_none());
        let revoked = revoke(&k, None, 0).unwrap().unwrap();
        assert!(accept(Some((revoked, "d1".into())), "d1", 0).is_none());
    }
}
