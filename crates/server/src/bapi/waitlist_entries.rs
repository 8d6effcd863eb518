//! `/v1/waitlist_entries…`: list, create (one or in bulk), invite, reject, delete.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use usher_core::CoreError;
use usher_core::invitations::Invitation;
use usher_core::waitlist::{WaitlistEntry, WaitlistOrder, WaitlistQuery, WaitlistStatus};

use super::call::Call;
use crate::app::waitlist as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, WaitlistEntryPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::paginated;
use crate::wire::requests::waitlist::{
    BulkWaitlistRequest, CreateWaitlistEntryRequest, InviteWaitlistEntryRequest,
    RejectWaitlistEntryRequest,
};
use crate::wire::waitlist::entry_json;

fn one(state: &AppState, e: &WaitlistEntry, inv: Option<&Invitation>) -> Response {
    Json(entry_json(e, inv, state.now())).into_response()
}

/// Newest first by default; always `{data, total_count}`, as Clerk's.
pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let mut statuses = Vec::new();
    for s in q.all("status") {
        statuses.push(WaitlistStatus::parse(&s).ok_or_else(|| {
            ApiError::query(CoreError::value(
                "status",
                "must be one of pending, invited, completed, rejected",
            ))
        })?);
    }
    let order = match q.one("order_by") {
        Some(o) => WaitlistOrder::parse(o).map_err(ApiError::query)?,
        None => WaitlistOrder::default(),
    };
    let query = WaitlistQuery {
        query: q.one("query").map(str::to_owned),
        statuses,
        order,
        page,
    };
    let (entries, total) = app::list(&state, &query).await?;
    let now = state.now();
    let data: Vec<_> = entries
        .iter()
        .map(|(e, i)| entry_json(e, i.as_ref(), now))
        .collect();
    Ok(paginated(data, total))
}

/// An address already on the list answers its entry as it is.
pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateWaitlistEntryRequest>,
) -> ApiResult {
    let e = app::join(&state, &ctx, &body.email_address).await?;
    let inv = app::invitation_of(&state, &e).await?;
    Ok(one(&state, &e, inv.as_ref()))
}

/// `POST /v1/waitlist_entries/bulk`: a JSON array, all added or none.
pub async fn create_bulk(Call { state, ctx }: Call, body: axum::body::Bytes) -> ApiResult {
    let JsonBody(body) = JsonBody::<BulkWaitlistRequest>::parse(&BulkWaitlistRequest::wrap(&body))?;
    let emails: Vec<String> = body.entries.into_iter().map(|e| e.email_address).collect();
    let made = app::join_many(&state, &ctx, &emails).await?;
    let now = state.now();
    let mut data = Vec::with_capacity(made.len());
    for e in &made {
        let inv = app::invitation_of(&state, e).await?;
        data.push(entry_json(e, inv.as_ref(), now));
    }
    Ok(Json(data).into_response())
}

pub async fn invite(
    Call { state, ctx }: Call,
    Path(p): Path<WaitlistEntryPath>,
    JsonBody(body): JsonBody<InviteWaitlistEntryRequest>,
) -> ApiResult {
    let ignore = body.ignore_existing.unwrap_or(false);
    let (e, inv) = app::invite(&state, &ctx, &p.waitlist_entry_id, ignore).await?;
    Ok(one(&state, &e, inv.as_ref()))
}

pub async fn reject(
    Call { state, ctx }: Call,
    Path(p): Path<WaitlistEntryPath>,
    JsonBody(_): JsonBody<RejectWaitlistEntryRequest>,
) -> ApiResult {
    let (e, inv) = app::reject(&state, &ctx, &p.waitlist_entry_id).await?;
    Ok(one(&state, &e, inv.as_ref()))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<WaitlistEntryPath>) -> ApiResult {
    app::delete(&state, &ctx, &p.waitlist_entry_id).await?;
    Ok(Json(json!({
        "object": "waitlist_entry",
        "id": p.waitlist_entry_id,
        "deleted": true,
    }))
    .into_response())
}
