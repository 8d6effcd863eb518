//! Sign-up attempts: collect the fields, verify the email address with a code, then create the
//! user and its first session with the client, in one transaction. A sign-up verified while a
//! required field is missing stays `missing_requirements` until an update gives it.

use usher_core::activity::ActivityKind;
use usher_core::clients::sign_up_fields;
use usher_core::clients::sign_ups::{SignUp, SignUpFields, SignUpStatus, VerificationMail};
use usher_core::clients::{Client, Strategy};
use usher_core::events::DomainEvent;
use usher_core::instance::SignUpMode;
use usher_core::passwords::check_policy;
use usher_core::sessions::lifecycle::record_sign_in;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::{CoreError, CoreResult};

use super::invitations;
use super::prepare_steps;
use super::sign_ins::{load_signed_out_client, refuse_if_signed_in};
use super::{
    ClientKey, commit_client, load_client, send_code, send_sign_up_attempt_notice,
    start_sign_up_session,
};
use crate::app::context::RequestContext;
use crate::app::roles::catalog_for;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// Refuses identifiers that belong to an account. With enumeration protection an email address
/// is not refused here: the sign-up goes on as for any address, and preparing its verification
/// tells the owner instead of sending a code.
async fn ensure_free(state: &AppState, f: &SignUpFields) -> CoreResult<()> {
    let protect = state.settings().enumeration_protection;
    if f.phone_number.is_some() && !state.settings().phone_numbers_enabled {
        return Err(CoreError::value(
            "phone_number",
            "phone numbers are not enabled on this instance",
        ));
    }
    for (kind, value) in [
        (IdentifierKind::Email, &f.email_address),
        (IdentifierKind::Phone, &f.phone_number),
        (IdentifierKind::Username, &f.username),
    ] {
        if let Some(v) = value
            && !(protect && kind != IdentifierKind::Username)
            && state
                .store
                .user_id_by_identifier(&state.instance.id, kind, v)
                .await?
                .is_some()
        {
            return Err(CoreError::IdentifierExists {
                param: kind.as_str(),
            });
        }
    }
    Ok(())
}

/// The sign-up mode's gate: a public instance lets anyone sign up; a restricted one only a
/// sign-up an invitation's ticket verified; a waitlist one likewise (its invitations come from
/// the waitlist), refusing everyone else with Clerk's waitlist error.
pub(super) fn check_mode(state: &AppState, invited: bool) -> CoreResult<()> {
    match state.settings().sign_up_mode {
        SignUpMode::Public => Ok(()),
        _ if invited => Ok(()),
        SignUpMode::Restricted => Err(CoreError::SignUpRestricted),
        SignUpMode::Waitlist => Err(CoreError::SignUpWaitlist),
    }
}

/// `POST /v1/client/sign_ups` (`id: None`) and `PATCH /v1/client/sign_ups/{id}`.
pub async fn upsert(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: Option<&str>,
    fields: SignUpFields,
    password: Option<String>,
    ticket: Option<String>,
) -> CoreResult<Client> {
    let fields = fields.validate()?;
    sign_up_fields::check_allowed(&state.settings(), &fields)?;
    if id.is_none() {
        load_signed_out_client(state, key).await?;
    }
    if let Some(p) = &password {
        check_policy(p, false, &state.settings())?;
    }
    // An instance invitation's ticket, else an organization invitation's.
    let invitation = match ticket.as_deref() {
        Some(t) => Some(match crate::app::invitations::by_ticket(state, t).await? {
            Some(inv) => (inv.id.to_string(), inv.email_address, true),
            None => {
                let inv = invitations::by_ticket(state, t).await?;
                (inv.id.to_string(), inv.email_address, false)
            }
        }),
        None => None,
    };
    // The instance's restrictions on each identifier given; an allowlisted one may sign up in
    // a restricted instance.
    let mut allowlisted = false;
    if let Some((_, email, _)) = &invitation {
        crate::app::identifier_lists::check_invited(state, email).await?;
    }
    for v in [&fields.email_address, &fields.phone_number]
        .into_iter()
        .flatten()
    {
        allowlisted |= crate::app::identifier_lists::check(state, v).await?;
    }
    if id.is_none() {
        check_mode(state, invitation.is_some() || allowlisted)?;
    }
    ensure_free(state, &fields).await?;
    if let Some((_, email, _)) = &invitation {
        // The invited address gets an account here: not one somebody has already.
        let taken = state
            .store
            .user_id_by_identifier(&state.instance.id, IdentifierKind::Email, email)
            .await?
            .is_some();
        if taken {
            return Err(CoreError::IdentifierExists {
                param: IdentifierKind::Email.as_str(),
            });
        }
    }
    let digest = match password {
        Some(p) => Some(state.hasher.hash(p).await?),
        None => None,
    };
    with_retry(|| async {
        let mut client = load_client(state, key).await?;
        let now = state.now();
        let mut sign_up = match id {
            None => SignUp::start(now),
            Some(id) => client
                .sign_up
                .clone()
                .filter(|s| s.id == id && !s.is_abandoned(now))
                .ok_or(CoreError::NotFound {
                    resource: "sign_up",
                })?,
        };
        match &invitation {
            Some((inv, email, true)) => sign_up.apply_invitation_ticket(inv, email, now)?,
            Some((inv, email, false)) => sign_up.apply_ticket(inv, email, now)?,
            None => {}
        }
        sign_up.apply(fields.clone(), digest.clone(), now)?;
        let mut change = Change::new(state, ctx);
        // A ticket verified the address, or the update gave what was missing after the
        // verification: nothing else may be left to do.
        if sign_up.is_ready(&state.settings()) {
            refuse_if_signed_in(state, &client).await?;
            complete(&mut change, key, &mut client, &mut sign_up).await?;
        }
        client.sign_up = Some(sign_up);
        let action = if id.is_none() {
            "sign_up.create"
        } else {
            "sign_up.update"
        };
        let client_id = client.id.clone();
        commit_client(change, &mut client, now, action, &client_id).await?;
        Ok(client)
    })
    .await
}

pub(super) async fn load_attempt(
    state: &AppState,
    key: &ClientKey,
    id: &str,
) -> CoreResult<(Client, SignUp)> {
    let client = load_client(state, key).await?;
    let sign_up = client
        .sign_up
        .clone()
        .filter(|s| s.id == id && !s.is_abandoned(state.now()))
        .ok_or(CoreError::NotFound {
            resource: "sign_up",
        })?;
    Ok((client, sign_up))
}

pub async fn prepare_verification(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    strategy: &Strategy,
) -> CoreResult<Client> {
    if *strategy == Strategy::PhoneCode {
        return super::sign_up_phones::prepare(state, ctx, key, id).await;
    }
    if *strategy != Strategy::EmailCode {
        return Err(CoreError::StrategyInvalid { param: "strategy" });
    }
    let owner = address_owner(state, key, id).await?;
    prepare_steps::sign_up(state, ctx, key, id, |sign_up, _, change| {
        let sent = sign_up.prepare_email_verification(
            owner.is_some(),
            state.instance.environment,
            state.now(),
        )?;
        match (&sent, &owner) {
            (Some(VerificationMail::Code(to)), _) => send_code(state, change, to, None, false),
            (Some(VerificationMail::AccountExists { email_address }), Some(owner)) => {
                send_sign_up_attempt_notice(state, change, owner, email_address);
            }
            _ => {}
        }
        Ok(())
    })
    .await
}

/// Under enumeration protection, the user who already owns the sign-up's email address: they
/// are told someone tried to sign up, and no code or link goes out. The owner is read whether
/// or not anyone owns the address, so both cost the same.
pub(super) async fn address_owner(
    state: &AppState,
    key: &ClientKey,
    id: &str,
) -> CoreResult<Option<User>> {
    Ok(match load_attempt(state, key, id).await?.1.email_address {
        Some(email) if state.settings().enumeration_protection => {
            state
                .store
                .user_by_identifier(&state.instance.id, IdentifierKind::Email, &email)
                .await?
        }
        _ => None,
    })
}

pub async fn attempt_verification(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    strategy: &Strategy,
    code: &str,
) -> CoreResult<Client> {
    if !matches!(strategy, Strategy::EmailCode | Strategy::PhoneCode) {
        return Err(CoreError::StrategyInvalid { param: "strategy" });
    }
    let result = with_retry(|| async {
        let (mut client, mut sign_up) = load_attempt(state, key, id).await?;
        refuse_if_signed_in(state, &client).await?;
        let now = state.now();
        let outcome = if *strategy == Strategy::PhoneCode {
            sign_up.attempt_phone_verification(code, now)
        } else {
            sign_up.attempt_email_verification(code, now)
        };
        let mut change = Change::new(state, ctx);
        if outcome.is_ok() && sign_up.is_ready(&state.settings()) {
            complete(&mut change, key, &mut client, &mut sign_up).await?;
        }
        client.sign_up = Some(sign_up);
        let action = "sign_up.attempt_verification";
        commit_client(change, &mut client, now, action, id).await?;
        Ok((client, outcome))
    })
    .await?;
    match result {
        (client, Ok(())) => Ok(client),
        (_, Err(e)) => Err(e),
    }
}

/// Creates the user and its first session, and accepts the invitation whose ticket verified the
/// address, all in `change`.
pub(super) async fn complete(
    change: &mut Change<'_>,
    key: &ClientKey,
    client: &mut Client,
    sign_up: &mut SignUp,
) -> CoreResult<()> {
    if sign_up.oauth_transfer.is_some() {
        // A social sign-up held for its missing fields: the user comes with its account.
        return super::oauth::complete_social(change, key, client, sign_up)
            .await
            .map(|_| ());
    }
    let state = change.state();
    let now = state.now();
    // Never a user without what the instance requires, whichever way the sign-up got here.
    sign_up.ensure_complete(&state.settings())?;
    // An invitation's ticket lets its invitee in whatever the sign-up mode and the allowlist
    // say (Clerk's invitations allowlist their address), but not past the blocklist: a blocked
    // address is refused however it came.
    let mut allowed = sign_up.verified_by_ticket();
    for v in [&sign_up.email_address, &sign_up.phone_number]
        .into_iter()
        .flatten()
    {
        if allowed {
            crate::app::identifier_lists::check_invited(state, v).await?;
        } else {
            allowed |= crate::app::identifier_lists::check(state, v).await?;
        }
    }
    check_mode(state, allowed)?;
    let invitation = match &sign_up.organization_invitation_id {
        Some(id) => {
            let (inv, org) = invitations::still_redeemable(state, id).await?;
            let roles = catalog_for(state, [inv.role.as_str()]).await?;
            Some((inv, org, roles))
        }
        None => None,
    };
    let mut instance_invitation = match &sign_up.invitation_id {
        Some(id) => Some(crate::app::invitations::still_redeemable(state, id).await?),
        None => None,
    };
    let mut user = sign_up.to_user(&state.settings(), now)?;
    if let Some(inv) = &instance_invitation {
        user.public_metadata = inv.public_metadata.clone();
    }
    // The first sign-in is part of the user as created (starting its session records it again).
    record_sign_in(&mut user, now);
    change
        .write(Write::InsertUser(user.clone()))
        .event(DomainEvent::UserCreated(user.clone()));
    if let Some(inv) = &mut instance_invitation {
        crate::app::invitations::accept_into(change, inv)?;
        crate::app::waitlist::complete_into(change, inv).await?;
    }
    let strategy = if invitation.is_some() || instance_invitation.is_some() {
        Strategy::Ticket
    } else {
        // The strategy that verified the address: a code, or a link.
        sign_up
            .email_verification
            .as_ref()
            .map_or(Strategy::EmailCode, |v| v.strategy.clone())
    };
    let session = start_sign_up_session(change, key, client, &mut user, &strategy);
    let joining = invitation
        .as_ref()
        .map(|(inv, _, _)| inv.organization_id.clone());
    if let Some((mut inv, mut org, roles)) = invitation {
        invitations::accept_into(change, &mut inv, &mut org, &user, &roles)?;
    }
    crate::app::organization_enrollment::enroll(change, &user, joining.as_ref()).await?;
    sign_up.complete(&user.id, &session.id, now);
    change.count(ActivityKind::SignUp);
    Ok(())
}

pub fn is_complete(client: &Client) -> bool {
    client
        .sign_up
        .as_ref()
        .is_some_and(|s| s.status == SignUpStatus::Complete)
}
