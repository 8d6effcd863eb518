//! Session tokens: Clerk's v2 claims, signed RS256 by the instance's active key.

use serde::Serialize;
use serde_json::{Map, Value};

use super::model::{Session, SessionStatus};
use crate::billing::Entitlements;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::random_hex;
use crate::instance::Instance;
use crate::jwt_templates::session_claims::merge;
use crate::roles::claims::{ActiveOrganization, OrganizationClaim, encode_claims_with};
use crate::roles::system;
use crate::signing_keys::SigningKey;
use crate::store::{ActiveMembership, SessionForToken};
use crate::users::lockout;

/// Clerk backdates `nbf` so that slightly slow clocks accept a fresh token.
pub const NBF_BACKDATE_SECS: i64 = 10;
pub const MIN_LIFETIME_SECS: i64 = 30;
pub const MAX_LIFETIME_SECS: i64 = 315_360_000;

/// The claims of a v2 session token. Field order is the order on the wire.
#[derive(Debug, Serialize)]
pub struct SessionClaims<'a> {
    /// An impersonation session's actor (`act`, RFC 8693): the actor token's whole payload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<&'a serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azp: Option<&'a str>,
    pub exp: i64,
    /// The active organization's features (`o:<feature>`, which `o.fpm` indexes: its role's
    /// permissions' and its plan's), then the user's plan's (`u:<feature>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fea: Option<String>,
    pub fva: [i64; 2],
    pub iat: i64,
    pub iss: &'a str,
    pub jti: String,
    pub nbf: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub o: Option<OrganizationClaim>,
    /// The user's plan (`u:<slug>`) and the active organization's (`o:<slug>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pla: Option<String>,
    pub sid: &'a str,
    pub sts: &'static str,
    pub sub: &'a str,
    pub v: u8,
}

/// Minutes since a factor was verified, `-1` when it never was: the token's `fva` claim.
fn minutes_since(at: Option<Millis>, now: Millis) -> i64 {
    at.map_or(-1, |t| ((now - t).max(0)) / 60_000)
}

pub struct MintRequest<'a> {
    pub instance: &'a Instance,
    pub issuer: &'a str,
    pub session: &'a Session,
    pub lifetime_secs: Option<i64>,
    pub authorized_party: Option<&'a str>,
    /// The organization the session is active in, if any: the token's `o` and `fea` claims.
    pub organization: Option<&'a ActiveOrganization>,
    /// The instance's custom claims, rendered for this session (`jwt_templates::session_claims`):
    /// under the default claims, which win.
    pub custom_claims: Option<&'a Map<String, Value>>,
    /// The user's plan and the organization's (`billing`): `pla` and their features in `fea`.
    /// The organization's counts only with an organization in the token.
    pub entitlements: Option<&'a Entitlements>,
    pub now: Millis,
}

/// The gate before every token, on the Backend API's and the Frontend API's token endpoints
/// alike: a banned or locked user gets none, whatever the state of the session.
pub fn ensure_user_may_hold_token(found: &SessionForToken, now: Millis) -> CoreResult<()> {
    lockout::ensure_not_barred(found.user_banned, found.user_locked_until, now)
}

/// The organization a token is minted for: the membership read with the session, with a system
/// role's permissions filled in. A removed member, or a deleted organization, has none.
pub fn active_organization(membership: &ActiveMembership) -> ActiveOrganization {
    let permissions = match system::describe(&membership.role) {
        Some((_, keys)) => keys.into_iter().map(str::to_owned).collect(),
        None => membership.custom_permissions.clone(),
    };
    ActiveOrganization {
        id: membership.organization_id.to_string(),
        slug: membership.organization_slug.clone(),
        role_key: membership.role.clone(),
        permissions,
    }
}

pub fn validate_lifetime(secs: Option<i64>) -> CoreResult<()> {
    match secs {
        Some(s) if !(MIN_LIFETIME_SECS..=MAX_LIFETIME_SECS).contains(&s) => Err(CoreError::value(
            "expires_in_seconds",
            format!("must be between {MIN_LIFETIME_SECS} and {MAX_LIFETIME_SECS}"),
        )),
        _ => Ok(()),
    }
}

/// A pending session's token names no organization (`sts: pending`, no `o`), as Clerk's: it is
/// signed out for the backend SDKs until the user chooses one.
pub fn mint(key: &SigningKey, req: &MintRequest<'_>) -> CoreResult<String> {
    let status = super::tasks::effective_status(
        req.session,
        &req.instance.settings,
        req.organization.is_some(),
        req.now,
    );
    let organization = req.organization.filter(|_| status == SessionStatus::Active);
    let sts = match status {
        SessionStatus::Active => "active",
        SessionStatus::Pending => "pending",
        other => {
            return Err(CoreError::SessionNotActive {
                status: other.as_str(),
            });
        }
    };
    validate_lifetime(req.lifetime_secs)?;
    let iat = req.now / 1000;
    let lifetime = req
        .lifetime_secs
        .unwrap_or(req.instance.settings.session_token_lifetime_secs);
    let plans = match (req.entitlements, organization) {
        (Some(p), Some(_)) => p.clone(),
        (Some(p), None) => p.user_only(),
        (None, _) => Entitlements::default(),
    };
    let (o, org_fea) =
        match organization.map(|org| encode_claims_with(org, plans.organization_features())) {
            Some(encoded) => (Some(encoded.o), encoded.fea),
            None => (None, None),
        };
    let fea_parts: Vec<String> = org_fea.into_iter().chain(plans.user_features()).collect();
    let fea = (!fea_parts.is_empty()).then(|| fea_parts.join(","));
    let claims = SessionClaims {
        act: req.session.actor.as_ref(),
        azp: req.authorized_party,
        exp: iat + lifetime,
        fea,
        fva: [
            minutes_since(Some(req.session.first_factor_verified_at), req.now),
            minutes_since(req.session.second_factor_verified_at, req.now),
        ],
        iat,
        iss: req.issuer,
        jti: random_hex(10),
        nbf: iat - NBF_BACKDATE_SECS,
        o,
        pla: plans.pla(),
        sid: &req.session.id,
        sts,
        sub: &req.session.user_id,
        v: 2,
    };
    let json = match req.custom_claims.filter(|c| !c.is_empty()) {
        None => serde_json::to_vec(&claims),
        Some(custom) => {
            let defaults = match serde_json::to_value(&claims) {
                Ok(Value::Object(d)) => d,
                _ => return Err(CoreError::Crypto("session claims are not an object".into())),
            };
            serde_json::to_vec(&merge(custom.clone(), defaults))
        }
    }
    .map_err(|e| CoreError::Crypto(e.to_string()))?;
    key.sign_jwt(&json)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Value, json};

    use super::*;
    use crate::ids::{ClientId, InstanceId, OrganizationId};
    use crate::instance::{Environment, InstanceSettings};
    use crate::sessions::lifecycle::new_session;
    use crate::users::create::{NewUser, validate};

    fn payload(token: &str) -> Value {
        let part = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn mint_with(organization: Option<&ActiveOrganization>) -> Value {
        mint_as(
            SessionStatus::Active,
            InstanceSettings::default(),
            organization,
        )
    }

    fn mint_as(
        status: SessionStatus,
        settings: InstanceSettings,
        organization: Option<&ActiveOrganization>,
    ) -> Value {
        mint_full(status, settings, organization, None, None)
    }

    fn mint_full(
        status: SessionStatus,
        settings: InstanceSettings,
        organization: Option<&ActiveOrganization>,
        custom_claims: Option<&Map<String, Value>>,
        entitlements: Option<&Entitlements>,
    ) -> Value {
        let (key, _) = SigningKey::generate("ins_t", &InstanceId::from_stored("ins_t"), 0).unwrap();
        let instance = Instance {
            id: InstanceId::from_stored("ins_t"),
            environment: Environment::Development,
            frontend_host: "example.test".into(),
            settings,
            created_at: 0,
        };
        let now = 1_000_000;
        let session = Session {
            last_active_organization_id: organization
                .map(|o| OrganizationId::from_stored(o.id.clone())),
            ..crate::sessions::fixtures::session(status, now, now + 60_000)
        };
        let token = mint(
            &key,
            &MintRequest {
                instance: &instance,
                issuer: "https://example.test",
                session: &session,
                lifetime_secs: None,
                authorized_party: None,
                organization,
                custom_claims,
                entitlements,
                now,
            },
        )
        .unwrap();
        payload(&token)
    }

    #[test]
    fn custom_claims_are_added_under_the_default_ones() {
        let custom = json!({"role": "admin", "sid": "forged", "sts": "forged"});
        let claims = mint_full(
            SessionStatus::Active,
            InstanceSettings::default(),
            None,
            custom.as_object(),
            None,
        );
        assert_eq!(claims["role"], "admin");
        assert_eq!(claims["sid"], "sess_1");
        assert_eq!(claims["sts"], "active");
        assert_eq!(claims["v"], 2);
    }

    #[test]
    fn an_active_organization_adds_o_and_fea() {
        let org = ActiveOrganization {
            id: "org_1".into(),
            slug: "acme".into(),
            role_key: "org:admin".into(),
            permissions: vec![
                "org:sys_memberships:manage".into(),
                "org:members:read".into(),
                "org:members:manage".into(),
            ],
        };
        let claims = mint_with(Some(&org));
        assert_eq!(
            claims["o"],
            json!({"id": "org_1", "rol": "admin", "slg": "acme", "per": "manage,read", "fpm": "3"})
        );
        assert_eq!(claims["fea"], "o:members");
        assert_eq!(claims["v"], 2);
    }

    #[test]
    fn plans_add_pla_and_their_features_to_fea() {
        use crate::billing::Entitlement;
        let plans = Entitlements {
            user: Some(Entitlement::from_stored("pro".into(), "export")),
            organization: Some(Entitlement::from_stored("team".into(), "sso")),
        };
        let org = ActiveOrganization {
            id: "org_1".into(),
            slug: "acme".into(),
            role_key: "org:admin".into(),
            permissions: vec!["org:members:read".into()],
        };
        let on = InstanceSettings::default;
        let with_org = mint_full(SessionStatus::Active, on(), Some(&org), None, Some(&plans));
        assert_eq!(with_org["pla"], "u:pro,o:team");
        assert_eq!(with_org["fea"], "o:members,o:sso,u:export");
        assert_eq!(with_org["o"]["fpm"], "1,0");
        let personal = mint_full(SessionStatus::Active, on(), None, None, Some(&plans));
        assert_eq!(personal["pla"], "u:pro");
        assert_eq!(personal["fea"], "u:export");
        let none = mint_full(SessionStatus::Active, on(), None, None, None);
        assert!(none.get("pla").is_none() && none.get("fea").is_none());
    }

    #[test]
    fn pending_sessions_mint_pending_tokens_without_an_organization() {
        let org = ActiveOrganization {
            id: "org_1".into(),
            slug: "acme".into(),
            role_key: "org:admin".into(),
            permissions: vec![],
        };
        let forced = InstanceSettings {
            organizations_enabled: true,
            force_organization_selection: true,
            ..Default::default()
        };
        let claims = mint_as(SessionStatus::Pending, forced.clone(), Some(&org));
        assert_eq!(claims["sts"], "pending");
        assert!(claims.get("o").is_none(), "{claims}");
        // Active on a forced instance but no longer a member: pending again.
        let claims = mint_as(SessionStatus::Active, forced.clone(), None);
        assert_eq!(claims["sts"], "pending");
        let claims = mint_as(SessionStatus::Active, forced, Some(&org));
        assert_eq!(
            (claims["sts"].as_str(), claims["o"]["id"].as_str()),
            (Some("active"), Some("org_1"))
        );
    }

    #[test]
    fn without_an_organization_there_is_no_o_or_fea() {
        let claims = mint_with(None);
        assert!(claims.get("o").is_none(), "{claims}");
        assert!(claims.get("fea").is_none(), "{claims}");
        assert_eq!(claims["sub"], "user_1");
    }

    #[test]
    fn banned_or_locked_users_get_no_token() {
        let instance = Instance {
            id: InstanceId::from_stored("ins_1"),
            environment: Environment::Development,
            frontend_host: "a.b".into(),
            settings: InstanceSettings::default(),
            created_at: 0,
        };
        let user = validate(
            NewUser {
                email_addresses: vec!["a@b.co".into()],
                skip_password_requirement: true,
                ..Default::default()
            },
            &instance.settings,
        )
        .unwrap()
        .into_user(None, &instance.settings, 0);
        let found = |user_banned, user_locked_until| SessionForToken {
            session: new_session(
                &instance,
                &ClientId::from_stored("client_1"),
                &user,
                None,
                0,
            ),
            user_banned,
            user_locked_until,
            active_membership: None,
            user_plan: None,
        };
        assert_eq!(
            ensure_user_may_hold_token(&found(false, None), 1_000),
            Ok(())
        );
        assert_eq!(
            ensure_user_may_hold_token(&found(true, None), 1_000),
            Err(CoreError::UserBanned)
        );
        assert_eq!(
            ensure_user_may_hold_token(&found(false, Some(5_000)), 1_000),
            Err(CoreError::UserLocked {
                expires_in_seconds: Some(4)
            })
        );
        // A lock that has run out bars nothing.
        assert_eq!(
            ensure_user_may_hold_token(&found(false, Some(5_000)), 5_000),
            Ok(())
        );
    }
}
