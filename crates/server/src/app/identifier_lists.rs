//! The allowlist and blocklist of sign-up identifiers (`/v1/allowlist_identifiers`,
//! `/v1/blocklist_identifiers`): entries added and removed with their audit entries, and the
//! check every sign-up and every identifier added on the Frontend API goes through.

use usher_core::identifier_lists::{self, ListKind, ListedIdentifier};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

fn resource(list: ListKind) -> &'static str {
    match list {
        ListKind::Allow => "allowlist identifier",
        ListKind::Block => "blocklist identifier",
    }
}

pub async fn list(state: &AppState, list: ListKind) -> CoreResult<Vec<ListedIdentifier>> {
    Ok(state
        .store
        .identifier_list(&state.instance.id, Some(list))
        .await?)
}

/// Adds `identifier` to `list`; one the list has already is 400 `duplicate_record`.
pub async fn add(
    state: &AppState,
    ctx: &RequestContext,
    list: ListKind,
    identifier: &str,
) -> CoreResult<ListedIdentifier> {
    let entry = identifier_lists::new_entry(list, identifier, state.now())?;
    let entries = self::list(state, list).await?;
    if entries.iter().any(|e| e.identifier == entry.identifier) {
        return Err(CoreError::KeyTaken { what: "identifier" });
    }
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertListedIdentifier(entry.clone()));
    let action = match list {
        ListKind::Allow => "allowlist_identifier.create",
        ListKind::Block => "blocklist_identifier.create",
    };
    change.commit(action, Some(&entry.id)).await?;
    Ok(entry)
}

pub async fn remove(
    state: &AppState,
    ctx: &RequestContext,
    list: ListKind,
    id: &str,
) -> CoreResult<()> {
    let entries = self::list(state, list).await?;
    let Some(entry) = entries.into_iter().find(|e| e.id == id) else {
        return Err(CoreError::NotFound {
            resource: resource(list),
        });
    };
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteListedIdentifier {
        id: entry.id.clone(),
    });
    let action = match list {
        ListKind::Allow => "allowlist_identifier.delete",
        ListKind::Block => "blocklist_identifier.delete",
    };
    change.commit(action, Some(&entry.id)).await
}

/// Whether `identifier` (an address or a number) may be used, by the instance's restrictions:
/// refused with `not_allowed_access`, else whether the allowlist names it. Nothing is read when
/// no restriction is on.
pub async fn check(state: &AppState, identifier: &str) -> CoreResult<bool> {
    let s = state.settings();
    if !(s.allowlist_enabled
        || s.blocklist_enabled
        || s.block_email_subaddresses
        || s.block_disposable_email_domains)
    {
        return Ok(false);
    }
    let entries = if s.allowlist_enabled || s.blocklist_enabled {
        state
            .store
            .identifier_list(&state.instance.id, None)
            .await?
    } else {
        Vec::new()
    };
    identifier_lists::check(&s, &entries, identifier)
}

/// What an invitation's ticket does not get past: the blocklist and the email restrictions
/// (`not_allowed_access`).
pub async fn check_invited(state: &AppState, identifier: &str) -> CoreResult<()> {
    let s = state.settings();
    if !(s.blocklist_enabled || s.block_email_subaddresses || s.block_disposable_email_domains) {
        return Ok(());
    }
    let entries = if s.blocklist_enabled {
        state
            .store
            .identifier_list(&state.instance.id, Some(ListKind::Block))
            .await?
    } else {
        Vec::new()
    };
    identifier_lists::check_blocked(&s, &entries, identifier)
}
