//! Use cases: read state, let the domain decide, commit the change with its events and audit entry
//! in one transaction. Handlers call these; nothing here knows about HTTP.

pub mod activity;
pub mod actor_tokens;
pub mod api_key_usage;
pub mod api_keys;
pub mod billing;
pub mod context;
pub mod degraded;
pub mod diagnostics;
pub mod domains;
pub mod external_accounts;
pub mod frontend;
pub mod identifier_lists;
pub mod identifiers;
pub mod images;
pub mod instance;
pub mod instance_config;
pub mod instance_settings;
pub mod invitations;
pub mod jwt_templates;
pub mod m2m_tokens;
pub mod machines;
pub mod mail;
pub mod message_templates;
pub mod oauth_providers;
pub mod operators;
pub mod organization_domains;
pub mod organization_enrollment;
pub mod organization_invitations;
pub mod organizations;
pub mod passkeys;
pub mod redirect_urls;
pub mod role_sets;
pub mod roles;
pub mod secret_keys;
pub mod session_claims;
pub mod session_revocation;
pub mod session_tokens;
pub mod sessions;
pub mod sign_in_tokens;
pub mod signing_keys;
pub mod sms;
pub mod testing_tokens;
pub mod user_export;
pub mod user_factors;
pub mod users;
pub mod waitlist;
pub mod webhooks;

use std::future::Future;

use usher_core::audit::AuditEntry;
use usher_core::events::{DomainEvent, OutboxEvent};
use usher_core::ids::{AuditId, WebhookEndpointId};
use usher_core::store::{Changeset, Write};
use usher_core::{CoreError, CoreResult};

use self::context::RequestContext;
use crate::state::AppState;
use crate::wire::events::render;

/// What a store read found, or the 404 naming `resource` when it found nothing.
pub fn found<T>(read: Option<T>, resource: &'static str) -> CoreResult<T> {
    read.ok_or(CoreError::NotFound { resource })
}

/// Optimistic writes that lose a race are re-read and re-applied, after a short random pause
/// that grows with each attempt so that writers contending for one row spread out.
const MAX_ATTEMPTS: u32 = 30;

pub async fn with_retry<T, F, Fut>(mut attempt: F) -> CoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = CoreResult<T>>,
{
    for n in 0..MAX_ATTEMPTS {
        match attempt().await {
            Err(CoreError::Conflict) => {
                let ceiling_ms = 1u64 << n.min(6);
                let pause = rand::random_range(0..=ceiling_ms);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            other => return other,
        }
    }
    Err(CoreError::Conflict)
}

/// A change about to be committed: state writes, then the events they cause, then the audit entry.
pub struct Change<'a> {
    state: &'a AppState,
    ctx: &'a RequestContext,
    writes: Changeset,
    events: usize,
    /// Emails queued by `mail::queue`: the commit wakes the mail worker.
    emails: usize,
    /// Activity the change completes (a sign-in, a sign-up), counted once it is committed.
    activity: Vec<usher_core::activity::ActivityKind>,
    /// Texts queued for the SMS provider by `sms::queue`: the commit wakes the SMS worker.
    texts: usize,
}

impl<'a> Change<'a> {
    pub fn new(state: &'a AppState, ctx: &'a RequestContext) -> Self {
        Self {
            state,
            ctx,
            writes: Changeset::default(),
            events: 0,
            emails: 0,
            activity: Vec::new(),
            texts: 0,
        }
    }

    /// Who makes the change, and from where.
    pub fn ctx(&self) -> &RequestContext {
        self.ctx
    }

    /// The server the change is made on.
    pub fn state(&self) -> &'a AppState {
        self.state
    }

    pub fn write(&mut self, w: Write) -> &mut Self {
        self.writes.push(w);
        self
    }

    fn render(&self, e: &DomainEvent) -> OutboxEvent {
        let s = self.state;
        render(
            e,
            &s.instance.id,
            self.ctx.client_ip.as_deref(),
            self.ctx.user_agent.as_deref(),
            s.settings().max_verification_attempts,
            s.now(),
        )
    }

    pub fn event(&mut self, e: DomainEvent) -> &mut Self {
        let rendered = self.render(&e);
        self.writes.push(Write::Event(rendered));
        self.events += 1;
        self
    }

    /// An event for one webhook endpoint only (a resync snapshot).
    pub fn event_for_endpoint(
        &mut self,
        endpoint_id: &WebhookEndpointId,
        e: DomainEvent,
    ) -> &mut Self {
        let rendered = self.render(&e);
        self.writes.push(Write::EndpointEvent {
            endpoint_id: endpoint_id.clone(),
            event: rendered,
        });
        self.events += 1;
        self
    }

    /// Counts `kind` in the hourly activity once the change is committed.
    pub fn count(&mut self, kind: usher_core::activity::ActivityKind) -> &mut Self {
        self.activity.push(kind);
        self
    }

    pub async fn commit(mut self, action: &str, target_id: Option<&str>) -> CoreResult<()> {
        self.audit(action, target_id);
        self.commit_audited().await
    }

    /// One audit entry of a change that acts on several targets (a bulk request).
    pub fn audit(&mut self, action: &str, target_id: Option<&str>) -> &mut Self {
        let s = self.state;
        self.writes.push(Write::Audit(AuditEntry {
            id: AuditId::new(),
            instance_id: s.instance.id.clone(),
            actor: self.ctx.actor.clone(),
            action: action.to_owned(),
            target_id: target_id.map(str::to_owned),
            trace_id: self.ctx.trace_id.clone(),
            client_ip: self.ctx.client_ip.clone(),
            at: s.now(),
            seq: 0,
        }));
        self
    }

    /// Commits a change whose audit entries were added with [`Change::audit`].
    pub async fn commit_audited(self) -> CoreResult<()> {
        let s = self.state;
        s.store.commit(&s.instance.id, self.writes).await?;
        s.metrics.events_written.inc_by(self.events as u64);
        if self.events > 0 {
            // Deliveries were queued with the events: start sending now.
            s.webhooks.wake();
        }
        if self.emails > 0 {
            s.mail.wake();
        }
        for kind in self.activity {
            s.activity.add(kind, s.now(), 1);
        }
        if self.texts > 0 {
            s.sms_runtime.wake();
        }
        Ok(())
    }
}
