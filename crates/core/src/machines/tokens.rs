//! M2M tokens: what a creation asks for, its lifetime, the opaque token's secret, the JWT's
//! claims, revocation, and verification's decision.

use serde_json::{Map, Value};

use super::model::{M2mToken, Machine};
use crate::api_keys::bearer;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{M2mTokenId, random_alphanumeric};

/// Clerk's prefix of opaque M2M tokens (how `@clerk/backend` tells them from other tokens).
pub const TOKEN_PREFIX: &str = "mt_";
/// Random base62 characters after the prefix: about 238 bits.
const TOKEN_CHARS: usize = 40;
/// Claims Usher sets in an M2M JWT; a creation's `claims` may not name them.
pub const JWT_RESERVED_CLAIMS: [&str; 7] = ["iss", "sub", "exp", "nbf", "iat", "jti", "scopes"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum M2mTokenFormat {
    #[default]
    Opaque,
    Jwt,
}

impl M2mTokenFormat {
    pub fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "opaque" => Ok(Self::Opaque),
            "jwt" => Ok(Self::Jwt),
            _ => Err(CoreError::value("token_format", "must be opaque or jwt")),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewM2mToken {
    pub seconds_until_expiration: Option<i64>,
    pub claims: Option<Value>,
    pub format: M2mTokenFormat,
    /// Clerk's token reuse hint: checked against the lifetime; Usher always mints a new token.
    pub min_remaining_ttl_seconds: Option<i64>,
}

/// A fresh opaque token: `mt_` and 40 base62 characters.
pub fn new_secret() -> String {
    format!("{TOKEN_PREFIX}{}", random_alphanumeric(TOKEN_CHARS))
}

fn claims(c: Option<Value>, format: M2mTokenFormat) -> CoreResult<Option<Value>> {
    let Some(Value::Object(m)) = bearer::claims(c)? else {
        return Ok(None);
    };
    if format == M2mTokenFormat::Jwt && JWT_RESERVED_CLAIMS.iter().any(|k| m.contains_key(*k)) {
        return Err(CoreError::value(
            "claims",
            "must not set iss, sub, exp, nbf, iat, jti or scopes",
        ));
    }
    Ok((!m.is_empty()).then_some(Value::Object(m)))
}

/// The token `machine` mints now for `input`, carrying its scope `scopes`. The lifetime is the
/// one asked for, or the machine's default.
pub fn create(
    machine: &Machine,
    scopes: Vec<String>,
    input: NewM2mToken,
    now: Millis,
) -> CoreResult<M2mToken> {
    let seconds = match input.seconds_until_expiration {
        None => machine.default_token_ttl,
        Some(s) => bearer::lifetime_seconds(s)?,
    };
    if let Some(min) = input.min_remaining_ttl_seconds
        && (min < 0 || min >= seconds)
    {
        return Err(CoreError::value(
            "min_remaining_ttl_seconds",
            "must be at least zero and less than the token's lifetime",
        ));
    }
    Ok(M2mToken {
        id: M2mTokenId::mint(),
        subject: machine.id.clone(),
        scopes,
        claims: claims(input.claims, input.format)?,
        revoked: false,
        revocation_reason: None,
        expiration: Some(now + seconds * 1000),
        created_at: now,
        updated_at: now,
        version: 0,
    })
}

/// The JWT form of `token`: its custom claims, then `iss`, `sub` (the machine), `iat`, `nbf`,
/// `exp`, `jti` (the token id) and `scopes` (the machines it may call, space-separated, when
/// there are any), in seconds.
pub fn jwt_claims(token: &M2mToken, issuer: &str) -> Value {
    let mut m = match &token.claims {
        Some(Value::Object(c)) => c.clone(),
        _ => Map::new(),
    };
    let iat = token.created_at / 1000;
    m.insert("iss".into(), Value::from(issuer));
    m.insert("sub".into(), Value::from(token.subject.as_str()));
    m.insert("iat".into(), Value::from(iat));
    m.insert("nbf".into(), Value::from(iat));
    if let Some(exp) = token.expiration {
        m.insert("exp".into(), Value::from(exp / 1000));
    }
    m.insert("jti".into(), Value::from(token.id.as_str()));
    if !token.scopes.is_empty() {
        m.insert("scopes".into(), Value::from(token.scopes.join(" ")));
    }
    Value::Object(m)
}

/// `token` revoked for `reason`; `None` when it was revoked already (the first reason stays).
pub fn revoke(
    token: &M2mToken,
    reason: Option<String>,
    now: Millis,
) -> CoreResult<Option<M2mToken>> {
    let reason = bearer::revocation_reason(reason)?;
    if token.revoked {
        return Ok(None);
    }
    let mut next = token.clone();
    next.revoked = true;
    next.revocation_reason = reason;
    next.updated_at = now;
    Ok(Some(next))
}

/// Verification's decision once the look-up by `digest` answered: the token it `found` is the
/// secret's (digests equal, in constant time) and usable `now`. Unknown, revoked and expired
/// all answer `None`.
pub fn accept(found: Option<(M2mToken, String)>, digest: &str, now: Millis) -> Option<M2mToken> {
    let (token, stored) = found?;
    (crate::api_keys::secrets::same_digest(digest, &stored) && token.usable(now)).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MachineId;

    fn machine() -> Machine {
        Machine {
            id: MachineId::new(),
            name: "m".into(),
            default_token_ttl: 60,
            created_at: 0,
            updated_at: 0,
            version: 1,
        }
    }

    #[test]
    fn lifetime_defaults_to_the_machines_and_is_bounded() {
        let m = machine();
        let t = create(&m, vec![], NewM2mToken::default(), 1_000).unwrap();
        assert_eq!(t.expiration, Some(61_000));
        assert!(t.id.starts_with("mt_") && t.id.len() == 35);
        assert!(t.usable(60_999) && !t.usable(61_000));
        let asked = NewM2mToken {
            seconds_until_expiration: Some(5),
            ..NewM2mToken::default()
        };
        assert_eq!(
            create(&m, vec![], asked, 0).unwrap().expiration,
            Some(5_000)
        );
        for bad in [Some(0), Some(-1), Some(i64::MAX)] {
            let i = NewM2mToken {
                seconds_until_expiration: bad,
                ..NewM2mToken::default()
            };
            assert!(create(&m, vec![], i, 0).is_err());
        }
        let reuse = NewM2mToken {
            min_remaining_ttl_seconds: Some(60),
            ..NewM2mToken::default()
        };
        assert!(create(&m, vec![], reuse, 0).is_err());
    }

    #[test]
    fn jwt_claims_hold_the_custom_ones_and_refuse_reserved_names() {
        let m = machine();
        let other = MachineId::new().into_string();
        let i = NewM2mToken {
            claims: Some(serde_json::json!({"team": "ops"})),
            format: M2mTokenFormat::Jwt,
            ..NewM2mToken::default()
        };
        let t = create(&m, vec![other.clone()], i, 2_000).unwrap();
        let c = jwt_claims(&t, "https://issuer");
        assert_eq!(c["sub"], m.id.as_str());
        assert_eq!(c["team"], "ops");
        assert_eq!((c["iat"].as_i64(), c["exp"].as_i64()), (Some(2), Some(62)));
        assert_eq!(c["scopes"], other.as_str());
        assert_eq!(c["jti"], t.id.as_str());
        let reserved = NewM2mToken {
            claims: Some(serde_json::json!({"sub": "x"})),
            format: M2mTokenFormat::Jwt,
            ..NewM2mToken::default()
        };
        assert!(create(&m, vec![], reserved, 0).is_err());
        assert!(M2mTokenFormat::parse("paseto").is_err());
    }

    #[test]
    fn revoke_once_and_accept_only_usable_tokens() {
        let t = create(&machine(), vec![], NewM2mToken::default(), 0).unwrap();
        assert!(accept(Some((t.clone(), "d".into())), "d", 1).is_some());
        assert!(accept(Some((t.clone(), "d".into())), "e", 1).is_none());
        assert!(accept(Some((t.clone(), "d".into())), "d", 60_000).is_none());
        let r = revoke(&t, Some("leaked".into()), 5).unwrap().unwrap();
        assert!(accept(Some((r.clone(), "d".into())), "d", 6).is_none());
        assert!(revoke(&r, None, 6).unwrap().is_none());
        assert_eq!(r.revocation_reason.as_deref(), Some("leaked"));
    }
}
