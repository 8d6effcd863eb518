//! `GET /v1/environment`: what the instance allows, which clerk-js and the prebuilt UI read to
//! decide which fields, factors and features to show. Everything Usher does not offer is off,
//! so the UI never reaches out to captcha, billing or social providers.

use serde_json::{Value, json};
use usher_core::branding::Branding;
use usher_core::instance::{Environment, Instance};

fn attribute(
    enabled: bool,
    required: bool,
    first_factors: &[&str],
    second_factors: &[&str],
    verifications: &[&str],
    verify_at_sign_up: bool,
) -> Value {
    json!({
        "enabled": enabled,
        "required": required,
        "used_for_first_factor": !first_factors.is_empty(),
        "first_factors": first_factors,
        "used_for_second_factor": !second_factors.is_empty(),
        "second_factors": second_factors,
        "verifications": verifications,
        "verify_at_sign_up": verify_at_sign_up,
        "name": "",
    })
}

fn off() -> Value {
    attribute(false, false, &[], &[], &[], false)
}

pub fn render(instance: &Instance, branding: &Branding) -> Value {
    let s = &instance.settings;
    let env = instance.environment;
    let id_suffix = &instance.id;
    json!({
        "object": "environment",
        "id": format!("env_{id_suffix}"),
        "auth_config": {
            "object": "auth_config",
            "id": format!("aac_{id_suffix}"),
            "single_session_mode": true,
            "claimed_at": null,
            "reverification": false,
            "preferred_channels": {},
        },
        "display_config": {
            "object": "display_config",
            "id": format!("display_config_{id_suffix}"),
            "instance_environment_type": env.as_str(),
            "application_name": branding.application_name(),
            "theme": {
                "general": {
                    "color": branding.primary_color(), "background_color": "#ffffff", "font_family": "",
                    "font_color": "#151515", "label_font_weight": "600", "padding": "1em",
                    "border_radius": "0.5em", "box_shadow": "0 2px 8px rgba(0, 0, 0, 0.2)"
                },
                "buttons": { "font_color": "#ffffff", "font_family": "", "font_weight": "600" },
                "accounts": { "background_color": "#ffffff" }
            },
            "preferred_sign_in_strategy": "password",
            "logo_image_url": branding.logo_image_url().unwrap_or(""),
            "favicon_image_url": "",
            "home_url": "",
            "sign_in_url": "",
            "sign_up_url": "",
            "user_profile_url": "",
            "waitlist_url": "",
            "after_sign_in_url": "",
            "after_sign_up_url": "",
            "after_sign_out_one_url": "",
            "after_sign_out_all_url": "",
            "after_switch_session_url": "",
            "after_join_waitlist_url": "",
            "organization_profile_url": "",
            "create_organization_url": "",
            "after_leave_organization_url": "",
            "after_create_organization_url": "",
            "support_email": null,
            "branded": false,
            "clerk_js_version": null,
            "show_devmode_warning": false,
            "terms_url": null,
            "privacy_policy_url": null,
            "captcha_public_key": null,
            "captcha_widget_type": "invisible",
            "captcha_public_key_invisible": null,
            "captcha_provider": "turnstile",
            "captcha_oauth_bypass": [],
            "captcha_heartbeat": false,
        },
        "user_settings": {
            "attributes": {
                "email_address": attribute(true, true, &["email_code"], &[], &["email_code"], true),
                "phone_number": off(),
                "username": attribute(true, false, &[], &[], &[], false),
                "web3_wallet": off(),
                "first_name": attribute(true, false, &[], &[], &[], false),
                "last_name": attribute(true, false, &[], &[], &[], false),
                "password": attribute(true, s.password_required, &[], &[], &[], false),
                "authenticator_app": attribute(true, false, &[], &["totp"], &["totp"], false),
                "backup_code": attribute(true, false, &[], &["backup_code"], &[], false),
                "passkey": off(),
            },
            "social": {},
            "saml": { "enabled": false },
            "enterprise_sso": { "enabled": false, "self_serve_sso": false },
            "sign_in": { "second_factor": { "required": false, "enabled": true } },
            "sign_up": {
                "captcha_enabled": false,
                "captcha_widget_type": "invisible",
                "custom_action_required": false,
                "progressive": true,
                "mode": "public",
                "legal_consent_enabled": false,
                "allowlist_only": false,
                "mfa": { "required": false },
            },
            "restrictions": {
                "allowlist": { "enabled": false },
                "blocklist": { "enabled": false },
                "block_email_subaddresses": { "enabled": false },
                "block_disposable_email_domains": { "enabled": false },
                "ignore_dots_for_gmail_addresses": { "enabled": false },
            },
            "password_settings": {
                // The bundled breached-password list stands in for Have I Been Pwned.
                "disable_hibp": !s.reject_breached_passwords,
                "min_length": s.password_min_length,
                "max_length": s.password_max_length,
                "require_special_char": false,
                "require_numbers": false,
                "require_uppercase": false,
                "require_lowercase": false,
                "show_zxcvbn": false,
                "min_zxcvbn_strength": 0,
                "enforce_hibp_on_sign_in": false,
                "allowed_special_characters": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
            },
            "username_settings": { "min_length": 4, "max_length": 64 },
            "actions": { "delete_self": false, "create_organization": false },
            "attack_protection": {
                "user_lockout": {
                    "enabled": true,
                    "max_attempts": s.max_verification_attempts,
                    "duration_in_minutes": s.lockout_duration_secs / 60,
                },
                "pii": { "enabled": false },
                "email_link": { "require_same_client": false },
                "enumeration_protection": { "enabled": s.enumeration_protection },
            },
            "passkey_settings": { "allow_autofill": false, "show_sign_in_button": false },
        },
        "organization_settings": {
            "enabled": false,
            "max_allowed_memberships": 0,
            "force_organization_selection": false,
            "actions": { "admin_delete": false },
            "domains": { "enabled": false, "enrollment_modes": [], "default_role": null },
            "slug": { "disabled": true },
            "creator_role": "org:admin",
            "organization_creation_defaults": { "enabled": false },
        },
        "commerce_settings": {
            "object": "commerce_settings",
            "id": format!("commerce_settings_{id_suffix}"),
            "billing": {
                "stripe_publishable_key": null,
                "organization": { "enabled": false, "has_paid_plans": false },
                "user": { "enabled": false, "has_paid_plans": false },
            },
        },
        "api_keys_settings": {
            "object": "api_keys_settings",
            "id": format!("api_keys_settings_{id_suffix}"),
            "user_api_keys_enabled": false,
            "orgs_api_keys_enabled": false,
        },
        "protect_config": {
            "object": "protect_config",
            "id": format!("protect_config_{id_suffix}"),
            "loaders": [],
        },
        "maintenance_mode": false,
        "client_debug_mode": false,
        "partitioned_cookies": false,
        "development": env == Environment::Development,
    })
}
