//! `usher audit`: the instance's JWT templates and its session token template checked for what
//! they ship (personal data in a token any holder can read; tokens over a minute without an
//! `aud`), read from the database so it works whatever state the server is in. `--strict` fails
//! when anything is found, for CI.

use std::sync::Arc;

use anyhow::bail;
use serde_json::json;
use usher_core::clock::{Clock, SystemClock};
use usher_core::jwt_templates::lint::{claim_findings, findings};
use usher_core::users::query::{MAX_LIMIT, Page};
use usher_server::app::jwt_templates as app;
use usher_server::app::session_claims;

use crate::CommonArgs;
use crate::output::outln;

pub fn run(common: CommonArgs, as_json: bool, strict: bool) -> anyhow::Result<()> {
    let cfg = crate::offline::existing_instance(common)?;
    let rt = crate::offline::runtime()?;
    let found = rt.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = usher_server::offline::open(&cfg, clock).await?;
        report(&state, as_json).await
    })?;
    if strict && found > 0 {
        bail!("{found} finding(s) in the JWT templates and the session token template");
    }
    Ok(())
}

/// Prints every template's findings; returns how many there are.
async fn report(state: &usher_server::state::AppState, as_json: bool) -> anyhow::Result<usize> {
    let mut templates = Vec::new();
    let mut offset = 0;
    loop {
        let page = Page {
            limit: MAX_LIMIT,
            offset,
        };
        let (batch, total) = app::list(state, &page).await?;
        offset += batch.len() as i64;
        let done = batch.is_empty() || offset >= total;
        templates.extend(batch);
        if done {
            break;
        }
    }
    let mut count = 0;
    let mut rows = Vec::new();
    for t in &templates {
        for f in findings(t) {
            count += 1;
            if as_json {
                rows.push(json!({
                    "template_id": t.id,
                    "template_name": t.name,
                    "code": f.code(),
                    "message": f.message(),
                }));
            } else {
                outln!("{} ({}): {}: {}", t.name, t.id, f.code(), f.message())?;
            }
        }
    }
    // The session token template: every session token carries it, in a cookie.
    let session = session_claims::get(state).await?;
    for f in claim_findings(&session.claims) {
        count += 1;
        if as_json {
            rows.push(json!({
                "template_id": null,
                "template_name": "session_token",
                "code": f.code(),
                "message": f.message(),
            }));
        } else {
            outln!("session token template: {}: {}", f.code(), f.message())?;
        }
    }
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "findings": rows }))?
        )?;
    } else if count == 0 {
        outln!(
            "{} JWT template(s) and the session token template checked: nothing found",
            templates.len()
        )?;
    }
    Ok(count)
}
