//! The Frontend API: what Clerk's browser SDK (clerk-js) and prebuilt UI call. Served at `/v1/…`
//! and, for apps that proxy it under their own origin (clerk-js's `proxyUrl`), at
//! `/__clerk/v1/…`. Requests carrying an `Origin` must come from an allowed origin; the browser's
//! client is named by the `__client` cookie or, on development instances, a dev-browser token.

mod api_keys;
mod bearer;
mod billing;
pub mod browser;
mod client;
pub mod client_ip;
pub mod cookies;
mod email_links;
pub mod form;
mod handshake;
mod images;
mod invitations;
mod me;
mod me_external_accounts;
mod me_identifiers;
pub mod npm;
pub mod oauth;
mod organization_domains;
mod organizations;
pub mod origins;
mod passkeys;
mod redirect;
pub mod respond;
mod sessions;
mod sign_ins;
mod sign_ups;
mod signed_in;
mod suggestions;
mod throttle;
pub mod tunnel;
mod waitlist;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};

use crate::state::AppState;
use crate::wire::jwks::JwksJson;

/// The path prefix apps proxy the Frontend API under.
pub const PROXY_PREFIX: &str = "/__clerk";

fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for path in billing::PAYMENT_ROUTES {
        router = router.route(path, any(billing::payments_not_supported));
    }
    router
        .route("/v1/billing/plans", get(billing::list_plans))
        .route("/v1/billing/plans/{plan_id}", get(billing::get_plan))
        .route("/api_keys", get(api_keys::list).post(api_keys::create))
        .route("/api_keys/{api_key_id}/revoke", post(api_keys::revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/v1/jwks", get(jwks))
        .route(
            "/v1/environment",
            get(client::environment).patch(client::environment),
        )
        .route("/v1/client", get(client::get).delete(client::destroy))
        .route("/v1/dev_browser", post(client::dev_browser))
        .route("/v1/client/handshake", get(handshake::handshake))
        .route("/v1/client/sign_ins", post(sign_ins::create))
        .route("/v1/oauth_callback", get(oauth::callback))
        .route("/v1/verify", get(email_links::verify))
        .route("/v1/client/sign_ins/{sign_in_id}", get(sign_ins::get))
        .route(
            "/v1/client/sign_ins/{sign_in_id}/prepare_first_factor",
            post(sign_ins::prepare_first_factor),
        )
        .route(
            "/v1/client/sign_ins/{sign_in_id}/attempt_first_factor",
            post(sign_ins::attempt_first_factor),
        )
        .route(
            "/v1/client/sign_ins/{sign_in_id}/prepare_second_factor",
            post(sign_ins::prepare_second_factor),
        )
        .route(
            "/v1/client/sign_ins/{sign_in_id}/attempt_second_factor",
            post(sign_ins::attempt_second_factor),
        )
        .route(
            "/v1/client/sign_ins/{sign_in_id}/reset_password",
            post(sign_ins::reset_password),
        )
        .route("/v1/client/sign_ups", post(sign_ups::create))
        .route("/v1/waitlist", post(waitlist::join))
        .route(
            "/v1/client/sign_ups/{sign_up_id}",
            get(sign_ups::get).patch(sign_ups::update),
        )
        .route(
            "/v1/client/sign_ups/{sign_up_id}/prepare_verification",
            post(sign_ups::prepare_verification),
        )
        .route(
            "/v1/client/sign_ups/{sign_up_id}/attempt_verification",
            post(sign_ups::attempt_verification),
        )
        .route(
            "/v1/client/sessions",
            axum::routing::delete(sessions::sign_out),
        )
        .route("/v1/client/sessions/{session_id}", get(sessions::get))
        .route(
            "/v1/client/sessions/{session_id}/touch",
            post(sessions::touch),
        )
        .route("/v1/client/sessions/{session_id}/end", post(sessions::end))
        .route(
            "/v1/client/sessions/{session_id}/remove",
            post(sessions::remove),
        )
        .route(
            "/v1/client/sessions/{session_id}/tokens",
            post(sessions::token),
        )
        .route(
            "/v1/client/sessions/{session_id}/tokens/{template_name}",
            post(sessions::template_token),
        )
        .route("/v1/me", get(me::get).patch(me::update))
        .route("/v1/me/change_password", post(me::change_password))
        .merge(identifier_routes())
        .route("/v1/me/totp", post(me::create_totp).delete(me::delete_totp))
        .route("/v1/me/totp/attempt_verification", post(me::verify_totp))
        .route("/v1/me/backup_codes", post(me::create_backup_codes))
        .route(
            "/v1/me/external_accounts",
            post(me_external_accounts::create),
        )
        .route(
            "/v1/me/external_accounts/{external_account_id}",
            axum::routing::delete(me_external_accounts::delete),
        )
        .route(
            "/v1/me/external_accounts/{external_account_id}/reauthorize",
            axum::routing::patch(me_external_accounts::reauthorize),
        )
        .route("/v1/me/passkeys", post(passkeys::create))
        .route(
            "/v1/me/passkeys/{passkey_id}",
            axum::routing::patch(passkeys::update).delete(passkeys::delete),
        )
        .route(
            "/v1/me/passkeys/{passkey_id}/attempt_verification",
            post(passkeys::attempt_verification),
        )
        .route("/v1/me/sessions/active", get(me::active_sessions))
        .route(
            "/v1/me/profile_image",
            post(images::set_profile_image).delete(images::delete_profile_image),
        )
        .route("/v1/images/{image_id}", get(images::serve))
        .route(
            "/v1/me/sessions/{session_id}/revoke",
            post(me::revoke_session),
        )
        .merge(organization_routes())
        .merge(suggestions::routes())
        .route("/npm/{*path}", get(npm::serve))
}

fn organization_routes() -> Router<AppState> {
    use axum::routing::delete;
    use organizations as o;
    Router::new()
        .route("/v1/me/organization_memberships", get(o::my_memberships))
        .route(
            "/v1/me/organization_memberships/{organization_id}",
            delete(o::leave),
        )
        .route("/v1/me/organization_invitations", get(invitations::mine))
        .route(
            "/v1/me/organization_invitations/{invitation_id}/accept",
            post(invitations::accept),
        )
        .route(
            "/v1/me/organization_creation_defaults",
            get(o::creation_defaults),
        )
        .route("/v1/organizations", post(o::create))
        .route(
            "/v1/organizations/{organization_id}",
            get(o::get).patch(o::update).delete(o::delete),
        )
        .route(
            "/v1/organizations/{organization_id}/memberships",
            get(o::members).post(o::add_member),
        )
        .route(
            "/v1/organizations/{organization_id}/memberships/{user_id}",
            axum::routing::patch(o::update_member).delete(o::remove_member),
        )
        .route(
            "/v1/organizations/{organization_id}/logo",
            axum::routing::put(images::set_logo).delete(images::delete_logo),
        )
        .route("/v1/organizations/{organization_id}/roles", get(o::roles))
        .route(
            "/v1/organizations/{organization_id}/invitations",
            get(invitations::of_organization).post(invitations::invite),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations/bulk",
            post(invitations::invite_many),
        )
        .route(
            "/v1/organizations/{organization_id}/invitations/{invitation_id}/revoke",
            post(invitations::revoke),
        )
        .merge(domain_routes())
}

fn domain_routes() -> Router<AppState> {
    use organization_domains as d;
    Router::new()
        .route(
            "/v1/organizations/{organization_id}/domains",
            get(d::list).post(d::create),
        )
        .route(
            "/v1/organizations/{organization_id}/domains/{domain_id}",
            get(d::get).delete(d::delete),
        )
        .route(
            "/v1/organizations/{organization_id}/domains/{domain_id}/update_enrollment_mode",
            post(d::update_enrollment_mode),
        )
        .route(
            "/v1/organizations/{organization_id}/domains/{domain_id}/prepare_affiliation_verification",
            post(d::prepare_affiliation),
        )
        .route(
            "/v1/organizations/{organization_id}/domains/{domain_id}/attempt_affiliation_verification",
            post(d::attempt_affiliation),
        )
}

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(routes())
        // The hosted pages share the client cookie, the origin policy and the limits; under
        // the prefix too, so that an app proxying it keeps one origin.
        .nest(
            PROXY_PREFIX,
            routes().merge(crate::pages::router_at(PROXY_PREFIX)),
        )
        .merge(crate::pages::router())
        // Set under the layers: a method no route has (a CORS preflight's OPTIONS among them)
        // must still meet the origin policy, which answers allowed preflights itself.
        .method_not_allowed_fallback(crate::method_not_allowed)
        .layer(from_fn_with_state(state.clone(), throttle::middleware))
        .layer(from_fn_with_state(state.clone(), origins::middleware))
}

/// Public keys are public: no secret key needed here, as on Clerk's Frontend API.
async fn jwks(State(state): State<AppState>) -> Json<JwksJson> {
    Json(crate::bapi::public_jwks(&state))
}

/// `/v1/me/email_addresses…` and `/v1/me/phone_numbers…` (`fapi/me_identifiers.rs`).
fn identifier_routes() -> Router<AppState> {
    use me_identifiers::{self as i, Email, Phone};
    Router::new()
        .route(
            "/v1/me/email_addresses",
            get(i::list::<Email>).post(i::create::<Email>),
        )
        .route(
            "/v1/me/email_addresses/{email_address_id}",
            get(i::get::<Email>).delete(i::delete::<Email>),
        )
        .route(
            "/v1/me/email_addresses/{email_address_id}/prepare_verification",
            post(i::prepare_verification::<Email>),
        )
        .route(
            "/v1/me/email_addresses/{email_address_id}/attempt_verification",
            post(i::attempt_verification::<Email>),
        )
        .route(
            "/v1/me/phone_numbers",
            get(i::list::<Phone>).post(i::create::<Phone>),
        )
        .route(
            "/v1/me/phone_numbers/{phone_number_id}",
            get(i::get::<Phone>)
                .patch(i::update_phone)
                .delete(i::delete::<Phone>),
        )
        .route(
            "/v1/me/phone_numbers/{phone_number_id}/prepare_verification",
            post(i::prepare_verification::<Phone>),
        )
        .route(
            "/v1/me/phone_numbers/{phone_number_id}/attempt_verification",
            post(i::attempt_verification::<Phone>),
        )
}
