//! One loop, at `--key-refresh-secs`, that picks up what another process changed in the
//! instance: rotated signing keys (`key_refresh`), secret keys (`secret_keys`), branding
//! (`branding`), the session token template (`session_claims`), the stored settings
//! (`settings`), and the email/SMS templates and satellite domains (`message_templates`).

use std::time::Duration;

use tokio::sync::watch;

use super::{branding, key_refresh, message_templates, secret_keys, session_claims, settings};
use crate::state::AppState;

pub async fn run(state: AppState, every: Duration, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                // On failure keep what we hold: the keys still verify and sign, the branding shows.
                if let Err(e) = key_refresh::refresh_once(&state).await {
                    tracing::warn!(error = %format!("{e:#}"), "could not reload signing keys");
                }
                if let Err(e) = secret_keys::refresh_once(&state).await {
                    tracing::warn!(error = %format!("{e:#}"), "could not reload the secret keys");
                }
                if let Err(e) = branding::refresh_once(&state).await {
                    tracing::warn!(error = %format!("{e:#}"), "could not reload the branding");
                }
                if let Err(e) = settings::refresh_once(&state).await {
                    tracing::warn!(error = %format!("{e:#}"), "could not reload the instance settings");
                }
                if let Err(e) = message_templates::refresh_once(&state).await {
                    tracing::warn!(
                        error = %format!("{e:#}"),
                        "could not reload the templates and satellite domains"
                    );
                }
                if let Err(e) = session_claims::refresh_once(&state).await {
                    tracing::warn!(
                        error = %format!("{e:#}"),
                        "could not reload the session token template"
                    );
                }
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    return;
                }
            }
        }
    }
}
