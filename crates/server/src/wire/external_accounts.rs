//! External accounts as Clerk shows them: in the user JSON (`external_accounts`) and as the
//! Backend API's `oauth_access_tokens` list.

use serde_json::{Value, json};
use usher_core::clock::Millis;
use usher_core::oauth::ExternalAccount;

/// `{object: "external_account", …}`. `provider` is the strategy (`oauth_google`), as Clerk's
/// Backend API has it; the Frontend API's user strips the `oauth_` (`wire::frontend::client`).
pub fn render(e: &ExternalAccount) -> Value {
    let strategy = format!("oauth_{}", e.provider);
    json!({
        "object": "external_account",
        "id": e.id,
        "provider": strategy,
        "identification_id": e.shown_identification_id(),
        "provider_user_id": e.provider_user_id,
        "approved_scopes": e.approved_scopes,
        "email_address": e.email_address,
        "email_address_verified": e.email_verified,
        "first_name": e.first_name.as_deref().unwrap_or_default(),
        "last_name": e.last_name.as_deref().unwrap_or_default(),
        "avatar_url": e.image_url.as_deref().unwrap_or_default(),
        "image_url": e.image_url.as_deref().unwrap_or_default(),
        "username": e.username,
        "phone_number": null,
        "public_metadata": e.public_metadata,
        "label": e.label,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
        // Clerk's verification always has an integer `expire_at` (and the provider's URL only
        // while the browser is there). The flow's own expiry is not kept once the provider
        // answered: the time it last did stands in, past either way.
        "verification": {
            "object": "verification_oauth",
            "status": "verified",
            "strategy": strategy,
            "attempts": null,
            "expire_at": e.updated_at,
            "error": null,
        },
    })
}

/// The Frontend API's account: its `provider` without the strategy's `oauth_` (`google`), as
/// clerk-js reads it.
pub fn render_frontend(e: &ExternalAccount) -> Value {
    let mut j = render(e);
    j["provider"] = Value::String(e.provider.clone());
    j
}

/// An account while the browser is at the provider (`POST /v1/me/external_accounts`,
/// `…/reauthorize`): its verification `unverified`, with the provider's authorization URL.
pub fn render_pending(e: &ExternalAccount, redirect_url: &str, expire_at: Millis) -> Value {
    let mut j = render_frontend(e);
    j["verification"]["status"] = json!("unverified");
    j["verification"]["external_verification_redirect_url"] = json!(redirect_url);
    j["verification"]["expire_at"] = json!(expire_at);
    j
}

/// One entry of `GET /v1/users/{user_id}/oauth_access_tokens/{provider}`.
pub fn access_token(
    e: &ExternalAccount,
    token: &str,
    expires_at: Option<Millis>,
    scopes: &str,
) -> Value {
    json!({
        "object": "oauth_access_token",
        "external_account_id": e.id,
        "provider_user_id": e.provider_user_id,
        "token": token,
        "provider": format!("oauth_{}", e.provider),
        "public_metadata": e.public_metadata,
        "label": e.label,
        "scopes": scopes.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
        "expires_at": expires_at.map(|ms| ms / 1000),
    })
}
