//! Clerk's `actor_token` object.

use serde::Serialize;
use serde_json::{Map, Value};
use usher_core::actor_tokens::ActorToken;
use usher_core::clock::Millis;
use usher_core::ids::{ActorTokenId, UserId};

#[derive(Debug, Serialize)]
pub struct ActorTokenJson {
    pub object: &'static str,
    pub id: ActorTokenId,
    pub status: &'static str,
    pub user_id: UserId,
    pub actor: Map<String, Value>,
    /// The ticket: only in the answer that makes it (only its digest is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Clerk links its hosted sign-in page here; Usher's hosted pages take invitation tickets
    /// only, so the ticket goes to clerk-js (`signIn.create({ strategy: 'ticket', ticket })`).
    pub url: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl ActorTokenJson {
    pub fn new(t: &ActorToken, ticket: Option<String>) -> Self {
        Self {
            object: "actor_token",
            id: t.id.clone(),
            status: t.status.as_str(),
            user_id: t.user_id.clone(),
            actor: t.actor.clone(),
            token: ticket,
            url: None,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}
