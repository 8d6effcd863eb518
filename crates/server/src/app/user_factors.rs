//! The Backend API's operations on a user's second factors and password: disable MFA, delete the
//! TOTP or the backup codes, check a TOTP or backup code, remove the password.

use usher_core::events::DomainEvent;
use usher_core::ids::UserId;
use usher_core::mfa::{backup_codes, totp};
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::users::{get, revoke_all_sessions, write_updated};
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// Which second factors a removal takes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// TOTP, backup codes and the phone numbers kept for a second factor.
    AllMfa,
    Totp,
    BackupCodes,
}

impl Removal {
    fn audit(self) -> &'static str {
        match self {
            Removal::AllMfa => "user.mfa.disable",
            Removal::Totp => "user.totp.delete",
            Removal::BackupCodes => "user.backup_codes.delete",
        }
    }

    /// Takes the factors away; whether anything was there to remove.
    fn apply(self, user: &mut User) -> bool {
        let mut changed = false;
        if matches!(self, Removal::AllMfa | Removal::Totp) {
            changed |= user.totp.take().is_some();
        }
        if matches!(self, Removal::AllMfa | Removal::BackupCodes) {
            changed |= !std::mem::take(&mut user.backup_codes).is_empty();
        }
        if self == Removal::AllMfa {
            for p in &mut user.phone_numbers {
                changed |= p.reserved_for_second_factor || p.default_second_factor;
                p.reserved_for_second_factor = false;
                p.default_second_factor = false;
            }
        }
        changed
    }
}

/// Removes second factors. A user without them is left as it is (no event); otherwise the change
/// commits with `user.updated`, its audit entry and, when the instance signs users out on a
/// security change, the revocation of every session of the user.
pub async fn remove_factors(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    removal: Removal,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = get(state, id).await?;
        if !removal.apply(&mut user) {
            return Ok(());
        }
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        if state.settings().sign_out_other_sessions_on_security_change {
            revoke_all_sessions(state, &mut change, &user, None).await?;
        }
        write_updated(&mut change, user);
        change.commit(removal.audit(), Some(id)).await
    })
    .await?;
    get(state, id).await
}

/// The kind of code `verify_code` accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeType {
    Totp,
    BackupCode,
}

impl CodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeType::Totp => "totp",
            CodeType::BackupCode => "backup_code",
        }
    }
}

/// Checks a TOTP code (its time step is then spent, as at sign-in) or a backup code (consumed).
/// A user with neither is refused (`NoTotp`); a wrong code is `CodeIncorrect`.
pub async fn verify_code(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    code: &str,
) -> CoreResult<CodeType> {
    let code = code.trim();
    with_retry(|| async {
        let mut user = get(state, id).await?;
        if !user.totp_enabled() && !user.backup_code_enabled() {
            return Err(CoreError::NoTotp);
        }
        let now = state.now();
        let kind = match user.totp.as_mut().filter(|t| t.verified) {
            Some(t) => match totp::verify(&t.secret, code, now, t.last_used_step) {
                Some(step) => {
                    t.last_used_step = Some(step);
                    Some(CodeType::Totp)
                }
                None => None,
            },
            None => None,
        };
        let kind = match kind {
            Some(k) => k,
            None if backup_codes::consume(&mut user.backup_codes, code) => CodeType::BackupCode,
            None => return Err(CoreError::CodeIncorrect),
        };
        user.updated_at = now;
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateUser(user.clone()));
        if kind == CodeType::BackupCode {
            change.event(DomainEvent::UserUpdated(user));
        }
        let audit = match kind {
            CodeType::Totp => "user.totp.verify",
            CodeType::BackupCode => "user.backup_code.consume",
        };
        change.commit(audit, Some(id)).await?;
        Ok(kind)
    })
    .await
}

/// Removes the password (Clerk allows it even when nothing else signs the user in). A user
/// without one is returned unchanged, with no event; `sign_out` revokes every session with it.
pub async fn remove_password(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    sign_out: bool,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = get(state, id).await?;
        if user.password.take().is_none() {
            return Ok(());
        }
        user.password_compromised = false;
        user.password_last_updated_at = None;
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        if sign_out {
            revoke_all_sessions(state, &mut change, &user, None).await?;
        }
        write_updated(&mut change, user);
        change.commit("user.password.remove", Some(id)).await
    })
    .await?;
    get(state, id).await
}
