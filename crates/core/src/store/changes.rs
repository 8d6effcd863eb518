//! The writes a [`Changeset`] holds: committed in one transaction, all or none.

use crate::actor_tokens::ActorToken;
use crate::audit::AuditEntry;
use crate::branding::Branding;
use crate::clock::Millis;
use crate::domains::SatelliteDomain;
use crate::events::OutboxEvent;
use crate::identifier_lists::ListedIdentifier;
use crate::ids::{
    ImageId, JwtTemplateId, OrganizationDomainId, OrganizationId, OrganizationMembershipId,
    OrganizationSuggestionId, PermissionId, RoleId, RoleSetId, UserId, WebhookEndpointId,
};
use crate::images::Image;
use crate::instance::SecretKeyRecord;
use crate::invitations::Invitation;
use crate::jwt_templates::JwtTemplate;
use crate::jwt_templates::session_claims::SessionClaimsTemplate;
use crate::mail::EmailMessage;
use crate::message_templates::{TemplateOverride, TemplateType};
use crate::organizations::domains::OrganizationDomain;
use crate::organizations::invitations::OrganizationInvitation;
use crate::organizations::membership_requests::MembershipRequest;
use crate::organizations::suggestions::OrganizationSuggestion;
use crate::organizations::{Organization, OrganizationMembership};
use crate::redirects::RedirectUrl;
use crate::roles::model::{Permission, RoleRecord};
use crate::roles::sets::RoleSet;
use crate::sessions::{Client, Session};
use crate::sign_in_tokens::SignInToken;
use crate::signing_keys::SigningKeyRecord;
use crate::users::User;
use crate::waitlist::WaitlistEntry;
use crate::webhooks::WebhookEndpoint;

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
    /// A deleted user's purge (committed with the delete), and at once the rows keyed by the
    /// user that nothing else removes (sign-in and actor tokens).
    QueuePiiPurge(crate::lifecycle::PiiPurge),
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
    /// A new allowlist or blocklist entry; [`StoreError::KeyTaken`] when the list has it.
    InsertListedIdentifier(ListedIdentifier),
    DeleteListedIdentifier {
        id: String,
    },
    /// A new registered redirect URL; [`StoreError::KeyTaken`] when the URL is registered.
    InsertRedirectUrl(RedirectUrl),
    DeleteRedirectUrl {
        id: String,
    },
    /// Stores an instance's template (replacing what was stored for its type and slug).
    PutMessageTemplate(TemplateOverride),
    /// Drops what was stored for a template (back to the built-in one).
    DeleteMessageTemplate {
        template_type: TemplateType,
        slug: String,
    },
    /// A new satellite domain; [`StoreError::NameTaken`] when the name is taken.
    InsertSatelliteDomain(SatelliteDomain),
    /// [`StoreError::NameTaken`] when the new name is taken.
    UpdateSatelliteDomain(SatelliteDomain),
    DeleteSatelliteDomain {
        id: String,
    },
    /// A new waitlist entry; [`StoreError::KeyTaken`] when the address has one.
    InsertWaitlistEntry(WaitlistEntry),
    /// Guarded by `entry.version`.
    UpdateWaitlistEntry(WaitlistEntry),
    /// Guarded by `version`.
    DeleteWaitlistEntry {
        id: String,
        version: i64,
    },
    /// A new invitation to sign up to the instance.
    InsertInvitation(Invitation),
    /// Guarded by `invitation.version`.
    UpdateInvitation(Invitation),
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
    /// A new dashboard operator; [`StoreError::KeyTaken`] when its email address is taken.
    InsertOperator(crate::operators::OperatorCredentials),
    /// New password and TOTP secret for the operator (its TOTP step forgotten), and every one of
    /// its dashboard sessions ended; [`StoreError::Stale`] when it is gone.
    ResetOperator(crate::operators::OperatorCredentials),
    /// Removes the operator with its dashboard sessions; [`StoreError::Stale`] when it is gone.
    DeleteOperator(crate::ids::OperatorId),
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
    /// Adds or replaces a social or enterprise provider (by id); [`StoreError::KeyTaken`] when
    /// another provider has its name.
    PutOAuthProvider(crate::oauth::OAuthProvider),
    DeleteOAuthProvider {
        id: String,
    },
    /// Adds or replaces an external account's look-up row and sealed tokens (by id);
    /// [`StoreError::KeyTaken`] when another row has its provider and provider user id.
    PutExternalAccount(crate::oauth::ProviderTokens),
    DeleteExternalAccount {
        id: String,
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
    /// Inserts a passkey (version 0) or updates it at the version read; a credential id
    /// another passkey of the instance holds is refused (`KeyTaken`).
    PutPasskey(crate::passkeys::PasskeyRecord),
    DeletePasskey {
        id: crate::ids::IdentificationId,
        version: i64,
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
