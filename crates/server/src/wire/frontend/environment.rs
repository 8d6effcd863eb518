//! `GET /v1/environment`: what the instance allows, which clerk-js and the prebuilt UI read to
//! decide which fields, factors and features to show. Everything Usher does not offer is off,
//! so the UI never reaches out to captcha or billing; the social providers listed are the ones
//! configured (`usher oauth add`).

use serde_json::{Value, json};
use usher_core::branding::Branding;
use usher_core::instance::{Environment, FieldRule, Instance};
use usher_core::oauth::OAuthProvider;
use usher_core::passwords::LengthBounds;

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
        "immutable": false,
    })
}

/// How a user signs in with an email address, and how an address is verified: a code, and a
/// link when the instance offers them. clerk-js's <SignUp/> and <UserProfile/> take a listed
/// `email_link` verification as the way to verify every address (a sign-up's and a profile's
/// alike), so an instance with links verifies addresses by link.
fn email_strategies(s: &usher_core::instance::InstanceSettings) -> Vec<&'static str> {
    if s.email_link_enabled {
        vec!["email_code", "email_link"]
    } else {
        vec!["email_code"]
    }
}

fn off() -> Value {
    attribute(false, false, &[], &[], &[], false)
}

fn on_off(required: bool) -> &'static str {
    if required { "required" } else { "on" }
}

/// A sign-up field's rule as `auth_config` spells it.
fn field_rule(rule: FieldRule) -> &'static str {
    match rule {
        FieldRule::Off => "off",
        FieldRule::Optional => "on",
        FieldRule::Required => "required",
    }
}

/// A sign-up field with a rule of its own: shown when enabled, needed when required.
fn field(rule: FieldRule) -> Value {
    attribute(rule.enabled(), rule.required(), &[], &[], &[], false)
}

/// How users sign in and what they are asked for; clerk-js reads little of it, the spec all of it.
fn auth_config(instance: &Instance) -> Value {
    let s = &instance.settings;
    let development = instance.environment == Environment::Development;
    let id_suffix = &instance.id;
    let phone = s.phone_numbers_enabled;
    let mut identification = vec!["email_address"];
    if s.username_field.enabled() {
        identification.push("username");
    }
    let mut first_factors = vec!["email_code", "password", "reset_password_email_code"];
    let mut second_factors = vec!["totp", "backup_code"];
    if phone {
        identification.insert(1, "phone_number");
        first_factors.push("phone_code");
        second_factors.insert(0, "phone_code");
    }
    if s.passkeys_enabled {
        first_factors.push("passkey");
    }
    if s.email_link_enabled {
        first_factors.insert(1, "email_link");
    }
    let requirements: Vec<Value> = identification.iter().map(|i| json!([i])).collect();
    json!({
        "object": "auth_config",
        "id": format!("aac_{id_suffix}"),
        "first_name": field_rule(s.first_name_field),
        "last_name": field_rule(s.last_name_field),
        "email_address": "required",
        "phone_number": if phone { on_off(s.phone_number_required) } else { "off" },
        "username": field_rule(s.username_field),
        "password": on_off(s.password_required),
        "identification_requirements": requirements,
        "identification_strategies": identification,
        "first_factors": first_factors,
        "second_factors": second_factors,
        "email_address_verification_strategies": email_strategies(s),
        "single_session_mode": true,
        "enhanced_email_deliverability": false,
        // +clerk_test addresses take the fixed code on development instances only.
        "test_mode": development,
        // Development browsers carry their client in the URL (the dev-browser token).
        "url_based_session_syncing": development,
        "claimed_at": null,
        "reverification": false,
        "native_settings": {
            "object": "native_settings",
            "api_enabled": false,
            "trusted_device_sign_in_enabled": false,
            "trusted_device_enrollment_prompt_after_sign_in_enabled": false,
            "trusted_device_enrollment_prompt_after_sign_up_enabled": false,
        },
    })
}

/// `user_settings.social`: one entry per enabled provider, keyed by its strategy, so clerk-js
/// draws a "Continue with …" button for each.
fn social(providers: &[OAuthProvider]) -> Value {
    let mut out = serde_json::Map::new();
    for p in providers.iter().filter(|p| p.enabled) {
        out.insert(
            p.strategy(),
            json!({
                "enabled": true,
                "required": false,
                "authenticatable": true,
                "block_email_subaddresses": false,
                "strategy": p.strategy(),
                "not_selectable": false,
                "deprecated": false,
                "name": p.name,
                "logo_url": null,
            }),
        );
    }
    Value::Object(out)
}

/// The attributes, factors and policies the sign-in and sign-up forms follow.
fn user_settings(instance: &Instance, providers: &[OAuthProvider]) -> Value {
    let s = &instance.settings;
    let email = email_strategies(s);
    json!({
        "attributes": {
            "email_address": attribute(true, true, &email, &[], &email, true),
            "phone_number": if s.phone_numbers_enabled {
                let code = &["phone_code"];
                attribute(true, s.phone_number_required, code, code, code, true)
            } else {
                off()
            },
            "username": field(s.username_field),
            "web3_wallet": off(),
            "first_name": field(s.first_name_field),
            "last_name": field(s.last_name_field),
            "password": attribute(true, s.password_required, &[], &[], &[], false),
            "authenticator_app": attribute(true, false, &[], &["totp"], &["totp"], false),
            "backup_code": attribute(true, false, &[], &["backup_code"], &[], false),
            "passkey": if s.passkeys_enabled {
                attribute(true, false, &["passkey"], &[], &[], false)
            } else {
                off()
            },
            "ticket": off(),
        },
        "social": social(providers),
        "saml": { "enabled": false },
        "enterprise_sso": { "enabled": false, "self_serve_sso": false },
        "sign_in": { "second_factor": { "required": false } },
        "sign_up": {
            "captcha_enabled": false,
            "captcha_widget_type": "invisible",
            "custom_action_required": false,
            "progressive": true,
            "mode": s.sign_up_mode.as_str(),
            "legal_consent_enabled": s.legal_consent_enabled,
        },
        "restrictions": {
            "allowlist": { "enabled": s.allowlist_enabled },
            "blocklist": { "enabled": s.blocklist_enabled },
            "allowlist_blocklist_disabled_on_sign_in": { "enabled": true },
            "block_email_subaddresses": { "enabled": s.block_email_subaddresses },
            "block_disposable_email_domains": { "enabled": s.block_disposable_email_domains },
        },
        "password_settings": {
            // The bundled breached-password list stands in for Have I Been Pwned.
            "disable_hibp": !s.reject_breached_passwords,
            "disable_password_reverification": false,
            "min_length": LengthBounds::of(s).min,
            "max_length": LengthBounds::of(s).max,
            "require_special_char": false,
            "require_numbers": false,
            "require_uppercase": false,
            "require_lowercase": false,
            "show_zxcvbn": false,
            "min_zxcvbn_strength": 0,
            "enforce_hibp_on_sign_in": false,
            "allowed_special_characters": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
        },
        "username_settings": {
            "min_length": 4,
            "max_length": 64,
            "allow_extended_special_characters": false,
            "allow_numeric_usernames": true,
        },
        "actions": {
            "delete_self": false,
            "create_organization": false,
            "create_organizations_limit": null,
        },
        "attack_protection": {
            "user_lockout": {
                "enabled": true,
                "max_attempts": s.max_verification_attempts,
                "duration_in_minutes": s.lockout_duration_secs / 60,
            },
            "pii": { "enabled": false },
            "email_link": { "require_same_client": s.email_link_require_same_client },
            "enumeration_protection": { "enabled": s.enumeration_protection },
        },
        "passkey_settings": {
            "allow_autofill": s.passkeys_enabled,
            "show_sign_in_button": s.passkeys_enabled,
            "satisfies_second_factor": s.passkeys_enabled,
        },
    })
}

fn theme(primary_color: &str) -> Value {
    json!({
        "general": {
            "color": primary_color, "background_color": "#ffffff", "font_family": "",
            "font_color": "#151515", "label_font_weight": "600", "padding": "1em",
            "border_radius": "0.5em", "box_shadow": "0 2px 8px rgba(0, 0, 0, 0.2)"
        },
        "buttons": { "font_color": "#ffffff", "font_family": "", "font_weight": "600" },
        "accounts": { "background_color": "#ffffff" }
    })
}

const URL_KEYS: &[&str] = &[
    "logo_image_url",
    "favicon_image_url",
    "home_url",
    "sign_in_url",
    "sign_up_url",
    "user_profile_url",
    "waitlist_url",
    "oauth_consent_url",
    "after_sign_in_url",
    "after_sign_up_url",
    "after_sign_out_one_url",
    "after_sign_out_all_url",
    "after_switch_session_url",
    "after_join_waitlist_url",
    "organization_profile_url",
    "create_organization_url",
    "after_leave_organization_url",
    "after_create_organization_url",
    "logo_link_url",
];

/// What the prebuilt UI shows: names, links, theme; Usher's pages are the app's own.
fn display_config(instance: &Instance, branding: &Branding) -> Value {
    let id_suffix = &instance.id;
    let mut j = json!({
        "object": "display_config",
        "id": format!("display_config_{id_suffix}"),
        "instance_environment_type": instance.environment.as_str(),
        "application_name": branding.application_name(),
        "theme": theme(branding.primary_color()),
        "preferred_sign_in_strategy": "password",
        "logo_url": null,
        "favicon_url": null,
        "logo_image": null,
        "favicon_image": null,
        "help_url": null,
        "google_one_tap_client_id": null,
        "experimental_force_oauth_first": false,
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
    });
    // Every page is the app's own: no hosted URLs.
    if let Some(o) = j.as_object_mut() {
        for key in URL_KEYS {
            o.insert((*key).to_owned(), json!(""));
        }
        o.insert(
            "logo_image_url".to_owned(),
            json!(branding.logo_image_url().unwrap_or("")),
        );
    }
    j
}

/// The enrollment modes clerk-js offers for a verified domain (never `enterprise_sso`).
fn organization_domains(instance: &Instance) -> Value {
    use usher_core::organizations::domains::EnrollmentMode as M;
    let enabled = instance.settings.organization_domains_enabled;
    let modes: Vec<&str> = if enabled {
        [
            M::ManualInvitation,
            M::AutomaticInvitation,
            M::AutomaticSuggestion,
        ]
        .iter()
        .map(|m| m.as_str())
        .collect()
    } else {
        Vec::new()
    };
    json!({
        "enabled": enabled,
        "enrollment_modes": modes,
        "default_role": usher_core::roles::system::MEMBER,
    })
}

/// The creation-defaults advisory is left out rather than sent as off: Clerk's spec forbids the
/// field, and clerk-js reads a missing one as off. Forced selection is sent when on, as clerk-js
/// needs it (the task, no personal account); Clerk's spec lacks that field too.
fn organization_settings(instance: &Instance) -> Value {
    let s = &instance.settings;
    let mut j = json!({
        "enabled": s.organizations_enabled,
        "max_allowed_memberships": s.organization_max_allowed_memberships,
        "actions": { "admin_delete": s.organization_admin_delete },
        "domains": organization_domains(instance),
        "slug": { "disabled": false },
        "creator_role": usher_core::roles::system::ADMIN,
    });
    if usher_core::sessions::tasks::selection_forced(s) {
        j["force_organization_selection"] = json!(true);
    }
    j
}

pub fn render(instance: &Instance, branding: &Branding, providers: &[OAuthProvider]) -> Value {
    json!({
        "auth_config": auth_config(instance),
        "display_config": display_config(instance, branding),
        "user_settings": user_settings(instance, providers),
        "organization_settings": organization_settings(instance),
        "commerce_settings": {
            "billing": {
                "stripe_publishable_key": null,
                "organization": { "enabled": false, "has_paid_plans": false },
                "user": { "enabled": false, "has_paid_plans": false },
            },
        },
        // A user's own keys are served (`fapi/api_keys.rs`); the organization page stays off, as
        // clerk-js shows it only to holders of `org:sys_api_keys:*`, which no role has here yet.
        "api_keys_settings": {
            "enabled": true,
            "user_api_keys_enabled": true,
            "orgs_api_keys_enabled": false,
        },
        "protect_config": {
            "loaders": [],
        },
        "maintenance_mode": false,
        "client_debug_mode": false,
        "partitioned_cookies": false,
    })
}
