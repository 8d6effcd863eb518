//! Client, session, sign-in and sign-up objects of the Frontend API.

use serde_json::{Value, json};
use usher_core::clients::factors::FactorVerification;
use usher_core::clients::sign_ins::{SignIn, SignInStatus};
use usher_core::clients::sign_up_fields;
use usher_core::clients::sign_ups::SignUp;
use usher_core::clients::supported::{self, SupportedFactor};
use usher_core::clients::{Client, Strategy};
use usher_core::clock::Millis;
use usher_core::ids::OrganizationId;
use usher_core::roles::RoleCatalog;
use usher_core::sessions::devices::describe;
use usher_core::sessions::tasks::{effective_status, tasks};
use usher_core::sessions::{Session, SessionStatus};
use usher_core::users::User;

use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::{Organization, OrganizationMembership};

use super::api_version::ApiVersion;
use super::organizations;
use crate::wire::users::UserJson;

/// Everything a client renders with, read once per response.
pub struct ClientView {
    pub client: Client,
    /// Live sessions on the client with their users, oldest first.
    pub sessions: Vec<(Session, User)>,
    /// The user the sign-in attempt identified.
    pub sign_in_user: Option<User>,
    /// A fresh token of the last active session, so clerk-js need not ask for one at once.
    pub last_active_token: Option<String>,
    /// The organization memberships of the sessions' users.
    pub memberships: UserMemberships,
}

/// The organization memberships of the users a response shows, read in one query for the whole
/// response: clerk-js finds the active organization, and its permissions, in them.
#[derive(Debug, Default)]
pub struct UserMemberships {
    list: Vec<(OrganizationMembership, Organization)>,
    /// The roles the memberships name; `None` when memberships were not read.
    roles: Option<RoleCatalog>,
}

/// For what renders users without having read memberships: an empty list, as when organizations
/// are off.
pub static NO_MEMBERSHIPS: UserMemberships = UserMemberships {
    list: Vec::new(),
    roles: None,
};

impl UserMemberships {
    pub fn new(list: Vec<(OrganizationMembership, Organization)>, roles: RoleCatalog) -> Self {
        Self {
            list,
            roles: Some(roles),
        }
    }

    /// Whether the user is a member of the organization; `None` when memberships were not read.
    fn holds(&self, u: &User, org: &OrganizationId) -> Option<bool> {
        self.roles.is_some().then(|| {
            self.list
                .iter()
                .any(|(m, _)| m.user_id == u.id && &m.organization_id == org)
        })
    }

    fn of(&self, u: &User) -> Vec<Value> {
        let Some(roles) = &self.roles else {
            return Vec::new();
        };
        self.list
            .iter()
            .filter(|(m, _)| m.user_id == u.id)
            .map(|(m, o)| {
                organizations::membership(&MembershipDetails::new(
                    m.clone(),
                    o.clone(),
                    Some(u.clone()),
                    roles,
                ))
            })
            .collect()
    }
}

pub struct RenderContext<'a> {
    pub settings: crate::state::Settings,
    pub now: Millis,
    /// The Frontend API version the caller speaks: some shapes differ by version.
    pub api_version: ApiVersion,
    pub memberships: &'a UserMemberships,
}

pub fn user(u: &User, cx: &RenderContext<'_>) -> Value {
    let mut j = serde_json::to_value(UserJson::frontend(
        u,
        cx.settings.max_verification_attempts,
        cx.now,
    ))
    .unwrap_or(Value::Null);
    // The Frontend API's user has an integer limit or none at all, never null.
    if let Some(o) = j.as_object_mut()
        && o.get("create_organizations_limit") == Some(&Value::Null)
    {
        o.remove("create_organizations_limit");
    }
    j["organization_memberships"] = Value::Array(cx.memberships.of(u));
    // clerk-js names a provider without the strategy's `oauth_` (`google`).
    if let Some(list) = j.get_mut("external_accounts").and_then(Value::as_array_mut) {
        for a in list {
            let bare = a["provider"]
                .as_str()
                .and_then(|p| p.strip_prefix("oauth_"))
                .map(str::to_owned);
            if let Some(p) = bare {
                a["provider"] = Value::String(p);
            }
        }
    }
    j
}

fn public_user_data(u: &User) -> Value {
    let identifier = u
        .primary_email()
        .map(|e| e.email_address.clone())
        .or_else(|| u.username.clone())
        .unwrap_or_default();
    let image_url = UserJson::image_of(u);
    json!({
        "first_name": u.first_name,
        "last_name": u.last_name,
        "image_url": image_url,
        "has_image": u.has_image(),
        "identifier": identifier,
        "user_id": u.id,
        "profile_image_url": image_url,
    })
}

/// A session in the user's list of devices (`GET /v1/me/sessions/active`): the session with
/// what its user agent and address say about the device it runs on.
pub fn session_with_activity(s: &Session, u: &User, cx: &RenderContext<'_>) -> Value {
    let device = describe(s.user_agent.as_deref());
    let mut j = session(s, u, None, cx);
    let mut activity = json!({
        "object": "session_activity",
        "id": s.id,
        "is_mobile": device.is_mobile,
    });
    // What is not known is left out: the spec's activity has strings or nothing, never null
    // (no browser version, city or country is known).
    let known = [
        (
            "browser_name",
            s.user_agent.is_some().then_some(device.browser),
        ),
        ("device_type", device.os),
        ("ip_address", s.ip_address.as_deref()),
    ];
    if let Some(o) = activity.as_object_mut() {
        for (key, value) in known {
            if let Some(v) = value {
                o.insert(key.to_owned(), json!(v));
            }
        }
    }
    j["latest_activity"] = activity;
    j
}

pub fn session(s: &Session, u: &User, token: Option<&str>, cx: &RenderContext<'_>) -> Value {
    let minutes = |at: Option<Millis>| at.map_or(-1, |at| (cx.now - at).max(0) / 60_000);
    let member = s
        .last_active_organization_id
        .as_ref()
        .is_some_and(|o| cx.memberships.holds(u, o).unwrap_or(true));
    let status = effective_status(s, &cx.settings, member, cx.now);
    // A pending session has no organization, whatever one it had before its task came back.
    let organization = s
        .last_active_organization_id
        .as_ref()
        .filter(|_| status != SessionStatus::Pending);
    let tasks = tasks(status).map(|t| {
        t.into_iter()
            .map(|t| json!({ "key": t.key() }))
            .collect::<Vec<_>>()
    });
    json!({
        "object": "session",
        "id": s.id,
        "status": status.as_str(),
        "expire_at": s.expire_at,
        "abandon_at": s.abandon_at,
        "last_active_at": s.last_active_at,
        "last_active_token": token.map(|jwt| json!({"object": "token", "jwt": jwt})),
        "last_active_organization_id": organization,
        "actor": s.actor,
        "tasks": tasks,
        "user": user(u, cx),
        "public_user_data": public_user_data(u),
        "factor_verification_age": [
            minutes(Some(s.first_factor_verified_at)),
            minutes(s.second_factor_verified_at),
        ],
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    })
}

/// The object name of a verification: the spec tells a verification's kind (and so which fields
/// it may carry) by it.
fn verification_object(strategy: &Strategy) -> &'static str {
    match strategy {
        Strategy::Password => "verification_password",
        Strategy::Totp => "verification_totp",
        Strategy::BackupCode => "verification_backup_code",
        Strategy::Ticket => "verification_ticket",
        Strategy::Oauth(_) => "verification_oauth",
        Strategy::Passkey => "verification_passkey",
        Strategy::EmailLink => "verification_email_link",
        // email_code and reset_password_email_code: one-time codes.
        _ => "verification_otp",
    }
}

pub fn verification(v: Option<&FactorVerification>) -> Value {
    match v {
        None => Value::Null,
        Some(v) => {
            let mut out = json!({
                "object": verification_object(&v.strategy),
                "status": v.status.as_str(),
                "strategy": v.strategy,
                "attempts": v.attempts,
                "expire_at": v.expire_at,
            });
            // Only a passkey's verification has a `nonce` (its request options), and only a
            // social one the provider's URL, in the spec.
            match &v.strategy {
                Strategy::Passkey => {
                    if let Some(nonce) = &v.nonce {
                        out["nonce"] = json!(nonce);
                    }
                }
                Strategy::Oauth(_) => {
                    out["external_verification_redirect_url"] =
                        json!(v.external_verification_redirect_url)
                }
                // An email link's: the client whose browser opened it, once one did.
                Strategy::EmailLink => {
                    if let Some(client) = &v.verified_at_client {
                        out["verified_at_client"] = json!(client);
                    }
                }
                _ => {}
            }
            out
        }
    }
}

/// An entry of `supported_first_factors` or `supported_second_factors`: the strategy alone, or
/// with the address an emailed code goes to, or the phone number a texted one goes to.
fn supported_factor(f: &SupportedFactor) -> Value {
    if let Some(id) = &f.phone_number_id {
        return json!({
            "strategy": f.strategy,
            "safe_identifier": f.safe_identifier,
            "phone_number_id": id,
            "primary": f.primary,
            "default": f.default,
        });
    }
    match &f.email_address_id {
        None => json!({ "strategy": f.strategy }),
        Some(id) => json!({
            "strategy": f.strategy,
            "safe_identifier": f.safe_identifier,
            "email_address_id": id,
            "primary": f.primary,
        }),
    }
}

/// A sign-in as a caller of `version` understands it.
/// `email_link`: whether the instance offers email links beside the codes.
pub fn sign_in(si: &SignIn, u: Option<&User>, version: ApiVersion, email_link: bool) -> Value {
    let mut offered = supported::of_sign_in(si, u);
    if email_link {
        usher_core::clients::email_links::offer_email_links(&mut offered.first);
    }
    let first_factors: Vec<Value> = offered.first.iter().map(supported_factor).collect();
    let second_factors = offered
        .second
        .map(|f| f.iter().map(supported_factor).collect::<Vec<_>>());
    // Clients older than the `needs_client_trust` status confirm a new device as a second
    // factor: the same emailed code, prepared and attempted through the second-factor routes.
    let status = match si.status {
        SignInStatus::NeedsClientTrust if !version.knows_client_trust_status() => {
            SignInStatus::NeedsSecondFactor.as_str()
        }
        other => other.as_str(),
    };
    json!({
        "object": "sign_in_attempt",
        "id": si.id,
        "status": status,
        "supported_identifiers": ["email_address", "phone_number", "username"],
        "identifier": si.identifier,
        "user_data": match u {
            Some(u) => {
                let p = public_user_data(u);
                json!({
                    "first_name": u.first_name,
                    "last_name": u.last_name,
                    "image_url": p["image_url"],
                    "has_image": p["has_image"],
                })
            }
            None if si.decoy => json!({
                "first_name": null,
                "last_name": null,
                "image_url": UserJson::frontend_avatar(),
                "has_image": false,
            }),
            None => Value::Null,
        },
        "supported_first_factors": first_factors,
        "supported_second_factors": second_factors,
        "first_factor_verification": verification(si.first_factor.as_ref()),
        "second_factor_verification": verification(si.second_factor.as_ref()),
        "created_session_id": si.created_session_id,
        "abandon_at": si.abandon_at,
        "client_trust_state": if si.status == SignInStatus::NeedsClientTrust { json!("new") } else { Value::Null },
    })
}

/// A sign-up's verification of the address or number it holds, with what comes next and the
/// `supported` strategies. Not prepared yet: no strategy, for @clerk/ui sends the code only when
/// the strategy is not `email_code` yet (the spec wants a strategy and an expiry here; see
/// compat/fapi-spec/lib/exceptions.mjs).
fn code_verification(v: Option<&FactorVerification>, supported: Value) -> Value {
    let Some(v) = v else {
        return json!({
            "object": "verification_otp",
            "status": "unverified",
            "strategy": null,
            "attempts": null,
            "expire_at": null,
            "next_action": "needs_prepare",
            "supported_strategies": supported,
        });
    };
    let mut j = verification(Some(v));
    j["next_action"] = json!(if v.is_verified() { "" } else { "needs_attempt" });
    j["supported_strategies"] = supported;
    j
}

pub fn sign_up(su: &SignUp, cx: &RenderContext<'_>) -> Value {
    let email_strategies = if cx.settings.email_link_enabled {
        json!(["email_code", "email_link"])
    } else {
        json!(["email_code"])
    };
    let email_verification = match (&su.email_address, &su.email_verification) {
        (None, _) => Value::Null,
        // The invitation's ticket verified the invited address.
        (Some(_), _) if su.verified_by_ticket() => json!({
            "object": "verification_ticket",
            "status": "verified",
            "strategy": "ticket",
            "attempts": null,
            "expire_at": null,
            "next_action": "",
            "supported_strategies": ["ticket"],
        }),
        (Some(_), v) => code_verification(v.as_ref(), email_strategies),
    };
    let phone_verification = match &su.phone_number {
        None => Value::Null,
        Some(_) => code_verification(su.phone_verification.as_ref(), json!(["phone_code"])),
    };
    json!({
        "object": "sign_up_attempt",
        "id": su.id,
        "status": su.status.as_str(),
        "required_fields": sign_up_fields::required_fields(&cx.settings),
        "optional_fields": sign_up_fields::optional_fields(&cx.settings),
        "missing_fields": su.missing_fields(&cx.settings),
        "unverified_fields": su.unverified_fields(),
        "verifications": {
            "email_address": email_verification,
            "phone_number": phone_verification,
            "web3_wallet": null,
            "external_account": verification(su.external_verification.as_ref()),
        },
        "username": su.username,
        "email_address": su.email_address,
        "phone_number": su.phone_number,
        "web3_wallet": null,
        "external_account_strategy": su.external_verification.as_ref().map(|v| v.strategy.name()),
        "external_account": null,
        "password_enabled": su.password.is_some(),
        "first_name": su.first_name,
        "last_name": su.last_name,
        "unsafe_metadata": su.unsafe_metadata,
        "public_metadata": {},
        "custom_action": false,
        "external_id": null,
        "created_session_id": su.created_session_id,
        "created_user_id": su.created_user_id,
        "abandon_at": su.abandon_at,
        "legal_accepted_at": su.legal_accepted_at,
        "locale": su.locale,
    })
}

pub fn client(view: &ClientView, cx: &RenderContext<'_>) -> Value {
    let c = &view.client;
    let sessions: Vec<Value> = view
        .sessions
        .iter()
        .map(|(s, u)| {
            let token = (Some(&s.id) == c.last_active_session_id.as_ref())
                .then_some(view.last_active_token.as_deref())
                .flatten();
            session(s, u, token, cx)
        })
        .collect();
    json!({
        "object": "client",
        "id": c.id,
        "sessions": sessions,
        "sign_in": c.sign_in.as_ref().filter(|s| !s.is_abandoned(cx.now)).map(|s| sign_in(s, view.sign_in_user.as_ref(), cx.api_version, cx.settings.email_link_enabled)),
        "sign_up": c.sign_up.as_ref().filter(|s| !s.is_abandoned(cx.now)).map(|s| sign_up(s, cx)),
        "last_active_session_id": c.last_active_session_id,
        "last_authentication_strategy": c.last_authentication_strategy,
        "cookie_expires_at": null,
        "captcha_bypass": false,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}
