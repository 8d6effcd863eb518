//! The storage contract. Implementations live in `usher-store` (SQLite, PostgreSQL); both pass the
//! same test suite. Every change is a [`Changeset`] committed in one transaction together with the
//! events (the outbox) and audit entries it causes.

use async_trait::async_trait;
use thiserror::Error;

use crate::actor_tokens::ActorToken;
use crate::audit::AuditEntry;
use crate::branding::Branding;
use crate::clock::Millis;
use crate::error::{Cause, CoreError};
use crate::events::OutboxEvent;
use crate::ids::{
    ActorTokenId, ClientId, EmailMessageId, EventId, ImageId, InstanceId, JwtTemplateId,
    OrganizationDomainId, OrganizationId, OrganizationInvitationId, OrganizationMembershipId,
    OrganizationMembershipRequestId, OrganizationSuggestionId, PermissionId, RoleId, RoleSetId,
    SessionId, SignInTokenId, UserId, WebhookEndpointId,
};
use crate::images::Image;
use crate::instance::{Instance, SecretKeyRecord};
use crate::jwt_templates::JwtTemplate;
use crate::jwt_templates::session_claims::SessionClaimsTemplate;
use crate::mail::{EmailMessage, EmailStatus};
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

#[derive(Debug, Error, Clone, PartialEq)]
pub enum StoreError {
    /// A unique identifier (email, phone, username, external id) belongs to another user.
    #[error("{} is already taken", .0.as_str())]
    IdentifierTaken(IdentifierKind),
    /// A custom role or permission key (`what`) already belongs to another one of the instance.
    #[error("that {what} key is already taken")]
    KeyTaken { what: &'static str },
    /// Another JWT template of the instance has this name.
    #[error("the JWT template name is already taken")]
    NameTaken,
    /// Another organization of the instance has this slug.
    #[error("the organization slug is already taken")]
    SlugTaken,
    /// The user is a member of the organization already.
    #[error("the user is already a member of the organization")]
    AlreadyMember,
    /// The organization has `max_allowed_memberships` members already.
    #[error("the organization has reached its membership limit")]
    MembershipQuotaExceeded,
    /// The domain name is listed by this organization already, or verified by another one.
    #[error("the organization domain is already taken")]
    DomainTaken,
    /// The write would remove or demote the organization's last admin.
    #[error("the organization's last admin cannot be removed or demoted")]
    LastAdmin,
    /// The address has a pending invitation to the organization already.
    #[error("a pending invitation to this address exists")]
    InvitationPending,
    /// A member holds the custom role, or a pending invitation grants it.
    #[error("the role is held by a member or granted by a pending invitation")]
    RoleInUse,
    /// Another process created the instance first (several nodes starting on one empty database).
    #[error("the database already has an instance")]
    InstanceExists,
    /// The row changed since it was read (optimistic concurrency).
    #[error("stale write")]
    Stale,
    /// The machine may call the other one already.
    #[error("the machine scope exists")]
    MachineScopeTaken,
    #[error(
        "the database schema is newer than this build of Usher understands (schema {found}, known {known})"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// A migration file differs from the one applied to this database (its checksum changed).
    #[error(
        "migration {version} was changed after it was applied to this database; restore the original file"
    )]
    MigrationChanged { version: i64 },
    /// The database failed (unreachable, I/O, a record that cannot be read back): `operation` is
    /// what was being done, `cause` the driver's error, kept for the log.
    #[error("database error during {operation}")]
    Backend {
        operation: &'static str,
        #[source]
        cause: Cause,
    },
}

impl StoreError {
    /// What a query's failure is until the store method that ran it names the operation.
    pub const QUERY: &'static str = "a query";

    pub fn backend(
        operation: &'static str,
        err: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            operation,
            cause: Cause::new(err),
        }
    }

    /// Names the operation a backend failure happened in (the `Store` method); other errors pass.
    pub fn during(self, operation: &'static str) -> Self {
        match self {
            Self::Backend { cause, .. } => Self::Backend { operation, cause },
            other => other,
        }
    }
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdentifierTaken(kind) => CoreError::IdentifierExists {
                param: kind.as_str(),
            },
            StoreError::KeyTaken { what } => CoreError::KeyTaken { what },
            StoreError::Stale => CoreError::Conflict,
            StoreError::MachineScopeTaken => CoreError::AlreadyAssigned {
                what: "machine scope",
            },
            StoreError::SlugTaken => CoreError::IdentifierExists { param: "slug" },
            StoreError::NameTaken => CoreError::IdentifierExists { param: "name" },
            StoreError::AlreadyMember => CoreError::AlreadyMember,
            StoreError::MembershipQuotaExceeded => CoreError::MembershipQuotaExceeded,
            StoreError::LastAdmin => CoreError::LastAdmin,
            StoreError::InvitationPending => CoreError::InvitationDuplicate,
            StoreError::RoleInUse => CoreError::RoleInUse,
            StoreError::DomainTaken => CoreError::IdentifierExists { param: "name" },
            other => CoreError::Storage(Cause::new(other)),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One write within a changeset.
#[derive(Debug, Clone)]
pub enum Write {
    InsertUser(User),
    /// Writes `user` if the stored version is still `user.version`; the stored version becomes `+1`.
    UpdateUser(User),
    DeleteUser {
        id: UserId,
        version: i64,
    },
    InsertClient(Client),
    /// Guarded by `client.version`, like `UpdateUser`.
    UpdateClient(Client),
    InsertSession(Session),
    /// Like `UpdateUser`: guarded by `session.version`.
    UpdateSession(Session),
    /// An outbox event. The store also queues a delivery of it to every webhook endpoint whose
    /// filter accepts it, in the same transaction.
    Event(OutboxEvent),
    /// An outbox event for one webhook endpoint only (a resync snapshot): queued for it whatever
    /// its filter, and never delivered to, or replayed for, any other endpoint.
    EndpointEvent {
        endpoint_id: WebhookEndpointId,
        event: OutboxEvent,
    },
    Audit(AuditEntry),
    InsertWebhookEndpoint(WebhookEndpoint),
    /// Guarded by `endpoint.version`, like `UpdateUser`. Becoming active again clears the
    /// endpoint's retry wait and failure run, so delivery resumes at once.
    UpdateWebhookEndpoint(WebhookEndpoint),
    /// Removes the endpoint with its queue and attempt history.
    DeleteWebhookEndpoint {
        id: WebhookEndpointId,
        version: i64,
    },
    /// Queues an email for the mail worker (its `email.created` event is a separate write).
    InsertEmail(EmailMessage),
    /// Records a text message (its `sms.created` event is a separate write).
    InsertSms(crate::sms::SmsMessage),
    /// The instance's branding, guarded by `branding.version` (0: none stored yet).
    PutBranding(Branding),
    /// The instance's session token template, guarded by its version (0: none stored yet).
    PutSessionClaims(SessionClaimsTemplate),
    /// The instance's stored settings, guarded by their version (0: none stored yet).
    PutInstanceSettings(crate::instance_settings::StoredSettings),
    /// Creates or replaces (by id) a custom organization permission;
    /// [`StoreError::KeyTaken`] when another one has its key.
    PutOrganizationPermission(Permission),
    /// Removes a custom permission, and it from every custom role.
    DeleteOrganizationPermission {
        id: PermissionId,
    },
    /// Creates or replaces (by id) a custom organization role with exactly its permission keys;
    /// [`StoreError::KeyTaken`] when another role has its key.
    PutOrganizationRole(RoleRecord),
    DeleteOrganizationRole {
        id: RoleId,
    },
    /// Creates or replaces (by id) a role set; [`StoreError::KeyTaken`] when another set has its
    /// key. A new key follows into the organizations tied to the set.
    PutRoleSet(RoleSet),
    InsertSignInToken(SignInToken),
    /// Guarded by the token's version, like `UpdateUser`: a ticket is spent or revoked once.
    UpdateSignInToken(SignInToken),
    InsertActorToken(ActorToken),
    /// Guarded by the token's version: a ticket is spent or revoked once.
    UpdateActorToken(ActorToken),
    /// Removes a role set; the organizations tied to it are tied to `dest_key` instead.
    ReplaceRoleSet {
        id: RoleSetId,
        dest_key: String,
    },
    /// A new JWT template; [`StoreError::NameTaken`] when another template has its name.
    InsertJwtTemplate(JwtTemplate),
    /// Guarded by `template.version`, like `UpdateUser` (a deleted template is stale too);
    /// [`StoreError::NameTaken`] as for an insert.
    UpdateJwtTemplate(JwtTemplate),
    DeleteJwtTemplate {
        id: JwtTemplateId,
    },
    /// A new organization, with no members yet. [`StoreError::SlugTaken`] when another
    /// organization has its slug.
    InsertOrganization(Organization),
    /// Guarded by `organization.version`, like `UpdateUser`; the member counts are the store's and
    /// are left alone.
    UpdateOrganization(Organization),
    /// Removes the organization and every membership and domain in it (their events are separate writes).
    DeleteOrganization {
        id: OrganizationId,
        version: i64,
    },
    /// Adds a member: counts them on the organization's row in the same transaction, refusing
    /// with [`StoreError::MembershipQuotaExceeded`] when the organization is full (so concurrent
    /// additions never exceed its limit) and [`StoreError::AlreadyMember`] when the user is one.
    /// [`StoreError::Stale`] when the organization is gone.
    InsertMembership(OrganizationMembership),
    /// Guarded by `membership.version`. Demoting the last admin fails with
    /// [`StoreError::LastAdmin`].
    UpdateMembership(OrganizationMembership),
    /// Removes a membership guarded by its version. With `keep_an_admin`, removing the last
    /// admin fails with [`StoreError::LastAdmin`]; without (the user is being deleted), it is
    /// allowed.
    DeleteMembership {
        organization_id: OrganizationId,
        id: OrganizationMembershipId,
        version: i64,
        keep_an_admin: bool,
    },
    /// A new invitation; a pending one to its address past its expiry is marked expired first.
    /// [`StoreError::InvitationPending`] when another pending one remains.
    InsertOrganizationInvitation(OrganizationInvitation),
    /// Guarded by `invitation.version`.
    UpdateOrganizationInvitation(OrganizationInvitation),
    /// [`StoreError::DomainTaken`] when the organization lists the name already or, verified,
    /// another organization has it verified.
    InsertOrganizationDomain(OrganizationDomain),
    /// Guarded by `domain.version`; [`StoreError::DomainTaken`] as for an insert.
    UpdateOrganizationDomain(OrganizationDomain),
    DeleteOrganizationDomain {
        id: OrganizationDomainId,
        version: i64,
    },
    /// A new suggestion; [`StoreError::Stale`] when the user has a pending one to the
    /// organization already (the caller re-reads), or the organization is gone.
    InsertOrganizationSuggestion(OrganizationSuggestion),
    /// Guarded by `suggestion.version`.
    UpdateOrganizationSuggestion(OrganizationSuggestion),
    /// Guarded by its version (a suggestion withdrawn while pending).
    DeleteOrganizationSuggestion {
        id: OrganizationSuggestionId,
        version: i64,
    },
    /// A new request to join; [`StoreError::Stale`] when the user has a pending one to the
    /// organization already (the caller re-reads), or the organization is gone.
    InsertMembershipRequest(MembershipRequest),
    /// Guarded by `request.version`.
    UpdateMembershipRequest(MembershipRequest),
    /// A new API key with its secret's digest (unique per instance) and sealed copy;
    /// [`StoreError::Stale`] when its subject (user or organization) is gone.
    InsertApiKey {
        key: crate::api_keys::ApiKey,
        digest: String,
        sealed: crate::api_keys::SealedSecret,
    },
    /// Guarded by `key.version`; the digest, the sealed secret and `last_used_at` stay.
    UpdateApiKey(crate::api_keys::ApiKey),
    DeleteApiKey {
        id: crate::ids::ApiKeyId,
        version: i64,
    },
    /// A new machine with its secret key's digest (unique per instance) and sealed copy, and
    /// the machines it may call; [`StoreError::Stale`] when one of those is gone.
    InsertMachine {
        machine: crate::machines::Machine,
        digest: String,
        sealed: crate::api_keys::SealedSecret,
        scoped: Vec<crate::ids::MachineId>,
    },
    /// Guarded by `machine.version`.
    UpdateMachine(crate::machines::Machine),
    /// Guarded by its version; its scopes (both ways), secret keys and tokens go with it.
    DeleteMachine {
        id: crate::ids::MachineId,
        version: i64,
    },
    /// A new secret key for `machine` (guarded by its version): the keys it had stay valid
    /// until `previous_until` at the latest.
    RotateMachineSecret {
        machine: crate::machines::Machine,
        digest: String,
        sealed: crate::api_keys::SealedSecret,
        previous_until: Millis,
    },
    /// [`StoreError::Stale`] when either machine is gone; [`StoreError::MachineScopeTaken`] when
    /// the scope exists.
    InsertMachineScope(crate::machines::MachineScope),
    /// [`StoreError::Stale`] when there was no such scope.
    DeleteMachineScope {
        from: crate::ids::MachineId,
        to: crate::ids::MachineId,
    },
    /// A new opaque M2M token with its digest (unique per instance); [`StoreError::Stale`] when
    /// its machine is gone.
    InsertM2mToken {
        token: crate::machines::M2mToken,
        digest: String,
    },
    /// Guarded by `token.version`; the digest stays.
    UpdateM2mToken(crate::machines::M2mToken),
    /// Makes `key` the signing key; the previous ones stay published (inactive) until retired.
    RotateSigningKey(SigningKeyRecord),
    /// Removes the inactive signing key `kid` from JWKS; [`StoreError::Stale`] when no inactive
    /// key has that id any more (it was retired or became active meanwhile).
    RetireSigningKey {
        kid: String,
    },
    /// A new plan; [`StoreError::SlugTaken`] when another plan of the instance has its slug. A
    /// default plan takes the place of its payer type's previous default.
    InsertBillingPlan(crate::billing::Plan),
    /// A new subscription item; [`StoreError::Stale`] when its payer or plan is gone, or when the
    /// payer has another active item (the caller re-reads).
    InsertSubscriptionItem(crate::billing::SubscriptionItem),
    /// Guarded by `item.version`.
    UpdateSubscriptionItem(crate::billing::SubscriptionItem),
    /// A new secret key of the instance; [`StoreError::NameTaken`] when another has its name.
    InsertSecretKey(SecretKeyRecord),
    /// Sets when the secret key `id` stops being accepted, only ever sooner (an earlier expiry is
    /// kept), and only while another key of the instance is still accepted at `expires_at`:
    /// [`StoreError::Stale`] otherwise, so the instance never loses its last key.
    ExpireSecretKey {
        id: crate::ids::SecretKeyId,
        expires_at: crate::clock::Millis,
    },
    /// Stores an uploaded image (a new id each time: images are never changed).
    InsertImage(Image),
    /// Removes an image; nothing when it is gone already.
    DeleteImage {
        id: ImageId,
    },
}

/// Writes that belong together: all are committed, or none.
#[derive(Debug, Default, Clone)]
pub struct Changeset {
    pub writes: Vec<Write>,
}

impl Changeset {
    pub fn push(&mut self, w: Write) -> &mut Self {
        self.writes.push(w);
        self
    }
}

/// A session with what the token endpoint needs to know about its user, read in one query.
#[derive(Debug, Clone)]
pub struct SessionForToken {
    pub session: Session,
    pub user_banned: bool,
    pub user_locked_until: Option<i64>,
    /// The user's membership in the session's active organization, read with the session; none
    /// when no organization is active or the user is no longer a member of it.
    pub active_membership: Option<ActiveMembership>,
    /// The user's plan: its active subscription item's, or the default user plan.
    pub user_plan: Option<crate::billing::Entitlement>,
}

/// A domain's pending invitations and suggestions (see `Store::domain_pending_counts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainPendingCount {
    pub name: String,
    pub invitations: i64,
    pub suggestions: i64,
}

/// What a token needs of the membership in the session's active organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveMembership {
    pub organization_id: OrganizationId,
    pub organization_slug: String,
    pub role: String,
    /// The custom permissions a custom role grants (a system role's come from `roles::system`).
    pub custom_permissions: Vec<String>,
    /// The organization's plan: its active subscription item's, or the default organization plan.
    pub organization_plan: Option<crate::billing::Entitlement>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
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
    /// Audit entries, newest first.
    async fn audit_log(&self, instance_id: &InstanceId, limit: i64)
    -> StoreResult<Vec<AuditEntry>>;

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
}
