//! Reads the instance's stored templates and satellite domains into the state: at start, then at
//! the signing keys' refresh interval, so a change made through another node reaches this one.
//! A change made through this server is held at once. Both lists are small: each reload reads
//! them whole.

use crate::state::AppState;

pub async fn refresh_once(state: &AppState) -> anyhow::Result<()> {
    // One reload at a time: the periodic one may have read before this node's own change
    // committed, and must not replace what the change's reload read after it.
    let _one = state.message_templates_reload.lock().await;
    let ins = &state.instance.id;
    let templates = state.store.message_templates(ins).await?;
    let domains = state.store.satellite_domains(ins).await?;
    if *state.message_templates() != templates {
        state.replace_message_templates(templates);
    }
    if *state.satellite_domains() != domains {
        state.replace_satellite_domains(domains);
    }
    Ok(())
}
