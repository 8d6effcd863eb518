//! Path parameters, read into a named struct per route (`Path<UserPath>`). A segment that does
//! not decode, or holds a control character, is simply a resource that does not exist; so is a
//! parameter that is not an id of its kind, answered as the route's own not-found.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use usher_core::CoreError;
use usher_core::ids::{
    ActorTokenId, ApiKeyId, EmailMessageId, EventId, IdentificationId, ImageId, InvitationId,
    JwtTemplateId, M2mTokenId, MachineId, OrganizationDomainId, OrganizationId,
    OrganizationInvitationId, OrganizationMembershipRequestId, OrganizationSuggestionId,
    PermissionId, RoleId, SessionId, SignInId, SignInTokenId, SignUpId, SubscriptionItemId, UserId,
    WebhookEndpointId,
};

use crate::error::ApiError;

/// A route's parameters, by name, each checked by its type (an id parses or is refused).
pub struct Path<T>(pub T);

/// The parameters of one route.
pub trait PathStruct: DeserializeOwned {
    /// The answer when a parameter is not an id of its kind: what an unknown id gets. `params`
    /// (the decoded segments by name) tells which parameter is at fault when they differ.
    fn refusal(params: &Map<String, Value>) -> ApiError;
}

/// Declares a route's parameter struct and the not-found its malformed ids get.
macro_rules! path_struct {
    ($(#[$meta:meta])* $name:ident { $($field:ident: $ty:ty),+ $(,)? } => $refusal:expr) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize)]
        pub struct $name {
            $(pub $field: $ty),+
        }

        impl PathStruct for $name {
            fn refusal(_: &Map<String, Value>) -> ApiError {
                $refusal
            }
        }
    };
    // Each parameter with its own not-found: the first that is not an id of its kind answers.
    ($(#[$meta:meta])* $name:ident { $($field:ident: $ty:ty => $refusal:expr),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize)]
        pub struct $name {
            $(pub $field: $ty),+
        }

        impl PathStruct for $name {
            fn refusal(params: &Map<String, Value>) -> ApiError {
                $(
                    let parsed = params
                        .get(stringify!($field))
                        .map(|v| <$ty as Deserialize>::deserialize(v));
                    if !matches!(parsed, Some(Ok(_))) {
                        return $refusal;
                    }
                )+
                ApiError::route_not_found()
            }
        }
    };
}

fn not_found(resource: &'static str) -> ApiError {
    CoreError::NotFound { resource }.into()
}

path_struct!(
    /// `/api_keys/{api_key_id}/…`
    ApiKeyPath { api_key_id: ApiKeyId } => not_found("api key")
);
path_struct!(
    /// `/v1/machines/{machine_id}/…`
    MachinePath { machine_id: MachineId } => not_found("machine")
);
path_struct!(
    /// `/v1/machines/{machine_id}/scopes/{other_machine_id}`
    MachineScopePath { machine_id: MachineId, other_machine_id: MachineId } => not_found("machine")
);
path_struct!(
    /// `/m2m_tokens/{m2m_token_id}/…`
    M2mTokenPath { m2m_token_id: M2mTokenId } => not_found("m2m token")
);
path_struct!(
    /// `/v1/allowlist_identifiers/{identifier_id}` and `/v1/blocklist_identifiers/{identifier_id}`
    IdentifierListPath { identifier_id: String } => not_found("identifier")
);
path_struct!(
    /// `/v1/redirect_urls/{id}`
    RedirectUrlPath { id: String } => not_found("redirect url")
);
path_struct!(
    /// `/v1/templates/{template_type}`
    TemplateTypePath { template_type: String } => not_found("template")
);
path_struct!(
    /// `/v1/templates/{template_type}/{slug}/…`
    TemplatePath { template_type: String, slug: String } => not_found("template")
);
path_struct!(
    /// `/v1/domains/{domain_id}`
    InstanceDomainPath { domain_id: String } => not_found("domain")
);
path_struct!(
    /// `/v1/waitlist_entries/{waitlist_entry_id}/…`
    WaitlistEntryPath { waitlist_entry_id: String } => not_found("waitlist entry")
);
path_struct!(
    /// `/v1/invitations/{invitation_id}/…`
    InstanceInvitationPath { invitation_id: InvitationId } => not_found("invitation")
);
path_struct!(
    /// `/v1/users/{user_id}/…`
    UserPath { user_id: UserId } => not_found("user")
);
path_struct!(
    /// `/v1/me/passkeys/{passkey_id}/…`
    PasskeyPath { passkey_id: IdentificationId } => not_found("passkey")
);
path_struct!(
    /// `/v1/users/{user_id}/passkeys/{passkey_identification_id}`
    UserPasskeyPath {
        user_id: UserId => not_found("user"),
        passkey_identification_id: IdentificationId => not_found("passkey"),
    }
);
path_struct!(
    /// `/v1/sessions/{session_id}/…` and `/v1/client/sessions/{session_id}/…`
    SessionPath { session_id: SessionId } => not_found("session")
);
path_struct!(
    /// `/v1/sessions/{session_id}/tokens/{template_name}`
    SessionTemplatePath { session_id: SessionId, template_name: String } => not_found("session")
);
path_struct!(
    /// `/v1/users/{user_id}/external_accounts/{external_account_id}`
    UserExternalAccountPath { user_id: UserId, external_account_id: String } => not_found("user")
);
path_struct!(
    /// `/v1/me/external_accounts/{external_account_id}/…`
    MyExternalAccountPath { external_account_id: String } => not_found("external account")
);
path_struct!(
    /// `/v1/users/{user_id}/oauth_access_tokens/{provider}`
    UserProviderPath { user_id: UserId, provider: String } => not_found("user")
);
path_struct!(
    /// `/v1/jwt_templates/{template_id}`
    JwtTemplatePath { template_id: JwtTemplateId } => not_found(crate::app::jwt_templates::JWT_TEMPLATE)
);
path_struct!(
    /// `/v1/email_addresses/{email_address_id}` and `/v1/me/email_addresses/{email_address_id}/…`
    EmailAddressPath { email_address_id: IdentificationId } => not_found("email address")
);
path_struct!(
    /// `/v1/phone_numbers/{phone_number_id}` and `/v1/me/phone_numbers/{phone_number_id}/…`
    PhoneNumberPath { phone_number_id: IdentificationId } => not_found("phone number")
);
path_struct!(
    /// `/v1/emails/{email_id}`
    EmailPath { email_id: EmailMessageId } => not_found("email")
);
path_struct!(
    /// `/v1/webhooks/endpoints/{endpoint_id}/…`
    EndpointPath { endpoint_id: WebhookEndpointId } => not_found("webhook endpoint")
);
path_struct!(
    /// `/v1/webhooks/messages/{msg_id}/retry`
    MessagePath { msg_id: EventId } => not_found("webhook message")
);
path_struct!(
    /// `/v1/client/sign_ins/{sign_in_id}/…`
    SignInPath { sign_in_id: SignInId } => not_found("sign_in")
);
path_struct!(
    /// `/v1/client/sign_ups/{sign_up_id}/…`
    SignUpPath { sign_up_id: SignUpId } => not_found("sign_up")
);
path_struct!(
    /// `/v1/organizations/{organization_id}/…` (and the Frontend API's), by id only.
    OrganizationPath { organization_id: OrganizationId } => not_found("organization")
);
path_struct!(
    /// `/v1/billing/plans/{plan_id}`: a plan's id or slug.
    PlanRefPath { plan_id: String } => not_found(crate::app::billing::PLAN)
);
path_struct!(
    /// `/v1/billing/subscription_items/{subscription_item_id}`
    SubscriptionItemPath { subscription_item_id: SubscriptionItemId }
        => not_found(crate::app::billing::SUBSCRIPTION_ITEM)
);
path_struct!(
    /// `GET /v1/images/{image_id}`: an uploaded logo or profile image.
    ImagePath { image_id: ImageId } => not_found("image")
);
path_struct!(
    /// `GET /v1/organizations/{organization_id}`, which also takes the organization's slug: the
    /// text is parsed as an id when it has the prefix (a slug never holds `_`).
    OrganizationRefPath { organization_id: String } => not_found("organization")
);
path_struct!(
    /// `/v1/organizations/{organization_id}/memberships/{user_id}/…`
    MembershipPath {
        organization_id: OrganizationId => not_found("organization"),
        user_id: UserId => not_found("organization membership"),
    }
);
path_struct!(
    /// `/v1/organizations/{organization_id}/invitations/{invitation_id}/…`
    InvitationPath {
        organization_id: OrganizationId => not_found("organization"),
        invitation_id: OrganizationInvitationId => not_found("organization invitation"),
    }
);
path_struct!(
    /// `/v1/me/organization_invitations/{invitation_id}/…`
    MyInvitationPath { invitation_id: OrganizationInvitationId } => not_found("organization invitation")
);
path_struct!(
    /// `/v1/me/organization_suggestions/{suggestion_id}/…`
    MySuggestionPath { suggestion_id: OrganizationSuggestionId } => not_found("organization suggestion")
);
path_struct!(
    /// `/v1/organizations/{organization_id}/membership_requests/{request_id}/…`
    MembershipRequestPath {
        organization_id: OrganizationId => not_found("organization"),
        request_id: OrganizationMembershipRequestId => not_found("organization membership request"),
    }
);
path_struct!(
    /// `/v1/organizations/{organization_id}/domains/{domain_id}`
    DomainPath {
        organization_id: OrganizationId => not_found("organization"),
        domain_id: OrganizationDomainId => not_found("organization domain"),
    }
);
path_struct!(
    /// `/v1/actor_tokens/{actor_token_id}/revoke`
    ActorTokenPath { actor_token_id: ActorTokenId } => not_found(usher_core::actor_tokens::ACTOR_TOKEN)
);
path_struct!(
    /// `/v1/sign_in_tokens/{sign_in_token_id}/revoke`
    SignInTokenPath { sign_in_token_id: SignInTokenId } => not_found(usher_core::sign_in_tokens::SIGN_IN_TOKEN)
);
path_struct!(
    /// `/v1/role_sets/{role_set_key_or_id}/…`, by key or by id.
    RoleSetPath { role_set_key_or_id: String } => not_found(usher_core::roles::sets::ROLE_SET)
);
path_struct!(
    /// `/v1/organization_roles/{organization_role_id}`
    RolePath { organization_role_id: RoleId } => not_found(usher_core::roles::manage::ROLE)
);
path_struct!(
    /// `/v1/organization_roles/{organization_role_id}/permissions/{permission_id}`
    RolePermissionPath {
        organization_role_id: RoleId => not_found(usher_core::roles::manage::ROLE),
        permission_id: PermissionId => not_found(usher_core::roles::manage::PERMISSION),
    }
);
path_struct!(
    /// `/v1/organization_permissions/{permission_id}`
    PermissionPath { permission_id: PermissionId } => not_found(usher_core::roles::manage::PERMISSION)
);
path_struct!(
    /// `/npm/{*path}`
    NpmPath { path: String } => ApiError::route_not_found()
);

impl<S: Send + Sync, T: PathStruct> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::route_not_found())?;
        let mut params = Map::new();
        for (name, value) in raw.iter() {
            let bytes: Vec<u8> =
                form_urlencoded::parse(format!("v={}", value.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned().into_bytes())
                    .unwrap_or_default();
            let segment = String::from_utf8(bytes).map_err(|_| ApiError::route_not_found())?;
            // No stored id holds a control character, and PostgreSQL refuses NUL outright.
            if segment.chars().any(char::is_control) {
                return Err(ApiError::route_not_found());
            }
            params.insert(name.to_owned(), Value::String(segment));
        }
        T::deserialize(&Value::Object(params.clone()))
            .map(Path)
            .map_err(|_| T::refusal(&params))
    }
}
