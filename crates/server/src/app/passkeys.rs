//! Passkeys of a user: registration from the profile (a challenge, then the browser's
//! attestation), rename and delete (the user's own browser or the Backend API). Each write
//! that the user's JSON shows commits with the user and `user.updated`.

use usher_core::ids::{IdentificationId, UserId};
use usher_core::passkeys::{
    MAX_PER_USER, PasskeyRecord, RelyingParty, ceremony, sync_summary, valid_name,
};
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use crate::app::context::RequestContext;
use crate::app::users::{get, write_updated};
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// The name a passkey has until it is renamed.
const DEFAULT_NAME: &str = "Passkey";

fn not_found() -> CoreError {
    CoreError::NotFound {
        resource: "passkey",
    }
}

pub(crate) fn ensure_enabled(state: &AppState) -> CoreResult<()> {
    if state.settings().passkeys_enabled {
        Ok(())
    } else {
        Err(CoreError::NotAllowed {
            reason: "Passkeys are not enabled for this instance.",
        })
    }
}

/// The user's passkey `id`; anyone else's is not found.
async fn owned(
    state: &AppState,
    user_id: &UserId,
    id: &IdentificationId,
) -> CoreResult<PasskeyRecord> {
    state
        .store
        .get_passkey(&state.instance.id, id)
        .await?
        .filter(|p| &p.user_id == user_id)
        .ok_or_else(not_found)
}

pub(crate) fn app_name(state: &AppState) -> String {
    state.branding().application_name().to_owned()
}

/// The name the authenticator shows for the account: the username, else the primary email.
fn account_name(user: &User) -> String {
    user.username
        .clone()
        .or_else(|| user.primary_email().map(|e| e.email_address.clone()))
        .unwrap_or_else(|| user.id.to_string())
}

/// Starts a registration for the page at `origin`: a pending passkey holding the challenge's
/// state, and the creation options (the verification's `nonce`). Expired pending ones of the
/// user are removed with it.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    origin: Option<&str>,
) -> CoreResult<(PasskeyRecord, String)> {
    ensure_enabled(state)?;
    let rp = RelyingParty::of_origin(origin.unwrap_or_default())?;
    let user = get(state, user_id).await?;
    let now = state.now();
    let existing = state
        .store
        .user_passkeys(&state.instance.id, user_id)
        .await?;
    let verified: Vec<String> = existing
        .iter()
        .filter_map(|p| p.credential_id.clone())
        .collect();
    if verified.len() >= MAX_PER_USER {
        return Err(CoreError::NotAllowed {
            reason: "You have reached the maximum number of passkeys.",
        });
    }
    let (nonce, pending) = ceremony::start_registration(
        &rp,
        &app_name(state),
        user_id.as_str(),
        &account_name(&user),
        &verified,
        now,
    )?;
    let record = PasskeyRecord {
        id: IdentificationId::new(),
        version: 0,
        user_id: user_id.clone(),
        name: DEFAULT_NAME.into(),
        credential_id: None,
        credential: None,
        rp_id: None,
        registration: Some(pending),
        last_used_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut change = Change::new(state, ctx);
    for stale in existing
        .iter()
        .filter(|p| !p.is_verified() && !p.registration.as_ref().is_some_and(|r| r.is_live(now)))
    {
        change.write(Write::DeletePasskey {
            id: stale.id.clone(),
            version: stale.version,
        });
    }
    change.write(Write::PutPasskey(record.clone()));
    change
        .commit("passkey.create", Some(record.id.as_str()))
        .await?;
    Ok((record, nonce))
}

/// Checks the browser's attestation against the pending registration, which it spends
/// whatever the outcome: a challenge is answered once.
pub async fn verify(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &IdentificationId,
    public_key_credential: &str,
) -> CoreResult<PasskeyRecord> {
    ensure_enabled(state)?;
    let mut record = owned(state, user_id, id).await?;
    if record.is_verified() {
        return Err(CoreError::VerificationAlreadyVerified);
    }
    let now = state.now();
    let pending = record
        .registration
        .take()
        .ok_or(CoreError::VerificationExpired)?;
    let outcome = if pending.is_live(now) {
        ceremony::finish_registration(&pending, public_key_credential)
    } else {
        Err(CoreError::VerificationExpired)
    };
    record.updated_at = now;
    let mut change = Change::new(state, ctx);
    let (credential, credential_id) = match outcome {
        Ok(verified) => verified,
        Err(e) => {
            // The spent challenge is written before the refusal is answered.
            change.write(Write::PutPasskey(record));
            change
                .commit("passkey.verify.failed", Some(id.as_str()))
                .await?;
            return Err(e);
        }
    };
    record.credential = Some(credential);
    record.credential_id = Some(credential_id);
    record.rp_id = Some(pending.rp.id.clone());
    let mut user = get(state, user_id).await?;
    sync_summary(&mut user.passkeys, id, Some(&record));
    user.updated_at = now;
    change.write(Write::PutPasskey(record.clone()));
    write_updated(&mut change, user);
    change.commit("passkey.verify", Some(id.as_str())).await?;
    record.version += 1;
    Ok(record)
}

/// Renames a verified passkey.
pub async fn rename(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &IdentificationId,
    name: &str,
) -> CoreResult<PasskeyRecord> {
    let name = valid_name(name)?;
    with_retry(|| async {
        let mut record = owned(state, user_id, id).await?;
        if !record.is_verified() {
            return Err(not_found());
        }
        record.name = name.clone();
        record.updated_at = state.now();
        let mut user = get(state, user_id).await?;
        sync_summary(&mut user.passkeys, id, Some(&record));
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        change.write(Write::PutPasskey(record.clone()));
        write_updated(&mut change, user);
        change.commit("passkey.update", Some(id.as_str())).await?;
        record.version += 1;
        Ok(record)
    })
    .await
}

/// Whether the user keeps a way to sign in without passkey `id`.
fn keeps_a_way_in(user: &User, id: &IdentificationId) -> bool {
    user.password.is_some()
        || !user.email_addresses.is_empty()
        || !user.phone_numbers.is_empty()
        || user.passkeys.iter().any(|p| &p.id != id)
}

/// Deletes a passkey (the user's own browser, or the Backend API); the user's last way to sign
/// in is kept.
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &IdentificationId,
) -> CoreResult<User> {
    with_retry(|| async {
        let record = owned(state, user_id, id).await?;
        let mut user = get(state, user_id).await?;
        if !keeps_a_way_in(&user, id) {
            return Err(CoreError::LastIdentification);
        }
        sync_summary(&mut user.passkeys, id, None);
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        change.write(Write::DeletePasskey {
            id: id.clone(),
            version: record.version,
        });
        write_updated(&mut change, user.clone());
        change.commit("passkey.delete", Some(id.as_str())).await?;
        user.version += 1;
        Ok(user)
    })
    .await
}
