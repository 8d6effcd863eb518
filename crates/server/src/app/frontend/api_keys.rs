//! API keys on the Frontend API (clerk-js's `<APIKeys/>`): a signed-in user lists, creates and
//! revokes their own keys, and an organization's when their role allows it — reading needs
//! `org:sys_memberships:read` and creating or revoking `org:sys_memberships:manage` (whoever
//! manages the organization's members manages its machine access). The secret is shown once, at
//! creation; keys made here carry no claims or scopes (those are the Backend API's to set).

use usher_core::api_keys::{ApiKey, NewApiKey, Subject};
use usher_core::ids::{ApiKeyId, UserId};
use usher_core::organizations::access::{MANAGE_MEMBERSHIPS, READ_MEMBERSHIPS};
use usher_core::{CoreError, CoreResult};

use super::organizations::check;
use crate::app::api_keys::{self as keys, ListQuery};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// May `user_id` act on `subject`'s keys? Itself always; an organization by its role.
async fn allow(
    state: &AppState,
    user_id: &UserId,
    subject: &str,
    permission: &'static str,
) -> CoreResult<()> {
    match Subject::parse(subject) {
        Some(Subject::User(u)) if u == *user_id => Ok(()),
        Some(Subject::Organization(o)) => check(state, user_id, &o, Some(permission))
            .await
            .map(|_| ()),
        _ => Err(CoreError::NotAllowed {
            reason: "API keys of another user cannot be managed here.",
        }),
    }
}

pub async fn list(
    state: &AppState,
    user_id: &UserId,
    q: ListQuery,
) -> CoreResult<(Vec<ApiKey>, i64)> {
    allow(state, user_id, &q.subject, READ_MEMBERSHIPS).await?;
    keys::list(state, q).await
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    mut input: NewApiKey,
) -> CoreResult<(ApiKey, String)> {
    allow(state, user_id, &input.subject, MANAGE_MEMBERSHIPS).await?;
    input.created_by = Some(user_id.to_string());
    input.claims = None;
    input.scopes = Vec::new();
    keys::create(state, ctx, input).await
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &ApiKeyId,
    reason: Option<String>,
) -> CoreResult<ApiKey> {
    let key = keys::get(state, id).await?;
    // A key the caller may not see is one that does not exist.
    if allow(state, user_id, &key.subject, MANAGE_MEMBERSHIPS)
        .await
        .is_err()
    {
        return Err(CoreError::NotFound {
            resource: "api key",
        });
    }
    keys::revoke(state, ctx, id, reason).await
}
