use usher_core::clock::Millis;
use usher_core::events::DomainEvent;
use usher_core::ids::UserId;
use usher_core::lifecycle::PiiPurge;
use usher_core::passwords::{self, PasswordInput};
use usher_core::sessions::Session;
use usher_core::sessions::lifecycle::{Ending, end};
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::create::{self, NewUser};
use usher_core::users::metadata::{check_size, deep_merge};
use usher_core::users::model::{Metadata, PasswordDigest};
use usher_core::users::query::{Page, UserFilter, UserOrder};
use usher_core::users::update::{self, UserPatch};
use usher_core::users::{identifiers, lockout};
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const USER: &str = "user";

async fn hash_input(state: &AppState, input: PasswordInput) -> CoreResult<Option<PasswordDigest>> {
    match input {
        PasswordInput::None => Ok(None),
        PasswordInput::Plain(p) => Ok(Some(state.hasher.hash(p).await?)),
        PasswordInput::Imported(d) => Ok(Some(d)),
    }
}

pub async fn get(state: &AppState, id: &UserId) -> CoreResult<User> {
    found(state.store.get_user(&state.instance.id, id).await?, USER)
}

/// A user named by text from a request: a malformed id is simply an unknown user.
pub async fn get_named(state: &AppState, id: &str) -> CoreResult<User> {
    match UserId::parse(id) {
        Ok(id) => get(state, &id).await,
        Err(_) => Err(CoreError::NotFound { resource: USER }),
    }
}

/// The user an operator names: by id, or by an email address, phone number or username.
pub async fn find(state: &AppState, reference: &str) -> CoreResult<User> {
    let reference = reference.trim();
    if let Ok(id) = UserId::parse(reference)
        && let Some(user) = state.store.get_user(&state.instance.id, &id).await?
    {
        return Ok(user);
    }
    for (kind, value) in identifiers::lookup_candidates(reference) {
        if let Some(user) = state
            .store
            .user_by_identifier(&state.instance.id, kind, &value)
            .await?
        {
            return Ok(user);
        }
    }
    Err(CoreError::NotFound { resource: USER })
}

pub async fn list(
    state: &AppState,
    filter: &UserFilter,
    order: UserOrder,
    page: &Page,
) -> CoreResult<Vec<User>> {
    Ok(state
        .store
        .list_users(&state.instance.id, filter, order, page)
        .await?)
}

pub async fn count(state: &AppState, filter: &UserFilter) -> CoreResult<i64> {
    Ok(state.store.count_users(&state.instance.id, filter).await?)
}

/// How many users match, counted no further than `cap + 1` (above `cap`: "more than `cap`").
pub async fn count_up_to(state: &AppState, filter: &UserFilter, cap: i64) -> CoreResult<i64> {
    Ok(state
        .store
        .count_users_up_to(&state.instance.id, filter, cap)
        .await?)
}

pub async fn create(state: &AppState, ctx: &RequestContext, input: NewUser) -> CoreResult<User> {
    let settings = &state.settings();
    let mut validated = create::validate(input, settings)?;
    let password = std::mem::replace(&mut validated.password, PasswordInput::None);
    let digest = hash_input(state, password).await?;
    let user = validated.into_user(digest, settings, state.now());
    let mut change = Change::new(state, ctx);
    change
        .write(Write::InsertUser(user.clone()))
        .event(DomainEvent::UserCreated(user.clone()));
    super::organization_enrollment::enroll(&mut change, &user, None).await?;
    change.commit("user.create", Some(&user.id)).await?;
    get(state, &user.id).await
}

/// Revokes every live session of `user` within `change`; returns how many.
pub(crate) async fn revoke_all_sessions(
    state: &AppState,
    change: &mut Change<'_>,
    user: &User,
    keep: Option<&str>,
) -> CoreResult<usize> {
    let live = state
        .store
        .live_sessions_of_user(&state.instance.id, &user.id)
        .await?;
    let others = live.into_iter().filter(|s| Some(s.id.as_str()) != keep);
    Ok(write_revoked(change, others, user, state.now()))
}

/// Ends each of `sessions` still live at `now` as revoked by `user`'s change, with its
/// `session.revoked` event, within `change`; returns how many.
pub(crate) fn write_revoked(
    change: &mut Change<'_>,
    sessions: impl IntoIterator<Item = Session>,
    user: &User,
    now: Millis,
) -> usize {
    let mut n = 0;
    for mut s in sessions {
        if end(&mut s, Ending::Revoked, now) {
            change
                .write(Write::UpdateSession(s.clone()))
                .event(DomainEvent::SessionRevoked(s, Some(Box::new(user.clone()))));
            n += 1;
        }
    }
    n
}

/// The user as changed, with its `user.updated` event.
pub(crate) fn write_updated(change: &mut Change<'_>, user: User) {
    change
        .write(Write::UpdateUser(user.clone()))
        .event(DomainEvent::UserUpdated(user));
}

/// Applies `edit` to the user and commits it (stamped, with `user.updated`), re-reading on
/// conflicts; returns the user as committed with what `edit` gave.
pub(crate) async fn edit<T, F>(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    audit: &str,
    edit: F,
) -> CoreResult<(User, T)>
where
    F: Fn(&mut User, &mut Change<'_>) -> CoreResult<T>,
{
    with_retry(|| async {
        let mut user = get(state, user_id).await?;
        let mut change = Change::new(state, ctx);
        let out = edit(&mut user, &mut change)?;
        user.updated_at = state.now();
        write_updated(&mut change, user.clone());
        change.commit(audit, Some(user_id)).await?;
        user.version += 1;
        Ok((user, out))
    })
    .await
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    patch: UserPatch,
) -> CoreResult<User> {
    let mut validated = update::validate(patch, &state.settings())?;
    get(state, id).await?;
    let password = std::mem::replace(&mut validated.password, PasswordInput::None);
    let digest = hash_input(state, password).await?;
    with_retry(|| async {
        let mut user = get(state, id).await?;
        validated.apply(&mut user, digest.clone(), state.now())?;
        let mut change = Change::new(state, ctx);
        if validated.sign_out_of_other_sessions() {
            revoke_all_sessions(state, &mut change, &user, None).await?;
        }
        write_updated(&mut change, user);
        change.commit("user.update", Some(id)).await
    })
    .await?;
    get(state, id).await
}

pub struct MetadataChange {
    pub public: Option<Metadata>,
    pub private: Option<Metadata>,
    pub unsafe_: Option<Metadata>,
}

/// `merge`: deep-merge with `null` deleting keys (PATCH); otherwise replace each given field (PUT).
pub async fn update_metadata(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    m: MetadataChange,
    merge: bool,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = get(state, id).await?;
        for (target, given) in [
            (&mut user.public_metadata, &m.public),
            (&mut user.private_metadata, &m.private),
            (&mut user.unsafe_metadata, &m.unsafe_),
        ] {
            match (given, merge) {
                (Some(patch), true) => deep_merge(target, patch),
                (Some(replacement), false) => *target = replacement.clone(),
                (None, _) => {}
            }
        }
        check_size(
            &user.public_metadata,
            &user.private_metadata,
            &user.unsafe_metadata,
        )?;
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        write_updated(&mut change, user);
        change.commit("user.metadata.update", Some(id)).await
    })
    .await?;
    get(state, id).await
}

/// Banning revokes every session the user has.
fn ban_action(banned: bool) -> &'static str {
    if banned { "user.ban" } else { "user.unban" }
}

/// A ban revokes every session; both mark the user and say so in `user.updated`.
async fn ban_into(
    state: &AppState,
    change: &mut Change<'_>,
    mut user: User,
    banned: bool,
) -> CoreResult<()> {
    user.banned = banned;
    user.updated_at = state.now();
    if banned {
        revoke_all_sessions(state, change, &user, None).await?;
    }
    write_updated(change, user);
    Ok(())
}

pub async fn set_banned(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    banned: bool,
) -> CoreResult<User> {
    with_retry(|| async {
        let user = get(state, id).await?;
        let mut change = Change::new(state, ctx);
        ban_into(state, &mut change, user, banned).await?;
        change.commit(ban_action(banned), Some(id)).await
    })
    .await?;
    get(state, id).await
}

/// Bans or unbans several users in one transaction, each as `set_banned` would (its sessions
/// revoked on a ban, its `user.updated` event, its audit entry). An unknown id fails the whole
/// request before anything is written.
pub async fn set_banned_many(
    state: &AppState,
    ctx: &RequestContext,
    ids: Vec<String>,
    banned: bool,
) -> CoreResult<Vec<User>> {
    let ids = usher_core::users::bulk::user_ids("user_ids", ids)?;
    with_retry(|| async {
        let mut change = Change::new(state, ctx);
        for id in &ids {
            let user = get_named(state, id).await?;
            ban_into(state, &mut change, user, banned).await?;
            change.audit(ban_action(banned), Some(id));
        }
        change.commit_audited().await
    })
    .await?;
    let mut users = Vec::with_capacity(ids.len());
    for id in &ids {
        users.push(get_named(state, id).await?);
    }
    Ok(users)
}

pub async fn set_locked(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    locked: bool,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = get(state, id).await?;
        lockout::set_locked(&mut user, locked, &state.settings(), state.now());
        let mut change = Change::new(state, ctx);
        write_updated(&mut change, user);
        change
            .commit(if locked { "user.lock" } else { "user.unlock" }, Some(id))
            .await
    })
    .await?;
    get(state, id).await
}

/// The emergency lockout: the user locked until `until` (none: until unlocked) and every live
/// session revoked, in one transaction with one audit entry (`user.lockout`).
pub async fn lockout(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    until: Option<usher_core::clock::Millis>,
) -> CoreResult<(User, usize)> {
    let revoked = with_retry(|| async {
        let mut user = get(state, id).await?;
        lockout::lock_until(&mut user, until, state.now())?;
        let mut change = Change::new(state, ctx);
        let revoked = revoke_all_sessions(state, &mut change, &user, None).await?;
        write_updated(&mut change, user);
        change.commit("user.lockout", Some(id)).await?;
        Ok(revoked)
    })
    .await?;
    Ok((get(state, id).await?, revoked))
}

/// Marks the user's password compromised (a password sign-in is then refused until the user sets
/// a new one), optionally revoking every session; or clears the mark.
pub async fn set_password_compromised(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    compromised: bool,
    revoke_sessions: bool,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = get(state, id).await?;
        if compromised && user.password.is_none() {
            return Err(CoreError::NoPassword);
        }
        user.password_compromised = compromised;
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        if compromised && revoke_sessions {
            revoke_all_sessions(state, &mut change, &user, None).await?;
        }
        write_updated(&mut change, user);
        let audit = if compromised {
            "user.password.set_compromised"
        } else {
            "user.password.unset_compromised"
        };
        change.commit(audit, Some(id)).await
    })
    .await?;
    get(state, id).await
}

/// Deleting a user removes its sessions and organization memberships and frees its identifiers;
/// the rest of its personal data goes with the purge committed alongside (`workers::lifecycle`).
pub async fn delete(state: &AppState, ctx: &RequestContext, id: &UserId) -> CoreResult<User> {
    with_retry(|| async {
        let user = get(state, id).await?;
        let now = state.now();
        let mut change = Change::new(state, ctx);
        for mut s in state
            .store
            .live_sessions_of_user(&state.instance.id, id)
            .await?
        {
            if end(&mut s, Ending::Removed, now) {
                change
                    .write(Write::UpdateSession(s.clone()))
                    .event(DomainEvent::SessionRemoved(s, Some(Box::new(user.clone()))));
            }
        }
        super::organizations::remove_user_memberships(state, &mut change, &user).await?;
        if let Some(image) = &user.image_id {
            change.write(Write::DeleteImage { id: image.clone() });
        }
        change
            .write(Write::DeleteUser {
                id: user.id.clone(),
                version: user.version,
            })
            .event(DomainEvent::UserDeleted {
                id: user.id.to_string(),
                external_id: user.external_id.clone(),
            })
            .write(Write::QueuePiiPurge(PiiPurge::for_user(&user, now)));
        change.commit("user.delete", Some(id)).await?;
        Ok(user)
    })
    .await
}

/// Checks a password; a correct one stored in an outdated form is rehashed with Argon2id.
pub async fn verify_password(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    password: String,
) -> CoreResult<bool> {
    let user = get(state, id).await?;
    let digest = user.password.as_ref().ok_or(CoreError::NoPassword)?;
    let check = passwords::check(&state.hasher, digest, &password).await?;
    if check.upgrades() {
        let mut fresh = get(state, id).await?;
        if check.apply_upgrade(&mut fresh, state.now()) {
            let mut change = Change::new(state, ctx);
            change.write(Write::UpdateUser(fresh));
            // A concurrent write wins; the next check upgrades.
            match change.commit("user.password.rehash", Some(id)).await {
                Ok(()) | Err(CoreError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(check.correct)
}
