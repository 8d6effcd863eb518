//! Webhook endpoints: an Usher extension of the Backend API (Clerk manages webhooks in Svix's
//! dashboard instead). Lists answer `{data, total_count}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::ids::{EventId, WebhookEndpointId};
use usher_core::webhooks::endpoint::{EndpointPatch, NewEndpoint};
use usher_core::webhooks::{DeliveryFilter, DeliveryQuery};

use super::call::Call;
use crate::app::webhooks as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{EndpointPath, MessagePath, Path};
use crate::extract::query::QueryParams;
use crate::wire::lists::paginated;
use crate::wire::requests::webhooks::{
    CreateEndpointRequest, ReplayRequest, RetryMessageRequest, UpdateEndpointRequest,
};
use crate::wire::webhooks::{
    DeletedEndpointJson, DeliveryJson, EndpointJson, QueuedJson, RetryJson,
};

const NOT_FOUND: CoreError = CoreError::NotFound {
    resource: "webhook endpoint",
};

fn endpoint_json(e: &usher_core::webhooks::WebhookEndpoint) -> Response {
    Json(EndpointJson::new(e, None)).into_response()
}

pub async fn list(Call { state, .. }: Call) -> ApiResult {
    let endpoints = app::list(&state).await?;
    let data: Vec<EndpointJson> = endpoints
        .iter()
        .map(|e| EndpointJson::new(e, None))
        .collect();
    let total = data.len() as i64;
    Ok(paginated(data, total))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateEndpointRequest>,
) -> ApiResult {
    let (ep, secret) = app::create(&state, &ctx, NewEndpoint::from(body)).await?;
    Ok(Json(EndpointJson::new(&ep, Some(&secret))).into_response())
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<EndpointPath>) -> ApiResult {
    let ep = app::get(&state, &p.endpoint_id).await?;
    Ok(endpoint_json(&ep))
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<EndpointPath>,
    JsonBody(body): JsonBody<UpdateEndpointRequest>,
) -> ApiResult {
    let id = &p.endpoint_id;
    let ep = app::update(&state, &ctx, id, EndpointPatch::from(body)).await?;
    Ok(endpoint_json(&ep))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<EndpointPath>) -> ApiResult {
    let ep = app::delete(&state, &ctx, &p.endpoint_id).await?;
    Ok(Json(DeletedEndpointJson {
        object: "webhook_endpoint",
        id: ep.id.into_string(),
        deleted: true,
    })
    .into_response())
}

pub async fn pause(Call { state, ctx }: Call, Path(p): Path<EndpointPath>) -> ApiResult {
    let ep = app::set_paused(&state, &ctx, &p.endpoint_id, true).await?;
    Ok(endpoint_json(&ep))
}

pub async fn resume(Call { state, ctx }: Call, Path(p): Path<EndpointPath>) -> ApiResult {
    let ep = app::set_paused(&state, &ctx, &p.endpoint_id, false).await?;
    Ok(endpoint_json(&ep))
}

pub async fn rotate_secret(Call { state, ctx }: Call, Path(p): Path<EndpointPath>) -> ApiResult {
    let (ep, secret) = app::rotate_secret(&state, &ctx, &p.endpoint_id).await?;
    Ok(Json(EndpointJson::new(&ep, Some(&secret))).into_response())
}

pub async fn deliveries(
    Call { state, .. }: Call,
    Path(p): Path<EndpointPath>,
    q: QueryParams,
) -> ApiResult {
    let id = &p.endpoint_id;
    let status = match q.one("status") {
        None => None,
        Some(s) => Some(DeliveryFilter::parse(s).ok_or_else(|| {
            ApiError::query(CoreError::value("status", DeliveryFilter::EXPECTED))
        })?),
    };
    let page = q.page()?;
    let (items, total) = match q.one("message_id").map(EventId::parse).transpose() {
        Ok(event_id) => {
            let query = DeliveryQuery {
                endpoint_id: id.to_owned(),
                status,
                event_id,
                limit: page.limit,
                offset: page.offset,
            };
            app::deliveries(&state, &query).await?
        }
        // A message id that is not one matches no delivery (of an endpoint that must exist).
        Err(_) => {
            app::get(&state, id).await?;
            (Vec::new(), 0)
        }
    };
    Ok(paginated(
        items.iter().map(DeliveryJson::from).collect::<Vec<_>>(),
        total,
    ))
}

pub async fn replay(
    Call { state, ctx }: Call,
    Path(p): Path<EndpointPath>,
    JsonBody(body): JsonBody<ReplayRequest>,
) -> ApiResult {
    let id = &p.endpoint_id;
    let since = body.since()?;
    let queued = app::replay(&state, &ctx, id, since).await?;
    Ok(Json(QueuedJson {
        object: "webhook_replay",
        endpoint_id: id.to_owned(),
        since: Some(since),
        queued,
    })
    .into_response())
}

pub async fn resync(Call { state, ctx }: Call, Path(p): Path<EndpointPath>) -> ApiResult {
    let id = &p.endpoint_id;
    let queued = app::resync(&state, &ctx, id).await?;
    Ok(Json(QueuedJson {
        object: "webhook_resync",
        endpoint_id: id.to_owned(),
        since: None,
        queued,
    })
    .into_response())
}

pub async fn retry_message(
    Call { state, ctx }: Call,
    Path(p): Path<MessagePath>,
    JsonBody(body): JsonBody<RetryMessageRequest>,
) -> ApiResult {
    let msg = &p.msg_id;
    // A malformed endpoint id is simply an unknown endpoint.
    let endpoint = body
        .endpoint_id
        .as_deref()
        .map(WebhookEndpointId::parse)
        .transpose()
        .map_err(|_| ApiError::from(NOT_FOUND))?;
    let endpoint_ids = app::retry_message(&state, &ctx, msg, endpoint.as_ref()).await?;
    Ok(Json(RetryJson {
        object: "webhook_retry",
        message_id: msg.to_owned(),
        endpoint_ids,
    })
    .into_response())
}
