//! Actor tokens: found by id and by their ticket's digest with their actor, and spent once.

use std::sync::Arc;

use serde_json::json;
use usher_core::actor_tokens::{self, NewActorToken};
use usher_core::ids::{ActorTokenId, SessionId};
use usher_core::sign_in_tokens::{self, SignInTokenStatus};
use usher_core::store::{Store, StoreError, Write};

use super::organizations::{commit, users};
use super::{NOW, Outcome, create_instance};

pub async fn actor_tokens_keep_their_actor_and_are_spent_once(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["zoe"]).await?;
    let input = NewActorToken {
        actor: Some(json!({"sub": "user_admin", "reason": {"ticket": 7}})),
        session_max_duration_in_seconds: Some(600),
        ..Default::default()
    };
    let (token, ticket) = actor_tokens::issue(ids[0].clone(), input, NOW)?;
    commit(&store, &ins, vec![Write::InsertActorToken(token.clone())]).await?;
    let by_id = store
        .get_actor_token(&ins, &token.id)
        .await?
        .ok_or("the token is gone")?;
    let by_digest = store
        .actor_token_by_digest(&ins, &sign_in_tokens::ticket_digest(&ticket))
        .await?
        .ok_or("not found by digest")?;
    assert_eq!(by_id, by_digest);
    assert_eq!(by_id.actor, token.actor);
    assert_eq!(by_id.actor["reason"]["ticket"], 7);
    assert_eq!(by_id.session_max_duration_secs, 600);
    assert!(
        store
            .actor_token_by_digest(&ins, &sign_in_tokens::ticket_digest("other"))
            .await?
            .is_none()
    );
    assert!(
        store
            .get_actor_token(&ins, &ActorTokenId::new())
            .await?
            .is_none()
    );

    // Two spends from the same read: the second is stale and writes nothing.
    let session = SessionId::new();
    let mut first = by_id.clone();
    actor_tokens::redeem(&mut first, NOW + 1)?;
    first.session_id = Some(session.clone());
    let mut second = by_id;
    actor_tokens::redeem(&mut second, NOW + 1)?;
    commit(&store, &ins, vec![Write::UpdateActorToken(first)]).await?;
    assert_eq!(
        commit(&store, &ins, vec![Write::UpdateActorToken(second)]).await,
        Err(StoreError::Stale)
    );
    let now = store
        .get_actor_token(&ins, &token.id)
        .await?
        .ok_or("the token is gone")?;
    assert_eq!(now.status, SignInTokenStatus::Accepted);
    assert_eq!(now.session_id, Some(session));
    Ok(())
}
