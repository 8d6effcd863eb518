//! The instance's settings operators change at run time: its branding (application name, logo,
//! primary colour). A change is one versioned write with its `usher.security.*` event and audit
//! entry; this server holds the new branding at once, others reload it (`workers::branding`).

use usher_core::CoreResult;
use usher_core::branding::{self, Branding, BrandingPatch};
use usher_core::events::DomainEvent;
use usher_core::store::Write;

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// The stored branding (not the copy this server holds, which may lag behind another node).
pub async fn branding(state: &AppState) -> CoreResult<Branding> {
    Ok(state.store.branding(&state.instance.id).await?)
}

pub async fn update_branding(
    state: &AppState,
    ctx: &RequestContext,
    patch: &BrandingPatch,
) -> CoreResult<Branding> {
    let updated = with_retry(|| async {
        let mut b = branding(state).await?;
        if !branding::apply(&mut b, patch, state.now())? {
            return Ok(b);
        }
        let mut change = Change::new(state, ctx);
        change
            .write(Write::PutBranding(b.clone()))
            .event(DomainEvent::InstanceBrandingUpdated(b.clone()));
        change.commit("instance.branding.update", None).await?;
        b.version += 1;
        Ok(b)
    })
    .await?;
    state.replace_branding(updated.clone());
    Ok(updated)
}
