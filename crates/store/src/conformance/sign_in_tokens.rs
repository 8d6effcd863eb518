//! Sign-in tokens: found by id and by their ticket's digest, and spent (or revoked) once.

use std::sync::Arc;

use usher_core::ids::SignInTokenId;
use usher_core::sign_in_tokens::{self, SignInTokenStatus};
use usher_core::store::{Store, StoreError, Write};

use super::organizations::{commit, users};
use super::{NOW, Outcome, create_instance};

pub async fn sign_in_tokens_are_found_by_id_and_digest_and_spent_once(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["zoe"]).await?;
    let (token, ticket) = sign_in_tokens::issue(ids[0].clone(), None, NOW)?;
    commit(&store, &ins, vec![Write::InsertSignInToken(token.clone())]).await?;
    let by_id = store
        .get_sign_in_token(&ins, &token.id)
        .await?
        .ok_or("the token is gone")?;
    let digest = sign_in_tokens::ticket_digest(&ticket);
    let by_digest = store
        .sign_in_token_by_digest(&ins, &digest)
        .await?
        .ok_or("not found by digest")?;
    assert_eq!(by_id, by_digest);
    assert_eq!(
        (by_id.user_id.clone(), by_id.status, by_id.expires_at),
        (ids[0].clone(), SignInTokenStatus::Pending, token.expires_at)
    );
    assert!(
        store
            .sign_in_token_by_digest(&ins, &sign_in_tokens::ticket_digest("other"))
            .await?
            .is_none()
    );
    assert!(
        store
            .get_sign_in_token(&ins, &SignInTokenId::new())
            .await?
            .is_none()
    );

    // Two spends from the same read: the second is stale and writes nothing.
    let mut first = by_id.clone();
    sign_in_tokens::redeem(&mut first, NOW + 1)?;
    let mut second = by_id;
    sign_in_tokens::revoke(&mut second, NOW + 1)?;
    commit(&store, &ins, vec![Write::UpdateSignInToken(first)]).await?;
    assert_eq!(
        commit(&store, &ins, vec![Write::UpdateSignInToken(second)]).await,
        Err(StoreError::Stale)
    );
    let now = store
        .get_sign_in_token(&ins, &token.id)
        .await?
        .ok_or("the token is gone")?;
    assert_eq!(now.status, SignInTokenStatus::Accepted);
    Ok(())
}
