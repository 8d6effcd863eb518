//! Machines: created with their scope and secret key, listed, changed, deleted, their secret
//! read again or rotated (both audited), their scope changed; and a machine found by its secret
//! key. Each change commits with its audit entry in one transaction.

use usher_core::api_keys::ApiKeyKeys;
use usher_core::ids::MachineId;
use usher_core::machines::{Machine, MachinePatch, MachineQuery, MachineScope, NewMachine, rules};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

fn not_found() -> CoreError {
    CoreError::NotFound {
        resource: "machine",
    }
}

pub async fn get(state: &AppState, id: &MachineId) -> CoreResult<Machine> {
    let m = state.store.get_machine(&state.instance.id, id).await?;
    m.ok_or_else(not_found)
}

/// The machines `id` may call.
pub async fn scoped(state: &AppState, id: &MachineId) -> CoreResult<Vec<Machine>> {
    Ok(state.store.scoped_machines(&state.instance.id, id).await?)
}

pub async fn list(state: &AppState, q: &MachineQuery) -> CoreResult<(Vec<Machine>, i64)> {
    Ok(state.store.list_machines(&state.instance.id, q).await?)
}

/// A new machine, the machines it may call, and its secret key (shown this once, and on an
/// audited read).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: NewMachine,
) -> CoreResult<(Machine, Vec<Machine>, String)> {
    let (machine, scoped_ids) = rules::create(input, state.now())?;
    let keys = state.api_key_keys().await?;
    let secret = ApiKeyKeys::new_secret();
    let digest = keys.digest(&secret);
    let sealed = keys.seal(&machine.id, &secret)?;
    let scoped = with_retry(|| async {
        let mut scoped = Vec::with_capacity(scoped_ids.len());
        for id in &scoped_ids {
            let m = state.store.get_machine(&state.instance.id, id).await?;
            scoped.push(m.ok_or_else(|| {
                CoreError::value("scoped_machines", "names no machine of this instance")
            })?);
        }
        let mut change = Change::new(state, ctx);
        change.write(Write::InsertMachine {
            machine: machine.clone(),
            digest: digest.clone(),
            sealed: sealed.clone(),
            scoped: scoped_ids.clone(),
        });
        change.commit("machine.create", Some(&machine.id)).await?;
        Ok(scoped)
    })
    .await?;
    Ok((
        Machine {
            version: 1,
            ..machine
        },
        scoped,
        secret,
    ))
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &MachineId,
    patch: MachinePatch,
) -> CoreResult<Machine> {
    with_retry(|| async {
        let m = get(state, id).await?;
        let Some(next) = rules::update(&m, patch.clone(), state.now())? else {
            return Ok(m);
        };
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateMachine(next.clone()));
        change.commit("machine.update", Some(id)).await?;
        Ok(Machine {
            version: next.version + 1,
            ..next
        })
    })
    .await
}

pub async fn delete(state: &AppState, ctx: &RequestContext, id: &MachineId) -> CoreResult<()> {
    with_retry(|| async {
        let m = get(state, id).await?;
        let mut change = Change::new(state, ctx);
        change.write(Write::DeleteMachine {
            id: m.id.clone(),
            version: m.version,
        });
        change.commit("machine.delete", Some(id)).await
    })
    .await
}

/// The machine's secret key, unsealed; the read is in the audit log before it is returned.
pub async fn secret(state: &AppState, ctx: &RequestContext, id: &MachineId) -> CoreResult<String> {
    let sealed = state
        .store
        .machine_sealed_secret(&state.instance.id, id)
        .await?
        .ok_or_else(not_found)?;
    let secret = state.api_key_keys().await?.open(id, &sealed)?;
    Change::new(state, ctx)
        .commit("machine.secret_read", Some(id))
        .await?;
    Ok(secret)
}

/// A new secret key for the machine; the previous ones stay valid `previous_token_ttl` seconds.
pub async fn rotate_secret(
    state: &AppState,
    ctx: &RequestContext,
    id: &MachineId,
    previous_token_ttl: i64,
) -> CoreResult<String> {
    let now = state.now();
    let previous_until = rules::previous_key_until(previous_token_ttl, now)?;
    let keys = state.api_key_keys().await?;
    let secret = ApiKeyKeys::new_secret();
    let digest = keys.digest(&secret);
    let sealed = keys.seal(id, &secret)?;
    with_retry(|| async {
        let mut m = get(state, id).await?;
        m.updated_at = now;
        let mut change = Change::new(state, ctx);
        change.write(Write::RotateMachineSecret {
            machine: m,
            digest: digest.clone(),
            sealed: sealed.clone(),
            previous_until,
        });
        change.commit("machine.secret_rotate", Some(id)).await
    })
    .await?;
    Ok(secret)
}

/// Machine `from` may call `to` from now on.
pub async fn add_scope(
    state: &AppState,
    ctx: &RequestContext,
    from: &MachineId,
    to: &str,
) -> CoreResult<MachineScope> {
    let to = rules::scope(from, to)?;
    let scope = MachineScope {
        from: from.clone(),
        to: to.clone(),
        created_at: state.now(),
    };
    with_retry(|| async {
        get(state, from).await?;
        if state
            .store
            .get_machine(&state.instance.id, &to)
            .await?
            .is_none()
        {
            return Err(CoreError::value(
                "to_machine_id",
                "names no machine of this instance",
            ));
        }
        let mut change = Change::new(state, ctx);
        change.write(Write::InsertMachineScope(scope.clone()));
        change.commit("machine.scope_create", Some(from)).await
    })
    .await?;
    Ok(scope)
}

pub async fn remove_scope(
    state: &AppState,
    ctx: &RequestContext,
    from: &MachineId,
    to: &MachineId,
) -> CoreResult<()> {
    get(state, from).await?;
    if !scoped(state, from).await?.iter().any(|m| &m.id == to) {
        return Err(CoreError::NotFound {
            resource: "machine scope",
        });
    }
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteMachineScope {
        from: from.clone(),
        to: to.clone(),
    });
    match change.commit("machine.scope_delete", Some(from)).await {
        // Removed meanwhile by another request: gone all the same.
        Err(CoreError::Conflict) => Err(CoreError::NotFound {
            resource: "machine scope",
        }),
        other => other,
    }
}

/// The machine whose current (or rotated-out, still valid) secret key is `secret`.
pub async fn authenticate(state: &AppState, secret: &str) -> CoreResult<Option<Machine>> {
    let digest = state.api_key_keys().await?.digest(secret);
    let found = state
        .store
        .machine_by_secret_digest(&state.instance.id, &digest, state.now())
        .await?;
    Ok(found.and_then(|(m, stored)| {
        usher_core::api_keys::secrets::same_digest(&digest, &stored).then_some(m)
    }))
}
