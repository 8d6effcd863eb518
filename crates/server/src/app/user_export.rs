//! A subject access request: everything Usher holds about one user as one JSON document
//! (`usher users export`), audited as `user.export`.
//!
//! Secrets never leave: no password digest, TOTP secret or backup codes (only whether TOTP is
//! enrolled and how many backup codes remain), no API key secrets. Emails and text messages are
//! listed without their bodies and template values, which held one-time codes (so are the
//! `email.created` and `sms.created` events); their subject, status and times are kept.

use serde_json::{Value, json};
use usher_core::CoreResult;
use usher_core::api_keys::ApiKeyQuery;
use usher_core::ids::UserId;
use usher_core::organizations::invitations::InvitationQuery;
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::users::query::Page;

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;
use crate::wire::api_keys::ApiKeyJson;
use crate::wire::organization_invitations::InvitationJson;
use crate::wire::users::UserJson;

/// Records of one kind listed at most (a user with more is an anomaly worth the truncation).
const MAX: i64 = 10_000;
/// What an email's or text message's payload holds that the export leaves out.
const MESSAGE_CONTENT: &[&str] = &["body", "body_plain", "body_html", "message", "data"];
/// Events and audit entries read per page while looking for the user.
const SCAN_PAGE: i64 = 1_000;

pub async fn export(state: &AppState, ctx: &RequestContext, id: &UserId) -> CoreResult<Value> {
    let user = super::users::get(state, id).await?;
    let ins = &state.instance.id;
    let now = state.now();
    let page = Page {
        limit: MAX,
        offset: 0,
    };

    let (sessions, _) = state
        .store
        .list_sessions(
            ins,
            &SessionQuery {
                filter: SessionFilter {
                    user_id: Some(id.clone()),
                    ..Default::default()
                },
                page: page.clone(),
                now,
            },
        )
        .await?;
    let sessions: Vec<Value> = sessions
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "client_id": s.client_id, "status": s.status_at(now).as_str(),
                "ip_address": s.ip_address, "user_agent": s.user_agent,
                "last_active_at": s.last_active_at, "created_at": s.created_at,
                "expire_at": s.expire_at, "actor": s.actor,
            })
        })
        .collect();

    let memberships: Vec<Value> = state
        .store
        .memberships_of_users(ins, std::slice::from_ref(id), now)
        .await?
        .into_iter()
        .map(|(m, o)| {
            json!({
                "id": m.id, "organization_id": o.id, "organization_name": o.name,
                "organization_slug": o.slug, "role": m.role,
                "public_metadata": m.public_metadata, "private_metadata": m.private_metadata,
                "created_at": m.created_at,
            })
        })
        .collect();

    let addresses: Vec<String> = user
        .email_addresses
        .iter()
        .map(|e| e.email_address.to_lowercase())
        .collect();
    let (invitations, _) = state
        .store
        .list_organization_invitations(
            ins,
            &InvitationQuery {
                organization_id: None,
                email_address: None,
                any_email_address: Some(addresses.clone()),
                statuses: Vec::new(),
                query: None,
                now,
                page: page.clone(),
            },
        )
        .await?;
    let invitations: Vec<InvitationJson> = invitations
        .iter()
        .map(|i| InvitationJson::new(i, now))
        .collect();

    let (api_keys, _) = state
        .store
        .list_api_keys(
            ins,
            &ApiKeyQuery {
                subject: id.to_string(),
                include_invalid: true,
                now,
                query: None,
                page: page.clone(),
            },
        )
        .await?;
    let api_keys: Vec<ApiKeyJson> = api_keys.iter().map(|k| ApiKeyJson::new(k, now)).collect();

    let mut emails = Vec::new();
    for address in &addresses {
        let (list, _) = state.store.list_emails(ins, Some(address), MAX, 0).await?;
        emails.extend(list.into_iter().map(|m| {
            json!({
                "id": m.id, "to_email_address": m.to_email_address, "slug": m.slug,
                "subject": m.subject, "status": m.status.as_str(), "created_at": m.created_at,
            })
        }));
    }
    let mut sms = Vec::new();
    for phone in &user.phone_numbers {
        let (list, _) = state
            .store
            .list_sms_messages(ins, Some(&phone.phone_number), MAX, 0)
            .await?;
        sms.extend(list.into_iter().map(|m| {
            json!({
                "id": m.id, "to_phone_number": m.to_phone_number, "slug": m.slug,
                "status": m.status, "created_at": m.created_at,
            })
        }));
    }

    let events = events_about(state, id).await?;
    let actor = format!("user:{id}");
    let audit: Vec<Value> = state
        .store
        .audit_log(ins, MAX)
        .await?
        .into_iter()
        .filter(|a| a.target_id.as_deref() == Some(id.as_str()) || a.actor == actor)
        .map(|a| {
            json!({
                "id": a.id, "actor": a.actor, "action": a.action, "target_id": a.target_id,
                "client_ip": a.client_ip, "at": a.at,
            })
        })
        .collect();

    let mut change = Change::new(state, ctx);
    change.audit("user.export", Some(id.as_str()));
    change.commit_audited().await?;

    Ok(json!({
        "object": "user_export",
        "exported_at": now,
        "user": UserJson::new(&user, state.settings().max_verification_attempts, now),
        "mfa": {
            "totp_enabled": user.totp.is_some(),
            "backup_codes_remaining": user.backup_codes.len(),
        },
        "sessions": sessions,
        "organization_memberships": memberships,
        "organization_invitations": invitations,
        "api_keys": api_keys,
        "emails": emails,
        "sms_messages": sms,
        "events": events,
        "audit_entries": audit,
    }))
}

/// The outbox events whose payload names the user, oldest first.
async fn events_about(state: &AppState, id: &UserId) -> CoreResult<Vec<Value>> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = state
            .store
            .events_after(&state.instance.id, after, SCAN_PAGE)
            .await?;
        let Some(last) = page.last() else {
            return Ok(out);
        };
        after = last.seq;
        for e in &page {
            if e.data.to_string().contains(id.as_str()) {
                let mut data = e.data.clone();
                if let Some(message) = data.as_object_mut()
                    && matches!(e.event_type.as_str(), "email.created" | "sms.created")
                {
                    // As the emails and texts above: no bodies, no template values (codes).
                    for key in MESSAGE_CONTENT {
                        message.remove(*key);
                    }
                }
                out.push(json!({
                    "id": e.id, "type": e.event_type, "created_at": e.created_at, "data": data,
                }));
            }
        }
        if (page.len() as i64) < SCAN_PAGE || out.len() as i64 >= MAX {
            return Ok(out);
        }
    }
}
