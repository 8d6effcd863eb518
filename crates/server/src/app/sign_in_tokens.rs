//! Sign-in tokens (the Backend API's Sign-in Tokens): made for a user, revoked while pending;
//! spent by the Frontend API's `strategy=ticket` sign-in. Clerk's webhooks have no sign-in token
//! events: each change commits with its audit entry.

use usher_core::CoreResult;
use usher_core::ids::SignInTokenId;
use usher_core::sign_in_tokens::{self, SIGN_IN_TOKEN, SignInToken};
use usher_core::store::Write;

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

/// A new token for `user_id` (which must exist) and its ticket, shown only here.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &str,
    expires_in_seconds: Option<i64>,
) -> CoreResult<(SignInToken, String)> {
    let user = super::users::get_named(state, user_id).await?;
    let (token, ticket) = sign_in_tokens::issue(user.id, expires_in_seconds, state.now())?;
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertSignInToken(token.clone()));
    change
        .commit("sign_in_token.create", Some(&token.id))
        .await?;
    Ok((token, ticket))
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    id: &SignInTokenId,
) -> CoreResult<SignInToken> {
    with_retry(|| async {
        let mut token = found(
            state
                .store
                .get_sign_in_token(&state.instance.id, id)
                .await?,
            SIGN_IN_TOKEN,
        )?;
        sign_in_tokens::revoke(&mut token, state.now())?;
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateSignInToken(token.clone()));
        change
            .commit("sign_in_token.revoke", Some(&token.id))
            .await?;
        Ok(token)
    })
    .await
}
