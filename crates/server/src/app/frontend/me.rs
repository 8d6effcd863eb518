//! `/v1/me`: the signed-in user's own profile, password and second factors.

use usher_core::ids::UserId;
use usher_core::ids::{new_id, prefix};
use usher_core::mfa::{backup_codes, totp};
use usher_core::passwords::check_policy;
use usher_core::sessions::Session;
use usher_core::users::User;
use usher_core::users::identifiers::{validate_text, validate_username};
use usher_core::users::model::TotpEnrolment;
use usher_core::{CoreError, CoreResult};

use super::get_user;
use crate::app::context::RequestContext;
use crate::app::users::{self, write_revoked};
use crate::state::AppState;

#[derive(Debug, Default, Clone)]
pub struct ProfilePatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub username: Option<String>,
}

pub async fn update_profile(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    patch: ProfilePatch,
) -> CoreResult<User> {
    for (param, v) in [
        ("first_name", &patch.first_name),
        ("last_name", &patch.last_name),
    ] {
        if let Some(v) = v {
            validate_text(param, v, 256)?;
        }
    }
    let username = patch
        .username
        .as_deref()
        .map(validate_username)
        .transpose()?;
    let (user, ()) = users::edit(state, ctx, user_id, "me.update", |u, _| {
        if let Some(f) = &patch.first_name {
            u.first_name = (!f.is_empty()).then(|| f.clone());
        }
        if let Some(l) = &patch.last_name {
            u.last_name = (!l.is_empty()).then(|| l.clone());
        }
        if username.is_some() {
            u.username = username.clone();
        }
        Ok(())
    })
    .await?;
    Ok(user)
}

/// Changing the password needs the current one (when set); other sessions can be signed out.
pub async fn change_password(
    state: &AppState,
    ctx: &RequestContext,
    session: &Session,
    current_password: Option<String>,
    new_password: String,
    sign_out_of_other_sessions: bool,
) -> CoreResult<User> {
    check_policy(&new_password, false, &state.settings())?;
    let user = get_user(state, &session.user_id).await?;
    if let Some(digest) = user.password.clone() {
        let given = current_password.ok_or_else(|| CoreError::missing("current_password"))?;
        // The digest is replaced below: no upgrade to keep.
        if !usher_core::passwords::check(&state.hasher, &digest, &given)
            .await?
            .correct
        {
            return Err(CoreError::PasswordIncorrect);
        }
    }
    let digest = state.hasher.hash(new_password).await?;
    let now = state.now();
    let others = sessions_to_sign_out(state, session, sign_out_of_other_sessions).await?;
    let (user, ()) = users::edit(state, ctx, &user.id, "me.change_password", |u, change| {
        u.set_password(digest.clone(), now);
        write_revoked(change, others.iter().cloned(), u, now);
        Ok(())
    })
    .await?;
    Ok(user)
}

/// The `otpauth://` URI an authenticator app is given for `secret`, naming the user by their
/// primary email address (else username, else id).
pub fn totp_uri(user: &User, secret: &str, issuer: &str) -> String {
    let account = user
        .primary_email()
        .map(|e| e.email_address.clone())
        .or_else(|| user.username.clone())
        .unwrap_or_else(|| user.id.to_string());
    totp::otpauth_uri(secret, issuer, &account)
}

/// Starts (or restarts) TOTP enrolment: a new secret, unverified until a code proves it.
pub async fn create_totp(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
) -> CoreResult<(TotpEnrolment, String)> {
    let now = state.now();
    let (_, (t, uri)) = users::edit(state, ctx, user_id, "me.totp.create", |u, _| {
        if u.totp_enabled() {
            return Err(CoreError::FlowInvalid {
                reason: "an authenticator app is already enrolled; remove it first",
            });
        }
        let t = TotpEnrolment {
            id: new_id(prefix::TOTP),
            secret: totp::generate_secret(),
            verified: false,
            last_used_step: None,
            created_at: now,
            updated_at: now,
        };
        let uri = totp_uri(u, &t.secret, state.branding().application_name());
        u.totp = Some(t.clone());
        Ok((t, uri))
    })
    .await?;
    Ok((t, uri))
}

/// The user's live sessions other than `session`, when a security change signs them out: as
/// the operator's `sign_out_other_sessions_on_security_change` says, or because the user asked.
async fn sessions_to_sign_out(
    state: &AppState,
    session: &Session,
    asked: bool,
) -> CoreResult<Vec<Session>> {
    if !asked && !state.settings().sign_out_other_sessions_on_security_change {
        return Ok(Vec::new());
    }
    crate::app::identifiers::sessions_besides(state, session).await
}

/// Proves the enrolment with a code; the first enrolment also creates backup codes, returned
/// once.
pub async fn verify_totp(
    state: &AppState,
    ctx: &RequestContext,
    session: &Session,
    code: &str,
) -> CoreResult<(TotpEnrolment, Option<Vec<String>>)> {
    let now = state.now();
    let user_id = &session.user_id;
    // Enrolling a second factor signs out every other session (unless the operator chose not
    // to): a session an attacker opened with a stolen password does not survive it.
    let others = sessions_to_sign_out(state, session, false).await?;
    let (_, out) = users::edit(state, ctx, user_id, "me.totp.verify", |u, change| {
        let had_backup_codes = u.backup_code_enabled();
        let t = u
            .totp
            .as_mut()
            .ok_or(CoreError::NotFound { resource: "totp" })?;
        if t.verified {
            return Err(CoreError::VerificationAlreadyVerified);
        }
        let step = totp::verify(&t.secret, code.trim(), now, t.last_used_step)
            .ok_or(CoreError::CodeIncorrect)?;
        t.verified = true;
        t.last_used_step = Some(step);
        t.updated_at = now;
        let t = t.clone();
        let codes = if had_backup_codes {
            None
        } else {
            let (plain, hashes) = backup_codes::generate();
            u.backup_codes = hashes;
            Some(plain)
        };
        write_revoked(change, others.iter().cloned(), u, now);
        Ok((t, codes))
    })
    .await?;
    Ok(out)
}

pub async fn delete_totp(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
) -> CoreResult<User> {
    let (user, ()) = users::edit(state, ctx, user_id, "me.totp.delete", |u, _| {
        if u.totp.take().is_none() {
            return Err(CoreError::NotFound { resource: "totp" });
        }
        Ok(())
    })
    .await?;
    Ok(user)
}

/// New backup codes replace any old ones; they are shown once.
pub async fn create_backup_codes(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
) -> CoreResult<Vec<String>> {
    let (_, codes) = users::edit(state, ctx, user_id, "me.backup_codes.create", |u, _| {
        let (plain, hashes) = backup_codes::generate();
        u.backup_codes = hashes;
        Ok(plain)
    })
    .await?;
    Ok(codes)
}
