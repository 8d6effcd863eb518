//! The storage contract. Implementations live in `usher-store` (SQLite, PostgreSQL); both pass the
//! same test suite. Every change is a [`Changeset`] committed in one transaction together with the
//! events (the outbox) and audit entries it causes.

mod changes;
mod dashboard;
mod error;
mod token_reads;

pub use changes::{Changeset, Write};
pub use dashboard::{DashboardStore, SECURITY_EVENT_PREFIX};
pub use error::{StoreError, StoreResult};
pub use token_reads::{ActiveMembership, DomainPendingCount, SessionForToken};

use async_trait::async_trait;

use crate::activity::ActivityCount;
use crate::actor_tokens::ActorToken;
use crate::audit::AuditEntry;
use crate::branding::Branding;
use crate::clock::Millis;
use crate::diagnostics::DatabaseReport;
use crate::events::OutboxEvent;
use crate::ids::{
    ActorTokenId, ClientId, EmailMessageId, EventId, ImageId, InstanceId, JwtTemplateId,
    OrganizationDomainId, OrganizationId, OrganizationInvitationId,
    OrganizationMembershipRequestId, OrganizationSuggestionId, SessionId, SignInTokenId, UserId,
    WebhookEndpointId,
};
use crate::ids::{OperatorId, OperatorSessionId};
use crate::images::Image;
use crate::instance::{Instance, SecretKeyRecord};
use crate::jwt_templates::JwtTemplate;
use crate::jwt_templates::session_claims::SessionClaimsTemplate;
use crate::lifecycle::{PiiPurge, Pruned, PurgeStep, RetentionCutoffs};
use crate::mail::{EmailMessage, EmailStatus};
use crate::operators::{AuditQuery, Operator, OperatorCredentials, OperatorSession};
use crate::organizations::domains::{DomainQuery, OrganizationDomain};
use crate::organizations::invitations::{InvitationQuery, OrganizationInvitation};
use crate::organizations::membership_requests::{MembershipRequest, RequestQuery};
use crate::organizations::query::{MembershipQuery, OrganizationQuery};
use crate::organizations::suggestions::{OrganizationSuggestion, SuggestionQuery};
use crate::organizations::{Organization, OrganizationMembership};
use crate::roles::model::{Permission, RoleRecord};
use crate::roles::sets::RoleSet;
use crate::sessions::query::SessionQuery;
use crate::sessions::{Client, Session};
use crate::sign_in_tokens::SignInToken;
use crate::signing_keys::SigningKeyRecord;
use crate::users::User;
use crate::users::identifiers::IdentifierKind;
use crate::users::query::{Page, UserFilter, UserOrder};
use crate::webhooks::{
    AttemptRecord, ClaimedEndpoint, Delivery, DeliveryQuery, EndpointStats, PendingDelivery,
    WebhookEndpoint,
};

#[async_trait]
pub trait Store: DashboardStore + Send + Sync + 'static {
    /// Checks the connection; `/readyz` calls it.
    async fn ping(&self) -> StoreResult<()>;

    async fn load_instance(&self) -> StoreResult<Option<Instance>>;
    /// Creates the instance with its first secret key and signing key, in one transaction.
    /// Fails with [`StoreError::InstanceExists`] when the database already has one.
    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()>;
    /// The instance's branding; the defaults (version 0) when it was never set.
    async fn branding(&self, instance_id: &InstanceId) -> StoreResult<Branding>;
    /// The instance's session token template; an empty one (version 0) when it was never set.
    async fn session_claims(&self, instance_id: &InstanceId) -> StoreResult<SessionClaimsTemplate>;
    /// The instance's stored settings; none (version 0) when they were never written.
    async fn instance_settings(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<crate::instance_settings::StoredSettings>;
    async fn secret_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SecretKeyRecord>>;
    async fn signing_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Makes `key` the signing key; the previous ones stay (inactive) so their tokens still verify.
    async fn rotate_signing_key(
        &self,
        instance_id: &InstanceId,
        key: &SigningKeyRecord,
    ) -> StoreResult<()>;
    /// Removes an inactive key from JWKS. Returns false when there is no such inactive key.
    async fn retire_signing_key(&self, instance_id: &InstanceId, kid: &str) -> StoreResult<bool>;

    async fn get_user(&self, instance_id: &InstanceId, id: &UserId) -> StoreResult<Option<User>>;
    /// The users with these ids, in no particular order (unknown ids are left out): one read for
    /// a page of records that name users.
    async fn users_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[UserId],
    ) -> StoreResult<Vec<User>>;
    async fn list_users(
        &self,
        instance_id: &InstanceId,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>>;
    async fn count_users(&self, instance_id: &InstanceId, filter: &UserFilter) -> StoreResult<i64>;

    // --- Organizations and their memberships. ---

    async fn get_organization(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationId,
    ) -> StoreResult<Option<Organization>>;
    /// The organizations with these ids, in no particular order (unknown ids are left out).
    async fn organizations_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[OrganizationId],
    ) -> StoreResult<Vec<Organization>>;
    /// The organization with this slug (compared lower-cased).
    async fn organization_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<Organization>>;
    /// A page of organizations and the total matching the query.
    async fn list_organizations(
        &self,
        instance_id: &InstanceId,
        query: &OrganizationQuery,
    ) -> StoreResult<(Vec<Organization>, i64)>;
    /// The membership of `user_id` in `organization_id`.
    async fn get_membership(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        user_id: &UserId,
    ) -> StoreResult<Option<OrganizationMembership>>;
    /// A page of memberships and the total matching the query.
    async fn list_memberships(
        &self,
        instance_id: &InstanceId,
        query: &MembershipQuery,
    ) -> StoreResult<(Vec<OrganizationMembership>, i64)>;

    /// Every membership of these users with its organization (pending invitations counted as of
    /// `now`), newest first: what a Frontend API response shows of its users, in one query.
    async fn memberships_of_users(
        &self,
        instance_id: &InstanceId,
        user_ids: &[UserId],
        now: Millis,
    ) -> StoreResult<Vec<(OrganizationMembership, Organization)>>;
    /// How many pending, unexpired invitations each of these organizations has (those with none
    /// are left out).
    async fn pending_invitation_counts(
        &self,
        instance_id: &InstanceId,
        organization_ids: &[OrganizationId],
        now: Millis,
    ) -> StoreResult<Vec<(OrganizationId, i64)>>;

    async fn get_organization_invitation(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationInvitationId,
    ) -> StoreResult<Option<OrganizationInvitation>>;
    /// The invitation whose ticket's SHA-256 (hex) is `ticket_digest`, whatever its status.
    async fn organization_invitation_by_ticket(
        &self,
        instance_id: &InstanceId,
        ticket_digest: &str,
    ) -> StoreResult<Option<OrganizationInvitation>>;
    async fn list_organization_invitations(
        &self,
        instance_id: &InstanceId,
        query: &InvitationQuery,
    ) -> StoreResult<(Vec<OrganizationInvitation>, i64)>;
    /// The domain `id` of `organization_id`.
    async fn get_organization_domain(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        id: &OrganizationDomainId,
    ) -> StoreResult<Option<OrganizationDomain>>;
    /// A page of domains (newest first) and the total matching the query.
    async fn list_organization_domains(
        &self,
        instance_id: &InstanceId,
        query: &DomainQuery,
    ) -> StoreResult<(Vec<OrganizationDomain>, i64)>;
    /// Per domain name of `organization_id`: its pending, unexpired invitations and its pending
    /// suggestions, counted by the invited or suggested address's domain (names with neither are
    /// left out).
    async fn domain_pending_counts(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        names: &[String],
        now: Millis,
    ) -> StoreResult<Vec<DomainPendingCount>>;
    async fn get_organization_suggestion(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationSuggestionId,
    ) -> StoreResult<Option<OrganizationSuggestion>>;
    /// A page of suggestions (newest first) and the total matching the query.
    async fn list_organization_suggestions(
        &self,
        instance_id: &InstanceId,
        query: &SuggestionQuery,
    ) -> StoreResult<(Vec<OrganizationSuggestion>, i64)>;
    async fn get_membership_request(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationMembershipRequestId,
    ) -> StoreResult<Option<MembershipRequest>>;
    /// A page of membership requests (newest first) and the total matching the query.
    async fn list_membership_requests(
        &self,
        instance_id: &InstanceId,
        query: &RequestQuery,
    ) -> StoreResult<(Vec<MembershipRequest>, i64)>;

    async fn get_session(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<Session>>;
    async fn session_for_token(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<SessionForToken>>;
    /// Returns the page and the total matching the filter.
    async fn list_sessions(
        &self,
        instance_id: &InstanceId,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)>;
    async fn live_sessions_of_user(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<Session>>;

    // --- Browser clients and sign-in look-ups. ---

    async fn get_client(
        &self,
        instance_id: &InstanceId,
        id: &ClientId,
    ) -> StoreResult<Option<Client>>;
    /// The client whose browser secret hashes to `token_hash`.
    async fn client_by_token(
        &self,
        instance_id: &InstanceId,
        token_hash: &str,
    ) -> StoreResult<Option<Client>>;
    /// Every session started on the client, oldest first, whatever its status.
    async fn sessions_of_client(
        &self,
        instance_id: &InstanceId,
        client_id: &ClientId,
    ) -> StoreResult<Vec<Session>>;
    /// The user owning an identifier (compared in its normalised form).
    async fn user_id_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<UserId>>;
    /// The user holding the email address or phone number `id` (`idn_…`), if any.
    async fn user_by_identification_id(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::IdentificationId,
    ) -> StoreResult<Option<User>>;
    /// The user owning an identifier, read in one query (a sign-in's first step).
    async fn user_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<User>>;
    /// The instance's server-side secret `name`, kept as `candidate` if there is none yet.
    async fn instance_secret(
        &self,
        instance_id: &InstanceId,
        name: &str,
        candidate: &[u8],
    ) -> StoreResult<Vec<u8>>;
    /// Keeps a handshake payload for the Backend API to fetch by nonce until `expire_at`.
    async fn put_handshake_nonce(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        payload: &str,
        expire_at: i64,
    ) -> StoreResult<()>;
    async fn handshake_payload(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        now: i64,
    ) -> StoreResult<Option<String>>;

    /// The instance's custom organization permissions, by key.
    async fn organization_permissions(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<Permission>>;
    /// The instance's JWT templates, newest first, and their total.
    async fn jwt_templates(
        &self,
        instance_id: &InstanceId,
        page: &Page,
    ) -> StoreResult<(Vec<JwtTemplate>, i64)>;
    async fn jwt_template(
        &self,
        instance_id: &InstanceId,
        id: &JwtTemplateId,
    ) -> StoreResult<Option<JwtTemplate>>;
    async fn jwt_template_by_name(
        &self,
        instance_id: &InstanceId,
        name: &str,
    ) -> StoreResult<Option<JwtTemplate>>;
    /// The instance's custom organization roles, by key, each with its permission keys sorted.
    async fn organization_roles(&self, instance_id: &InstanceId) -> StoreResult<Vec<RoleRecord>>;
    async fn get_sign_in_token(
        &self,
        instance_id: &InstanceId,
        id: &SignInTokenId,
    ) -> StoreResult<Option<SignInToken>>;
    /// The sign-in token whose ticket has this digest.
    async fn sign_in_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<SignInToken>>;
    async fn get_actor_token(
        &self,
        instance_id: &InstanceId,
        id: &ActorTokenId,
    ) -> StoreResult<Option<ActorToken>>;
    /// The actor token whose ticket has this digest.
    async fn actor_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<ActorToken>>;
    /// Every role set of the instance, newest first.
    async fn role_sets(&self, instance_id: &InstanceId) -> StoreResult<Vec<RoleSet>>;
    /// Every role members of the organizations tied to role set `key` hold.
    async fn role_set_roles_held(
        &self,
        instance_id: &InstanceId,
        key: &str,
    ) -> StoreResult<Vec<String>>;
    /// The memberships, in organizations tied to role set `key`, whose role is one of `roles`,
    /// oldest first.
    async fn role_set_members_holding(
        &self,
        instance_id: &InstanceId,
        key: &str,
        roles: &[String],
    ) -> StoreResult<Vec<OrganizationMembership>>;

    /// An uploaded image of the instance, bytes included.
    async fn get_image(&self, instance_id: &InstanceId, id: &ImageId)
    -> StoreResult<Option<Image>>;

    // --- API keys. Written through `commit`, except `last_used_at` (`touch_api_keys`). ---

    async fn get_api_key(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::ApiKeyId,
    ) -> StoreResult<Option<crate::api_keys::ApiKey>>;
    /// The key whose secret's digest is `digest`, and the digest as stored (the caller compares
    /// it in constant time).
    async fn api_key_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(crate::api_keys::ApiKey, String)>>;
    /// The key's sealed secret (opened only by the instance's sealing key).
    async fn api_key_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::ApiKeyId,
    ) -> StoreResult<Option<crate::api_keys::SealedSecret>>;
    /// A page of a subject's keys (newest first) and the total matching the query.
    async fn list_api_keys(
        &self,
        instance_id: &InstanceId,
        query: &crate::api_keys::ApiKeyQuery,
    ) -> StoreResult<(Vec<crate::api_keys::ApiKey>, i64)>;
    /// Moves each key's `last_used_at` forward to the time given (never back), in one
    /// transaction: verification records uses in memory and writes them here in batches.
    async fn touch_api_keys(
        &self,
        instance_id: &InstanceId,
        used: &[(crate::ids::ApiKeyId, Millis)],
    ) -> StoreResult<()>;

    // --- Dashboard operators. Written through `commit` (with their audit entries); their
    // sessions and TOTP steps directly. ---

    /// Every operator, oldest first.
    async fn operators(&self, instance_id: &InstanceId) -> StoreResult<Vec<Operator>>;
    /// The operator with this (normalized) email address, with its credentials.
    async fn operator_by_email(
        &self,
        instance_id: &InstanceId,
        email: &str,
    ) -> StoreResult<Option<OperatorCredentials>>;
    async fn operator_credentials(
        &self,
        instance_id: &InstanceId,
        id: &OperatorId,
    ) -> StoreResult<Option<OperatorCredentials>>;
    /// Records a TOTP step as used when it is newer than the last one: `false` (nothing
    /// written) when it is not, so a code is accepted once however many requests race.
    async fn use_operator_totp_step(
        &self,
        instance_id: &InstanceId,
        id: &OperatorId,
        step: i64,
    ) -> StoreResult<bool>;
    async fn insert_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &OperatorSession,
    ) -> StoreResult<()>;
    async fn operator_session_by_digest(
        &self,
        instance_id: &InstanceId,
        token_digest: &str,
    ) -> StoreResult<Option<OperatorSession>>;
    /// Writes the session's digest, `verified`, `last_seen` and `expires_at`;
    /// [`StoreError::Stale`] when it is gone.
    async fn update_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &OperatorSession,
    ) -> StoreResult<()>;
    /// Ends a session (nothing when it is gone already).
    async fn delete_operator_session(
        &self,
        instance_id: &InstanceId,
        id: &OperatorSessionId,
    ) -> StoreResult<()>;
    /// A page of the audit log, newest first, and the total matching the filters.
    async fn audit_entries(
        &self,
        instance_id: &InstanceId,
        query: &AuditQuery,
    ) -> StoreResult<(Vec<AuditEntry>, i64)>;

    // --- Plans and subscription items. Written through `commit`. ---

    async fn get_billing_plan(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::PlanId,
    ) -> StoreResult<Option<crate::billing::Plan>>;
    async fn billing_plan_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<crate::billing::Plan>>;
    /// A page of the instance's plans (newest first) and the total matching the query.
    async fn list_billing_plans(
        &self,
        instance_id: &InstanceId,
        query: &crate::billing::PlanQuery,
    ) -> StoreResult<(Vec<crate::billing::Plan>, i64)>;
    async fn get_subscription_item(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::SubscriptionItemId,
    ) -> StoreResult<Option<crate::billing::SubscriptionItem>>;
    /// A payer's subscription items, newest first.
    async fn subscription_items_of_payer(
        &self,
        instance_id: &InstanceId,
        payer_id: &str,
    ) -> StoreResult<Vec<crate::billing::SubscriptionItem>>;
    /// The plan a payer holds as a token carries it: its active item's, or its payer type's
    /// default plan; none without either.
    async fn payer_entitlement(
        &self,
        instance_id: &InstanceId,
        payer_type: crate::billing::PayerType,
        payer_id: &str,
    ) -> StoreResult<Option<crate::billing::Entitlement>>;

    // --- Machines and M2M tokens. Written through `commit`. ---

    async fn get_machine(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::MachineId,
    ) -> StoreResult<Option<crate::machines::Machine>>;
    /// A page of the instance's machines and the total matching the query.
    async fn list_machines(
        &self,
        instance_id: &InstanceId,
        query: &crate::machines::MachineQuery,
    ) -> StoreResult<(Vec<crate::machines::Machine>, i64)>;
    /// The machines `from` may call, oldest scope first.
    async fn scoped_machines(
        &self,
        instance_id: &InstanceId,
        from: &crate::ids::MachineId,
    ) -> StoreResult<Vec<crate::machines::Machine>>;
    /// The machine whose secret key digests to `digest` and is valid at `now`, with the digest
    /// as stored (the caller compares it in constant time).
    async fn machine_by_secret_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
        now: Millis,
    ) -> StoreResult<Option<(crate::machines::Machine, String)>>;
    /// The machine's current secret key, sealed.
    async fn machine_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::MachineId,
    ) -> StoreResult<Option<crate::api_keys::SealedSecret>>;
    async fn get_m2m_token(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::M2mTokenId,
    ) -> StoreResult<Option<crate::machines::M2mToken>>;
    /// The opaque token whose digest is `digest`, with the digest as stored.
    async fn m2m_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(crate::machines::M2mToken, String)>>;
    /// A page of a machine's tokens (newest first) and the total matching the query.
    async fn list_m2m_tokens(
        &self,
        instance_id: &InstanceId,
        query: &crate::machines::M2mTokenQuery,
    ) -> StoreResult<(Vec<crate::machines::M2mToken>, i64)>;

    async fn commit(&self, instance_id: &InstanceId, changes: Changeset) -> StoreResult<()>;

    /// Outbox events after `after_seq`, oldest first.
    async fn events_after(
        &self,
        instance_id: &InstanceId,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;
    /// The events that withdraw sessions from degraded mode (revoked, ended or removed sessions,
    /// banned, locked or deleted users, retired signing keys) stamped at or after `since`,
    /// oldest first: what every node polls while the database answers.
    async fn revocation_events_since(
        &self,
        instance_id: &InstanceId,
        since: crate::clock::Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;
    /// Audit entries, newest first.
    async fn audit_log(&self, instance_id: &InstanceId, limit: i64)
    -> StoreResult<Vec<AuditEntry>>;
    /// Audit entries made at or after `since` and before `until`, oldest first, at most `limit`.
    async fn audit_between(
        &self,
        instance_id: &InstanceId,
        since: Millis,
        until: Millis,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>>;
    /// Outbox events committed at or after `since` and before `until`, in commit order, at
    /// most `limit`.
    async fn events_between(
        &self,
        instance_id: &InstanceId,
        since: Millis,
        until: Millis,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;

    // --- Diagnostics and activity. ---

    /// The backend's own health figures and its clock (`GET /v1/usher/diagnostics`).
    async fn database_report(&self) -> StoreResult<DatabaseReport>;
    /// Adds each count to its stored hour and kind (creating the counter), in one transaction.
    async fn add_activity(
        &self,
        instance_id: &InstanceId,
        counts: &[ActivityCount],
    ) -> StoreResult<()>;
    /// The counters of the hours starting at or after `since` and before `until`, oldest hour
    /// first.
    async fn activity(
        &self,
        instance_id: &InstanceId,
        since: Millis,
        until: Millis,
    ) -> StoreResult<Vec<ActivityCount>>;

    // --- Webhooks. Endpoints are written through `commit`; deliveries are queued by `commit`
    // with their event. The worker leases one endpoint at a time, so each endpoint's deliveries
    // go out in commit order from one worker, and never holds a transaction across HTTP. ---

    /// Webhook endpoints, oldest first.
    async fn webhook_endpoints(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<WebhookEndpoint>>;
    async fn webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        id: &WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>>;
    /// Leases one active endpoint that has pending deliveries, is not waiting for a retry, and
    /// whose lease is free or expired (a crashed worker's lease expires). `worker` identifies
    /// the lessee, `node` the machine (see [`Store::release_webhook_leases`]).
    async fn claim_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        worker: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<ClaimedEndpoint>>;
    /// The endpoint's oldest pending deliveries, in commit order.
    async fn pending_webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>>;
    /// Records an attempt and applies its decision to the delivery and the endpoint, extending
    /// the lease, in one transaction. Returns false when `worker` no longer holds the lease (the
    /// attempt and the delivery's state are recorded anyway).
    async fn record_webhook_attempt(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
        record: &AttemptRecord,
    ) -> StoreResult<bool>;
    /// Gives the lease back.
    async fn release_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
    ) -> StoreResult<()>;
    /// Frees the leases held by earlier lives of this node (any lessee on `node` other than
    /// `except`): a restarted node resumes at once instead of waiting for them to expire.
    async fn release_webhook_leases(
        &self,
        instance_id: &InstanceId,
        node: &str,
        except: &str,
    ) -> StoreResult<u64>;
    /// Deliveries of one endpoint, newest first, each with its attempts (newest first), and
    /// the total matching the query.
    async fn webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        query: &DeliveryQuery,
    ) -> StoreResult<(Vec<Delivery>, i64)>;
    /// Queues the deliveries of event `event_id` again (to `endpoint_id` only, if given), whatever
    /// their state, with a fresh schedule, and wakes their endpoints: they are attempted at once.
    /// Returns the endpoint ids affected (none: no such delivery).
    async fn retry_webhook_message(
        &self,
        instance_id: &InstanceId,
        event_id: &EventId,
        endpoint_id: Option<&WebhookEndpointId>,
        now: i64,
    ) -> StoreResult<Vec<WebhookEndpointId>>;
    /// Queues again every event committed at or after `since` that the endpoint accepts (not
    /// resync snapshots meant for other endpoints), in commit order. Returns how many.
    async fn replay_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        since: i64,
        now: i64,
    ) -> StoreResult<i64>;
    /// Queue depth, oldest queued delivery, and attempts since `attempts_since`, per endpoint.
    async fn webhook_stats(
        &self,
        instance_id: &InstanceId,
        attempts_since: i64,
    ) -> StoreResult<Vec<EndpointStats>>;

    // --- Email. Messages are queued through `commit` (`Write::InsertEmail`); the mail worker
    // claims one, sends it with no transaction open, and records the outcome. ---

    /// Text messages, newest first, to `to_phone_number` only if given, and the total matching.
    async fn list_sms_messages(
        &self,
        instance_id: &InstanceId,
        to_phone_number: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<crate::sms::SmsMessage>, i64)>;
    /// Texts the SMS provider delivers that are queued (retries included), oldest first.
    async fn queued_sms(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<crate::sms::SmsMessage>>;
    /// Takes a queued text for one attempt until `lease_until`, as [`Store::claim_email`] does.
    async fn claim_sms(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::SmsMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool>;
    /// Records an attempt: the new status (`queued` again for a retry), its error, the
    /// provider's id once sent, one more attempt, `updated_at = now`, and frees the claim.
    /// False: no such text.
    async fn record_sms_outcome(
        &self,
        instance_id: &InstanceId,
        outcome: &crate::sms::SmsOutcome,
    ) -> StoreResult<bool>;

    /// Emails, newest first, to `to_email_address` only (compared case-insensitively) if given,
    /// and the total matching.
    async fn list_emails(
        &self,
        instance_id: &InstanceId,
        to_email_address: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<EmailMessage>, i64)>;
    async fn get_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
    ) -> StoreResult<Option<EmailMessage>>;
    /// Queued emails (including those waiting to be retried), oldest first.
    async fn queued_emails(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<EmailMessage>>;
    /// Takes a queued email for one attempt until `lease_until`, so that workers on several
    /// nodes never send it twice. False: it is not queued, or another worker holds it (a
    /// crashed worker's claim expires and the email is sent again).
    async fn claim_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool>;
    /// Records an attempt: the new status (`Queued` again for a retry), its error, one more
    /// attempt, `updated_at = now`, and frees the claim. False: no such email.
    async fn record_email_outcome(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        status: EmailStatus,
        error: Option<&str>,
        now: i64,
    ) -> StoreResult<bool>;

    // --- Data lifecycle (`crate::lifecycle`): a deleted user's purge, completed in batches by
    // whichever node claims it, and retention. ---

    /// Takes the oldest unfinished purge whose lease is free or expired, leased until
    /// `lease_until`; a purge another node holds is not taken.
    async fn claim_pii_purge(
        &self,
        instance_id: &InstanceId,
        now: Millis,
        lease_until: Millis,
    ) -> StoreResult<Option<PiiPurge>>;
    /// One batch of a purge, in one transaction: the user's remaining rows removed (sessions,
    /// emails and text messages to their addresses, finished invitations to them), audit entries'
    /// client addresses cleared, and up to `limit` events' payloads scrubbed, from where the
    /// last batch stopped. Held at an event still pending delivery until
    /// [`PiiPurge::scrub_pending`]. The last batch records the purge as done (identifiers
    /// emptied). Repeating a batch changes nothing more.
    async fn pii_purge_step(
        &self,
        instance_id: &InstanceId,
        purge: &PiiPurge,
        now: Millis,
        limit: i64,
    ) -> StoreResult<PurgeStep>;
    /// Every purge, oldest first.
    async fn pii_purges(&self, instance_id: &InstanceId) -> StoreResult<Vec<PiiPurge>>;
    /// Removes up to `limit` records of each kind older than its cutoff, each kind in its own
    /// transaction: finished webhook deliveries with their attempts, events no delivery refers
    /// to, emails not queued, text messages, audit entries.
    async fn prune_expired(
        &self,
        instance_id: &InstanceId,
        cutoffs: &RetentionCutoffs,
        limit: i64,
    ) -> StoreResult<Pruned>;
}
