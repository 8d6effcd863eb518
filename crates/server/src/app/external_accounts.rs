//! A user's external accounts through the Backend API: unlinked (the user document, the
//! account's look-up row and its sealed tokens in one transaction, with `user.updated`), and the
//! provider's access tokens read back (`oauth_access_tokens`, audited).

use usher_core::events::DomainEvent;
use usher_core::ids::UserId;
use usher_core::oauth::{ExternalAccount, ProviderTokens};
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// Whether `user` can still sign in once `account` is gone: a password, an address or number
/// (a code goes there), or another external account.
fn another_way_in(user: &User, account_id: &str) -> bool {
    user.password.is_some()
        || !user.email_addresses.is_empty()
        || !user.phone_numbers.is_empty()
        || user.external_accounts.iter().any(|a| a.id != account_id)
}

/// Unlinks `id` from the user; refused when it is the user's last way to sign in.
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &str,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = crate::app::users::get(state, user_id).await?;
        let at = user
            .external_accounts
            .iter()
            .position(|a| a.id == id)
            .ok_or(CoreError::NotFound {
                resource: "external account",
            })?;
        if !another_way_in(&user, id) {
            return Err(CoreError::LastIdentification);
        }
        user.external_accounts.remove(at);
        user.updated_at = state.now();
        let mut change = Change::new(state, ctx);
        change
            .write(Write::UpdateUser(user.clone()))
            .write(Write::DeleteExternalAccount { id: id.to_owned() })
            .event(DomainEvent::UserUpdated(user.clone()));
        change.commit("external_account.delete", Some(id)).await?;
        user.version += 1;
        Ok(user)
    })
    .await
}

/// The provider's access tokens of the user's accounts at `provider` (`oauth_google` or
/// `google`), each with its account.
pub async fn access_tokens(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    provider: &str,
) -> CoreResult<Vec<(ExternalAccount, ProviderTokens, String)>> {
    let name = provider.strip_prefix("oauth_").unwrap_or(provider);
    let user = crate::app::users::get(state, user_id).await?;
    let rows = state
        .store
        .external_accounts_of(&state.instance.id, user_id)
        .await?;
    let mut out = Vec::new();
    for account in user.external_accounts.iter().filter(|a| a.provider == name) {
        let Some(row) = rows.iter().find(|r| r.external_account_id == account.id) else {
            continue;
        };
        if let Some(token) = crate::app::frontend::oauth::open_access_token(state, row).await? {
            out.push((account.clone(), row.clone(), token));
        }
    }
    if !out.is_empty() {
        Change::new(state, ctx)
            .commit("oauth_access_token.read", Some(user_id.as_str()))
            .await?;
    }
    Ok(out)
}
