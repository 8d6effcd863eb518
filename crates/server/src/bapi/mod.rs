//! The Backend API: `/v1/...`, authenticated with the instance's secret key.

pub mod api_keys;
pub mod billing;
mod call;
mod clients;
mod diagnostics;
mod domains;
mod emails;
mod external_accounts;
mod identifier_lists;
mod identifiers;
mod instance;
mod instance_settings;
mod invitations;
mod jwks;
mod message_templates;
mod organization_domains;
mod organization_invitations;
mod organization_logos;
mod organization_memberships;
mod organizations;
mod profile_images;
mod redirect_urls;
mod waitlist_entries;
pub use jwks::jwks as public_jwks;
mod actor_tokens;
mod jwt_templates;
mod m2m_tokens;
mod machines;
mod role_sets;
mod roles;
mod sessions;
mod sign_in_tokens;
mod testing_tokens;
mod user_factors;
mod users;
mod webhooks;

use crate::state::AppState;
use axum::Router;
use axum::routing::{delete, get, patch, post};

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    // `@clerk/backend` calls the API keys service at the API root; `/v1` is accepted too.
    for root in ["", "/v1"] {
        router = router
            .route(
                &format!("{root}/api_keys"),
                get(api_keys::list).post(api_keys::create),
            )
            .route(&format!("{root}/api_keys/verify"), post(api_keys::verify))
            .route(
                &format!("{root}/api_keys/{{api_key_id}}"),
                get(api_keys::get)
                    .patch(api_keys::update)
                    .delete(api_keys::delete),
            )
            .route(
                &format!("{root}/api_keys/{{api_key_id}}/secret"),
                get(api_keys::secret),
            )
            .route(
                &format!("{root}/api_keys/{{api_key_id}}/revoke"),
                post(api_keys::revoke),
            )
            .route(
                &format!("{root}/m2m_tokens"),
                get(m2m_tokens::list).post(m2m_tokens::create),
            )
            .route(
                &format!("{root}/m2m_tokens/verify"),
                post(m2m_tokens::verify),
            )
            .route(
                &format!("{root}/m2m_tokens/{{m2m_token_id}}/revoke"),
                post(m2m_tokens::revoke),
            );
    }
    router
        .route(
            "/v1/billing/plans",
            get(billing::list_plans).post(billing::create_plan),
        )
        .route("/v1/billing/plans/{plan_id}", get(billing::get_plan))
        .route(
            "/v1/billing/subscription_items/{subscription_item_id}",
            delete(billing::cancel_item),
        )
        .route(
            "/v1/users/{user_id}/billing/subscription",
            get(billing::user_subscription),
        )
        .route(
            "/v1/users/{user_id}/billing/subscription_items",
            post(billing::assign_to_user),
        )
        .route(
            "/v1/organizations/{organization_id}/billing/subscription",
            get(billing::organization_subscription),
        )
        .route(
            "/v1/organizations/{organization_id}/billing/subscription_items",
            post(billing::assign_to_organization),
        )
        .route("/v1/machines", get(machines::list).post(machines::create))
        .route(
            "/v1/machines/{machine_id}",
            get(machines::get)
                .patch(machines::update)
                .delete(machines::delete),
        )
        .route(
            "/v1/machines/{machine_id}/secret_key",
            get(machines::secret_key),
        )
        .route(
            "/v1/machines/{machine_id}/secret_key/rotate",
            post(machines::rotate_secret_key),
        )
        .route(
            "/v1/machines/{machine_id}/scopes",
            post(machines::create_scope),
        )
        .route(
            "/v1/machines/{machine_id}/scopes/{other_machine_id}",
            axum::routing::delete(machines::delete_scope),
        )
        .route(
            "/v1/email_addresses",
            post(identifiers::create::<identifiers::Email>),
        )
        .route(
            "/v1/email_addresses/{email_address_id}",
            get(identifiers::get::<identifiers::Email>)
                .patch(identifiers::update::<identifiers::Email>)
                .delete(identifiers::delete::<identifiers::Email>),
        )
        .route(
            "/v1/phone_numbers",
            post(identifiers::create::<identifiers::Phone>),
        )
        .route(
            "/v1/phone_numbers/{phone_number_id}",
            get(identifiers::get::<identifiers::Phone>)
                .patch(identifiers::update::<identifiers::Phone>)
                .delete(identifiers::delete::<identifiers::Phone>),
        )
        .route("/v1/sms_messages", get(identifiers::list_sms))
        .route("/v1/users", get(users::list).post(users::create))
        .route("/v1/users/count", get(users::count))
        .route("/v1/users/ban", post(users::set_banned_many::<true>))
        .route("/v1/users/unban", post(users::set_banned_many::<false>))
        .route(
            "/v1/users/{user_id}",
            get(users::get).patch(users::update).delete(users::delete),
        )
        .route(
            "/v1/users/{user_id}/passkeys/{passkey_identification_id}",
            axum::routing::delete(users::delete_passkey),
        )
        .route(
            "/v1/users/{user_id}/metadata",
            axum::routing::patch(users::update_metadata::<true>)
                .put(users::update_metadata::<false>),
        )
        .route(
            "/v1/users/{user_id}/profile_image",
            post(profile_images::upload).delete(profile_images::delete),
        )
        .route(
            "/v1/users/{user_id}/external_accounts/{external_account_id}",
            axum::routing::delete(external_accounts::delete),
        )
        .route(
            "/v1/users/{user_id}/oauth_access_tokens/{provider}",
            get(external_accounts::oauth_access_tokens),
        )
        .route("/v1/users/{user_id}/ban", post(users::set_banned::<true>))
        .route(
            "/v1/users/{user_id}/unban",
            post(users::set_banned::<false>),
        )
        .route("/v1/users/{user_id}/lock", post(users::set_locked::<true>))
        .route("/v1/users/{user_id}/export", get(users::export))
        .route(
            "/v1/users/{user_id}/unlock",
            post(users::set_locked::<false>),
        )
        .route(
            "/v1/users/{user_id}/verify_password",
            post(users::verify_password),
        )
        .route(
            "/v1/users/{user_id}/verify_totp",
            post(user_factors::verify_totp),
        )
        .route(
            "/v1/users/{user_id}/remove_password",
            post(user_factors::remove_password),
        )
        .route(
            "/v1/users/{user_id}/mfa",
            axum::routing::delete(user_factors::disable_mfa),
        )
        .route(
            "/v1/users/{user_id}/totp",
            axum::routing::delete(user_factors::delete_totp),
        )
        .route(
            "/v1/users/{user_id}/backup_code",
            axum::routing::delete(user_factors::delete_backup_codes),
        )
        .route(
            "/v1/users/{user_id}/password/set_compromised",
            post(users::set_password_compromised),
        )
        .route(
            "/v1/users/{user_id}/password/unset_compromised",
            post(users::unset_password_compromised),
        )
        .route(
            "/v1/users/{user_id}/organization_memberships",
            get(organization_memberships::list_of_user),
        )
        .route(
            "/v1/organizations",
            get(organizations::list).post(organizations::create),
        )
        .route(
            "/v1/organizations/{organization_id}",
            get(organizations::get)
                .patch(organizations::update)
                .delete(organizations::delete),
        )
        .route(
            "/v1/organizations/{organization_id}/logo",
            axum::routing::put(organization_logos::upload).delete(organization_logos::delete),
        )
        .route(
            "/v1/organizations/{organization_id}/metadata",
            axum::routing::patch(organizations::update_metadata::<true>)
                .put(organizations::update_metadata::<false>),
        )
        .route(
            "/v1/organizations/{organization_id}/memberships",
            get(organization_memberships::list).post(organization_memberships::create),
        )
        .route(
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            axum::routing::patch(organization_memberships::update)
                .delete(organization_memberships::delete),
        )
        .route(
            "/v1/organizations/{organization_id}/memberships/{user_id}/metadata",
            axum::routing::patch(organization_memberships::merge_metadata),
        )
        .route(
            "/v1/allowlist_identifiers",
            get(identifier_lists::list_allowed).post(identifier_lists::create_allowed),
        )
        .route(
            "/v1/allowlist_identifiers/{identifier_id}",
            axum::routing::delete(identifier_lists::delete_allowed),
        )
        .route(
            "/v1/blocklist_identifiers",
            get(identifier_lists::list_blocked).post(identifier_lists::create_blocked),
        )
        .route(
            "/v1/blocklist_identifiers/{identifier_id}",
            axum::routing::delete(identifier_lists::delete_blocked),
        )
        .route(
            "/v1/redirect_urls",
            get(redirect_urls::list).post(redirect_urls::create),
        )
        .route(
            "/v1/redirect_urls/{id}",
            get(redirect_urls::get).delete(redirect_urls::delete),
        )
        .route(
            "/v1/templates/{template_type}",
            get(message_templates::list),
        )
        .route(
            "/v1/templates/{template_type}/{slug}",
            get(message_templates::get).put(message_templates::upsert),
        )
        .route(
            "/v1/templates/{template_type}/{slug}/revert",
            post(message_templates::revert),
        )
        .route(
            "/v1/templates/{template_type}/{slug}/preview",
            post(message_templates::preview),
        )
        .route(
            "/v1/templates/{template_type}/{slug}/toggle_delivery",
            post(message_templates::toggle_delivery),
        )
        .route("/v1/domains", get(domains::list).post(domains::create))
        .route(
            "/v1/domains/{domain_id}",
            patch(domains::update).delete(domains::delete),
        )
        .route(
            "/v1/waitlist_entries",
            get(waitlist_entries::list).post(waitlist_entries::create),
        )
        .route(
            "/v1/waitlist_entries/bulk",
            post(waitlist_entries::create_bulk),
        )
        .route(
            "/v1/waitlist_entries/{waitlist_entry_id}",
            axum::routing::delete(waitlist_entries::delete),
        )
        .route(
            "/v1/waitlist_entries/{waitlist_entry_id}/invite",
            post(waitlist_entries::invite),
        )
        .route(
            "/v1/waitlist_entries/{waitlist_entry_id}/reject",
            post(waitlist_entries::reject),
        )
        .route(
            "/v1/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route(
            "/v1/invitations/bulk",
            axum::routing::post(invitations::create_bulk),
        )
        .route(
            "/v1/invitations/{invitation_id}/revoke",
            axum::routing::post(invitations::revoke),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations",
            get(organization_invitations::list).post(organization_invitations::create),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations/bulk",
            axum::routing::post(organization_invitations::create_bulk),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations/pending",
            get(organization_invitations::list_pending),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations/{invitation_id}",
            get(organization_invitations::get),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations/{invitation_id}/revoke",
            axum::routing::post(organization_invitations::revoke),
        )
        .route(
            "/v1/organization_invitations",
            get(organization_invitations::list_all),
        )
        .route(
            "/v1/users/{user_id}/organization_invitations",
            get(organization_invitations::list_of_user),
        )
        .route(
            "/v1/organizations/{organization_id}/domains",
            get(organization_domains::list).post(organization_domains::create),
        )
        .route(
            "/v1/organizations/{organization_id}/domains/{domain_id}",
            axum::routing::patch(organization_domains::update).delete(organization_domains::delete),
        )
        .route(
            "/v1/organizations/{organization_id}/domains/{domain_id}/verify_ownership",
            post(organization_domains::verify_ownership),
        )
        .route(
            "/v1/organization_domains",
            get(organization_domains::list_all),
        )
        .route(
            "/v1/organization_memberships",
            get(organization_memberships::list_all),
        )
        .route("/v1/sessions", get(sessions::list).post(sessions::create))
        .route("/v1/sessions/{session_id}", get(sessions::get))
        .route("/v1/sessions/{session_id}/revoke", post(sessions::revoke))
        .route("/v1/sessions/{session_id}/tokens", post(sessions::token))
        .route(
            "/v1/sessions/{session_id}/tokens/{template_name}",
            post(sessions::template_token),
        )
        .route(
            "/v1/jwt_templates",
            get(jwt_templates::list).post(jwt_templates::create),
        )
        .route(
            "/v1/jwt_templates/{template_id}",
            get(jwt_templates::get)
                .patch(jwt_templates::update)
                .delete(jwt_templates::delete),
        )
        .route(
            "/v1/organization_roles",
            get(roles::list_roles).post(roles::create_role),
        )
        .route(
            "/v1/organization_roles/{organization_role_id}",
            get(roles::get_role)
                .patch(roles::update_role)
                .delete(roles::delete_role),
        )
        .route(
            "/v1/organization_roles/{organization_role_id}/permissions/{permission_id}",
            post(roles::set_permission::<true>).delete(roles::set_permission::<false>),
        )
        .route("/v1/actor_tokens", post(actor_tokens::create))
        .route(
            "/v1/actor_tokens/{actor_token_id}/revoke",
            post(actor_tokens::revoke),
        )
        .route("/v1/sign_in_tokens", post(sign_in_tokens::create))
        .route("/v1/testing_tokens", post(testing_tokens::create))
        .route(
            "/v1/sign_in_tokens/{sign_in_token_id}/revoke",
            post(sign_in_tokens::revoke),
        )
        .route(
            "/v1/role_sets",
            get(role_sets::list).post(role_sets::create),
        )
        .route(
            "/v1/role_sets/{role_set_key_or_id}",
            get(role_sets::get).patch(role_sets::update),
        )
        .route(
            "/v1/role_sets/{role_set_key_or_id}/replace",
            post(role_sets::replace),
        )
        .route(
            "/v1/role_sets/{role_set_key_or_id}/roles",
            post(role_sets::add_roles),
        )
        .route(
            "/v1/role_sets/{role_set_key_or_id}/roles/replace",
            post(role_sets::replace_role),
        )
        .route(
            "/v1/organization_permissions",
            get(roles::list_permissions).post(roles::create_permission),
        )
        .route(
            "/v1/organization_permissions/{permission_id}",
            get(roles::get_permission)
                .patch(roles::update_permission)
                .delete(roles::delete_permission),
        )
        .route("/v1/jwks", get(jwks::get))
        .route(
            "/v1/clients/handshake_payload",
            get(clients::handshake_payload),
        )
        // Instance settings (see bapi/instance_settings.rs); `/settings` is Usher's.
        .route(
            "/v1/instance",
            get(instance_settings::get_instance).patch(instance_settings::update_instance),
        )
        .route(
            "/v1/instance/restrictions",
            patch(instance_settings::update_restrictions),
        )
        .route(
            "/v1/instance/organization_settings",
            get(instance_settings::get_organization_settings)
                .patch(instance_settings::update_organization_settings),
        )
        .route(
            "/v1/instance/settings",
            get(instance_settings::get_settings).patch(instance_settings::update_settings),
        )
        // The server's diagnosis of itself: an Usher extension (see bapi/diagnostics.rs).
        .route("/v1/usher/diagnostics", get(diagnostics::get))
        // Branding: an Usher extension (see bapi/instance.rs).
        .route(
            "/v1/instance/branding",
            get(instance::get_branding).patch(instance::update_branding),
        )
        // The session token's custom claims: an Usher extension (see bapi/instance.rs).
        .route(
            "/v1/instance/session_token",
            get(instance::get_session_claims).patch(instance::update_session_claims),
        )
        // Emails: an Usher extension (see bapi/emails.rs).
        .route("/v1/emails", get(emails::list))
        .route("/v1/emails/{email_id}", get(emails::get))
        // Webhook endpoints: an Usher extension (see bapi/webhooks.rs).
        .route(
            "/v1/webhooks/endpoints",
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}",
            get(webhooks::get)
                .patch(webhooks::update)
                .delete(webhooks::delete),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/pause",
            post(webhooks::pause),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/resume",
            post(webhooks::resume),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/rotate_secret",
            post(webhooks::rotate_secret),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/replay",
            post(webhooks::replay),
        )
        .route(
            "/v1/webhooks/endpoints/{endpoint_id}/resync",
            post(webhooks::resync),
        )
        .route(
            "/v1/webhooks/messages/{msg_id}/retry",
            post(webhooks::retry_message),
        )
}
