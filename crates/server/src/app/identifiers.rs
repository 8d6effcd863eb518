//! Email addresses and phone numbers as identifiers of their own, for the Backend API
//! (`/v1/email_addresses`, `/v1/phone_numbers`) and the signed-in user (`/v1/me/…`): each change
//! is the user's write with its `user.updated` event, and the code it sends (email or SMS with
//! its `email.created`/`sms.created`), in one transaction. Uniqueness across users is the
//! store's key: a taken identifier fails the commit with `form_identifier_exists`.

use usher_core::clients::email_links::{LinkToSend, LinkToken};
use usher_core::clients::sign_ins::CodeToSend;
use usher_core::clients::strategy::Strategy;
use usher_core::ids::{IdentificationId, UserId};
use usher_core::sessions::Session;
use usher_core::sms::SmsMessage;
use usher_core::users::contact_links;
use usher_core::users::contacts::{self, ContactKind};
use usher_core::users::{User, Verification};
use usher_core::{CoreError, CoreResult};

use super::Change;
use super::context::RequestContext;
use super::users::write_revoked;
use crate::state::AppState;

/// `POST /v1/email_addresses` and `/v1/phone_numbers`.
#[derive(Debug, Clone, Default)]
pub struct NewIdentifier {
    pub user_id: String,
    pub value: String,
    pub verified: Option<bool>,
    pub primary: Option<bool>,
    pub reserved_for_second_factor: Option<bool>,
}

/// `PATCH /v1/email_addresses/{id}`, `/v1/phone_numbers/{id}` and `/v1/me/phone_numbers/{id}`.
#[derive(Debug, Clone, Default)]
pub struct IdentifierPatch {
    pub verified: Option<bool>,
    pub primary: Option<bool>,
    pub reserved_for_second_factor: Option<bool>,
    pub default_second_factor: Option<bool>,
}

/// What an edit did besides changing the user.
struct Edited<T> {
    /// Kept even when it is an error: a wrong code's attempt is counted and stored.
    out: CoreResult<T>,
    /// A primary email change or a verified email's removal: the other sessions end.
    security: bool,
}

fn done<T>(out: T) -> CoreResult<Edited<T>> {
    Ok(Edited {
        out: Ok(out),
        security: false,
    })
}

/// Applies `edit` to the user and commits it with `user.updated`, re-reading on conflicts. A
/// security change ends the sessions in `others` in the same write.
async fn edit<T, F>(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    audit: &str,
    others: &[Session],
    edit: F,
) -> CoreResult<(User, T)>
where
    F: Fn(&mut User, &mut Change<'_>) -> CoreResult<Edited<T>>,
{
    let (user, out) = super::users::edit(state, ctx, user_id, audit, |user, change| {
        let edited = edit(user, change)?;
        if edited.security {
            write_revoked(change, others.iter().cloned(), user, state.now());
        }
        Ok(edited.out)
    })
    .await?;
    Ok((user, out?))
}

/// [`edit`] of the user's identifier `id`, which must be of `kind` (else that kind's not found),
/// audited as `{kind}.{what}`.
async fn edit_identifier<F>(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    (kind, id): (ContactKind, &str),
    what: &str,
    others: &[Session],
    edit_one: F,
) -> CoreResult<User>
where
    F: Fn(&mut User, &mut Change<'_>) -> CoreResult<Edited<()>>,
{
    let audit = audit_name(kind, what);
    let (user, ()) = edit(state, ctx, user_id, &audit, others, |u, change| {
        if contacts::kind_of(u, id) != Some(kind) {
            return Err(kind.not_found());
        }
        edit_one(u, change)
    })
    .await?;
    Ok(user)
}

/// The user holding identifier `id` of `kind`; anything else is that kind's not found.
pub async fn owner(state: &AppState, kind: ContactKind, id: &IdentificationId) -> CoreResult<User> {
    let user = state
        .store
        .user_by_identification_id(&state.instance.id, id)
        .await?
        .ok_or(kind.not_found())?;
    if contacts::kind_of(&user, id) != Some(kind) {
        return Err(kind.not_found());
    }
    Ok(user)
}

fn audit_name(kind: ContactKind, what: &str) -> String {
    match kind {
        ContactKind::Email => format!("email_address.{what}"),
        ContactKind::Phone => format!("phone_number.{what}"),
    }
}

/// Backend API: adds an identifier to a user (verified by the admin when `verified`).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    kind: ContactKind,
    input: NewIdentifier,
) -> CoreResult<(User, IdentificationId)> {
    let user_id =
        UserId::parse(&input.user_id).map_err(|_| CoreError::NotFound { resource: "user" })?;
    let verification = if input.verified.unwrap_or(false) {
        Verification::Admin
    } else {
        Verification::Unverified
    };
    let primary = input.primary.unwrap_or(false);
    let reserved = input.reserved_for_second_factor.unwrap_or(false);
    let now = state.now();
    edit(
        state,
        ctx,
        &user_id,
        &audit_name(kind, "create"),
        &[],
        |u, _| {
            let id = match kind {
                ContactKind::Email => {
                    contacts::add_email(u, &input.value, verification, primary, now)?
                }
                ContactKind::Phone => {
                    contacts::add_phone(u, &input.value, verification, primary, reserved, now)?
                }
            };
            done(id)
        },
    )
    .await
}

/// Applies a patch's fields, each as its own rule says.
fn apply_patch(
    u: &mut User,
    kind: ContactKind,
    id: &str,
    p: &IdentifierPatch,
    require_verified_primary: bool,
    now: i64,
) -> CoreResult<bool> {
    let was_primary_email = u.primary_email_address_id.clone();
    if let Some(v) = p.verified {
        contacts::set_verified(u, kind, id, v, now)?;
    }
    if p.primary == Some(true) {
        contacts::make_primary(u, kind, id, require_verified_primary, now)?;
    }
    if let Some(r) = p.reserved_for_second_factor {
        if kind != ContactKind::Phone {
            return Err(CoreError::ParamUnknown {
                param: "reserved_for_second_factor".into(),
            });
        }
        contacts::reserve_for_second_factor(u, id, r, now)?;
    }
    if p.default_second_factor == Some(true) {
        contacts::make_default_second_factor(u, id, now)?;
    }
    Ok(u.primary_email_address_id != was_primary_email)
}

/// Backend API: `verified`, `primary`, `reserved_for_second_factor`.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    kind: ContactKind,
    id: &IdentificationId,
    patch: IdentifierPatch,
) -> CoreResult<User> {
    let user = owner(state, kind, id).await?;
    patch_identifier(state, ctx, &user.id, kind, id, &patch, false).await
}

/// A patch to the user's identifier `id` of `kind` (that kind's not found otherwise), saved as
/// `{kind}.update`. `require_verified_primary`: the Frontend API makes only a verified
/// identifier primary.
async fn patch_identifier(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    kind: ContactKind,
    id: &IdentificationId,
    patch: &IdentifierPatch,
    require_verified_primary: bool,
) -> CoreResult<User> {
    let now = state.now();
    edit_identifier(state, ctx, user_id, (kind, id), "update", &[], |u, _| {
        apply_patch(u, kind, id, patch, require_verified_primary, now)?;
        done(())
    })
    .await
}

/// Removes an identifier (the primary passes on; never the last identification). With a
/// session (`/v1/me`), removing a verified email address signs the user's other sessions out.
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    kind: ContactKind,
    id: &IdentificationId,
    user_id: Option<&UserId>,
    others: &[Session],
) -> CoreResult<User> {
    let owner_id = match user_id {
        Some(u) => u.clone(),
        None => owner(state, kind, id).await?.id,
    };
    let now = state.now();
    edit_identifier(
        state,
        ctx,
        &owner_id,
        (kind, id),
        "delete",
        others,
        |u, _| {
            let removed = contacts::remove(u, id, now)?;
            Ok(Edited {
                out: Ok(()),
                security: removed.kind == ContactKind::Email && removed.was_verified,
            })
        },
    )
    .await
}

/// The user's live sessions other than `session`, when the instance signs them out on a
/// security change.
pub async fn other_sessions(state: &AppState, session: &Session) -> CoreResult<Vec<Session>> {
    if !state.settings().sign_out_other_sessions_on_security_change {
        return Ok(Vec::new());
    }
    sessions_besides(state, session).await
}

/// The live sessions of `session`'s user other than it.
pub async fn sessions_besides(state: &AppState, session: &Session) -> CoreResult<Vec<Session>> {
    Ok(state
        .store
        .live_sessions_of_user(&state.instance.id, &session.user_id)
        .await?
        .into_iter()
        .filter(|s| s.id != session.id)
        .collect())
}

/// `/v1/me`: adds an unverified identifier for the user to verify with a code.
pub async fn create_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    kind: ContactKind,
    value: &str,
) -> CoreResult<(User, IdentificationId)> {
    let now = state.now();
    edit(
        state,
        ctx,
        user_id,
        &audit_name(kind, "create"),
        &[],
        |u, _| {
            let id = match kind {
                ContactKind::Email => {
                    contacts::add_email(u, value, Verification::Unverified, false, now)?
                }
                ContactKind::Phone => {
                    contacts::add_phone(u, value, Verification::Unverified, false, false, now)?
                }
            };
            done(id)
        },
    )
    .await
}

/// `/v1/me/…/prepare_verification`: a new code, emailed (`email_code`) or sent by SMS
/// (`phone_code`). Test identifiers on development instances take 424242 and get nothing.
pub async fn prepare_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    kind: ContactKind,
    id: &IdentificationId,
    strategy: &str,
) -> CoreResult<User> {
    let expected = match kind {
        ContactKind::Email => Strategy::EmailCode,
        ContactKind::Phone => Strategy::PhoneCode,
    };
    if strategy != expected.name() {
        return Err(CoreError::StrategyInvalid { param: "strategy" });
    }
    let user = super::users::get(state, user_id).await?;
    if kind == ContactKind::Phone {
        let phone = contacts::phone(&user, id)?;
        if !phone.verification.is_verified() && !is_test_number(state, &phone.phone_number) {
            super::sms::count_code(state, ctx, &phone.phone_number).await?;
        }
    }
    let env = state.instance.environment;
    let now = state.now();
    let app_name = state.branding().application_name().to_owned();
    edit_identifier(
        state,
        ctx,
        user_id,
        (kind, id),
        "prepare_verification",
        &[],
        |u, change| {
            let code = contacts::prepare(u, kind, id, env, now)?;
            if let Some(code) = code {
                match kind {
                    ContactKind::Email => {
                        let to = CodeToSend {
                            code,
                            email_address: contacts::email(u, id)?.email_address.clone(),
                            email_address_id: id.to_string(),
                        };
                        super::frontend::send_code(state, change, &to, Some(&*u), false);
                    }
                    ContactKind::Phone => {
                        let to = contacts::phone(u, id)?.phone_number.clone();
                        let msg = SmsMessage::verification_code(
                            &to,
                            Some(id.clone()),
                            Some(u.id.clone()),
                            &app_name,
                            &code,
                            now,
                        );
                        super::sms::queue(change, msg);
                    }
                }
            }
            done(())
        },
    )
    .await
}

/// `/v1/me/email_addresses/{id}/prepare_verification` with `strategy=email_link`: a new link to
/// the unverified address, queued by `send` in the same write (`redirect_url` already checked).
pub async fn prepare_link_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &IdentificationId,
    redirect_url: &str,
    send: impl Fn(&mut Change<'_>, &LinkToSend, &User),
) -> CoreResult<User> {
    let now = state.now();
    edit_identifier(
        state,
        ctx,
        user_id,
        (ContactKind::Email, id),
        "prepare_verification",
        &[],
        |u, change| {
            let to = contact_links::prepare(u, id, redirect_url.to_owned(), now)?;
            send(change, &to, u);
            done(())
        },
    )
    .await
}

/// Opens a profile's email link (`GET /v1/verify`) from the browser whose client is
/// `opened_by`: the address it names is verified. A wrong or spent link is stored as tried.
/// Answers the link's `redirect_url` and how it went; `None` when it names no pending link.
pub async fn open_link(
    state: &AppState,
    ctx: &RequestContext,
    token: &LinkToken,
    opened_by: Option<&str>,
) -> CoreResult<Option<(String, CoreResult<()>)>> {
    let Ok(id) = IdentificationId::parse(&token.client_id) else {
        return Ok(None);
    };
    let Ok(user) = owner(state, ContactKind::Email, &id).await else {
        return Ok(None);
    };
    let Some(redirect_url) = contact_links::redirect_url(&user, token).map(str::to_owned) else {
        return Ok(None);
    };
    let now = state.now();
    // A link that changes nothing when tried (already used) is answered without a write.
    let mut probe = user.clone();
    if let Err(e) = contact_links::open(&mut probe, token, opened_by, now)
        && probe == user
    {
        return Ok(Some((redirect_url, Err(e))));
    }
    let (_, out) = edit(
        state,
        ctx,
        &user.id,
        &audit_name(ContactKind::Email, "email_link"),
        &[],
        |u, _| {
            let out = contact_links::open(u, token, opened_by, now);
            done(out)
        },
    )
    .await?;
    Ok(Some((redirect_url, out)))
}

pub fn is_test_number(state: &AppState, number: &str) -> bool {
    state.instance.environment == usher_core::instance::Environment::Development
        && usher_core::clients::factors::is_test_identifier(number)
}

/// `/v1/me/…/attempt_verification`: the code sent; a wrong one is counted (the code is spent
/// after a few), an expired one refused.
pub async fn attempt_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    kind: ContactKind,
    id: &IdentificationId,
    code: &str,
) -> CoreResult<User> {
    let now = state.now();
    edit_identifier(
        state,
        ctx,
        user_id,
        (kind, id),
        "attempt_verification",
        &[],
        |u, _| {
            let before = u.clone();
            let out = contacts::attempt(u, kind, id, code, now);
            if out.is_err() && *u == before {
                // Nothing was counted (no code pending, already verified): nothing to write.
                return Err(out.err().unwrap_or(CoreError::Conflict));
            }
            Ok(Edited {
                out,
                security: false,
            })
        },
    )
    .await
}

/// `PATCH /v1/me/phone_numbers/{id}`: `reserved_for_second_factor`, `default_second_factor`.
pub async fn update_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    kind: ContactKind,
    id: &IdentificationId,
    patch: IdentifierPatch,
) -> CoreResult<User> {
    patch_identifier(state, ctx, user_id, kind, id, &patch, true).await
}

/// `PATCH /v1/me` with `primary_email_address_id` / `primary_phone_number_id`: only a verified
/// identifier of the user's own; a new primary email address signs the other sessions out.
pub async fn set_primary_mine(
    state: &AppState,
    ctx: &RequestContext,
    session: &Session,
    primary_email_address_id: Option<&str>,
    primary_phone_number_id: Option<&str>,
) -> CoreResult<User> {
    let others = other_sessions(state, session).await?;
    let now = state.now();
    let (user, ()) = edit(
        state,
        ctx,
        &session.user_id,
        "me.update_primary",
        &others,
        |u, _| {
            let before = u.primary_email_address_id.clone();
            let asked = [
                (
                    primary_email_address_id,
                    ContactKind::Email,
                    "primary_email_address_id",
                    "is not one of your email addresses",
                ),
                (
                    primary_phone_number_id,
                    ContactKind::Phone,
                    "primary_phone_number_id",
                    "is not one of your phone numbers",
                ),
            ];
            for (id, kind, param, not_yours) in asked {
                let Some(id) = id else { continue };
                if contacts::kind_of(u, id) != Some(kind) {
                    return Err(CoreError::value(param, not_yours));
                }
                contacts::make_primary(u, kind, id, true, now)?;
            }
            Ok(Edited {
                out: Ok(()),
                security: u.primary_email_address_id != before,
            })
        },
    )
    .await?;
    Ok(user)
}
