//! Machines: `/v1/machines`, authenticated with the instance's secret key.

use axum::Json;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::machines::{MachineOrder, MachinePatch, MachineQuery, NewMachine};

use super::call::Call;
use crate::app::machines as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{MachinePath, MachineScopePath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::paginated;
use crate::wire::machines::{
    DeletedMachineJson, MachineJson, MachineScopeJson, MachineSecretKeyJson,
};
use crate::wire::requests::machines::{
    CreateMachineRequest, CreateMachineScopeRequest, RotateMachineSecretKeyRequest,
    UpdateMachineRequest,
};

async fn render(
    state: &AppState,
    m: &usher_core::machines::Machine,
) -> Result<MachineJson, ApiError> {
    let scoped = app::scoped(state, &m.id).await?;
    Ok(MachineJson::new(m, &scoped, &state.instance.id))
}

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let order = match q.one("order_by") {
        None => MachineOrder::CreatedAt { ascending: false },
        Some(o) => MachineOrder::parse(o).ok_or_else(|| {
            ApiError::query(CoreError::value(
                "order_by",
                "must be name or created_at, optionally signed with + or -",
            ))
        })?,
    };
    let query = MachineQuery {
        query: q.one("query").map(str::to_owned),
        order,
        page,
    };
    let (machines, total) = app::list(&state, &query).await?;
    let mut data = Vec::with_capacity(machines.len());
    for m in &machines {
        data.push(render(&state, m).await?);
    }
    Ok(paginated(data, total))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateMachineRequest>,
) -> ApiResult {
    let (m, scoped, secret) = app::create(&state, &ctx, NewMachine::from(body)).await?;
    let mut json = MachineJson::new(&m, &scoped, &state.instance.id);
    json.secret_key = Some(secret);
    Ok(Json(json).into_response())
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<MachinePath>) -> ApiResult {
    let m = app::get(&state, &p.machine_id).await?;
    Ok(Json(render(&state, &m).await?).into_response())
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<MachinePath>,
    JsonBody(body): JsonBody<UpdateMachineRequest>,
) -> ApiResult {
    let m = app::update(&state, &ctx, &p.machine_id, MachinePatch::from(body)).await?;
    Ok(Json(render(&state, &m).await?).into_response())
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<MachinePath>) -> ApiResult {
    app::delete(&state, &ctx, &p.machine_id).await?;
    Ok(Json(DeletedMachineJson::new(&p.machine_id)).into_response())
}

pub async fn secret_key(Call { state, ctx }: Call, Path(p): Path<MachinePath>) -> ApiResult {
    let secret = app::secret(&state, &ctx, &p.machine_id).await?;
    Ok(Json(MachineSecretKeyJson::new(secret)).into_response())
}

pub async fn rotate_secret_key(
    Call { state, ctx }: Call,
    Path(p): Path<MachinePath>,
    JsonBody(body): JsonBody<RotateMachineSecretKeyRequest>,
) -> ApiResult {
    let secret = app::rotate_secret(&state, &ctx, &p.machine_id, body.previous_token_ttl).await?;
    Ok(Json(MachineSecretKeyJson::new(secret)).into_response())
}

pub async fn create_scope(
    Call { state, ctx }: Call,
    Path(p): Path<MachinePath>,
    JsonBody(body): JsonBody<CreateMachineScopeRequest>,
) -> ApiResult {
    let s = app::add_scope(&state, &ctx, &p.machine_id, &body.to_machine_id).await?;
    Ok(Json(MachineScopeJson::created(&s.from, &s.to, s.created_at)).into_response())
}

pub async fn delete_scope(Call { state, ctx }: Call, Path(p): Path<MachineScopePath>) -> ApiResult {
    app::remove_scope(&state, &ctx, &p.machine_id, &p.other_machine_id).await?;
    Ok(Json(MachineScopeJson::deleted(
        &p.machine_id,
        &p.other_machine_id,
    ))
    .into_response())
}
