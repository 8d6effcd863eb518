//! Clerk's `sign_in_token` object.

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{SignInTokenId, UserId};
use usher_core::sign_in_tokens::SignInToken;

#[derive(Debug, Serialize)]
pub struct SignInTokenJson {
    pub object: &'static str,
    pub id: SignInTokenId,
    pub status: &'static str,
    pub user_id: UserId,
    /// The ticket: only in the answer that makes it (only its digest is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Clerk links its hosted sign-in page here; Usher's hosted pages take invitation tickets
    /// only, so the ticket goes to clerk-js (`signIn.create({ strategy: 'ticket', ticket })`).
    pub url: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl SignInTokenJson {
    pub fn new(t: &SignInToken, ticket: Option<String>) -> Self {
        Self {
            object: "sign_in_token",
            id: t.id.clone(),
            status: t.status.as_str(),
            user_id: t.user_id.clone(),
            token: ticket,
            url: None,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}
