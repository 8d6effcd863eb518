//! An instance: its environment, its keys and its settings. Every row in the store belongs to one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{InstanceId, SecretKeyId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    pub fn key_infix(self) -> &'static str {
        match self {
            Environment::Development => "test",
            Environment::Production => "live",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Production => "production",
        }
    }
}

/// Policy knobs with Clerk's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceSettings {
    pub session_token_lifetime_secs: i64,
    /// How long a session lives at most (Clerk's default: 7 days).
    pub session_max_lifetime_ms: Millis,
    pub lockout_duration_secs: i64,
    pub max_verification_attempts: i64,
    pub password_min_length: usize,
    pub password_max_length: usize,
    /// Whether `POST /v1/users` needs a password unless `skip_password_requirement` is set.
    pub password_required: bool,
    /// Whether a new password on the bundled list of common breached passwords is refused
    /// (`form_password_pwned`); Backend API writes can skip it with `skip_password_checks`.
    pub reject_breached_passwords: bool,
    /// A password-only sign-in on a device new to the user must be confirmed by an emailed
    /// code (Clerk's Client Trust).
    pub client_trust: bool,
    /// A session unused for this long ends (its `abandon_at` moves with each use).
    pub session_inactivity_ms: Millis,
    /// A password change or an MFA enrolment signs the user's other sessions out.
    pub sign_out_other_sessions_on_security_change: bool,
    /// Sign-in does not tell whether an identifier has an account (Clerk's enumeration
    /// protection): unknown identifiers get a sign-in that fails like a wrong password.
    pub enumeration_protection: bool,
    /// Organizations on the Frontend API (Clerk's default: off). The Backend API manages them
    /// either way.
    pub organizations_enabled: bool,
    /// The member limit of organizations users create (Clerk's default: 5; 0: none).
    pub organization_max_allowed_memberships: i64,
    /// Whether admins may delete their organization from the Frontend API (Clerk's default: on).
    pub organization_admin_delete: bool,
    /// Organization domains on the Frontend API (Clerk's "Verified domains", default off):
    /// members who manage domains add them and verify them by an emailed code.
    pub organization_domains_enabled: bool,
    /// Every session needs an active organization: one without is `pending` with the
    /// `choose-organization` task (Clerk's default for new applications; off here, as personal
    /// accounts were before). Meaningless without `organizations_enabled`.
    pub force_organization_selection: bool,
    /// Web origins (`scheme://host[:port]`, exact: no wildcard) whose pages may call the
    /// Frontend API with credentials. A node's `--allowed-origins` overrides the stored list.
    pub allowed_origins: Vec<String>,
    /// While the database is unreachable or slower than `degraded_mode_db_timeout_ms`, session
    /// tokens are minted from what this node last read of each session (degraded mode).
    pub degraded_mode_enabled: bool,
    /// How long after the database last confirmed a session it may be served from memory.
    pub degraded_mode_window_secs: i64,
    /// A token read slower than this counts as the database being unavailable.
    pub degraded_mode_db_timeout_ms: i64,
    /// Days outbox events are kept (0: forever). An event a webhook delivery still refers to
    /// is kept with it.
    pub retention_events_days: i64,
    /// Days finished webhook deliveries (succeeded or failed) and their attempts are kept
    /// (0: forever); pending deliveries are never pruned.
    pub retention_webhook_deliveries_days: i64,
    /// Days emails are kept (0: forever); queued ones are never pruned.
    pub retention_emails_days: i64,
    /// Days text messages are kept (0: forever).
    pub retention_sms_days: i64,
    /// Days audit entries are kept (0: forever).
    pub retention_audit_days: i64,
    /// Phone numbers as a way in (Clerk's default: off): the sign-up form asks for one and
    /// clerk-js offers `phone_code` sign-in and second factor. Accounts given a number through
    /// the Backend API sign in with it either way.
    pub phone_numbers_enabled: bool,
    /// Sign-up needs a phone number. Meaningless without `phone_numbers_enabled`.
    pub phone_number_required: bool,
    /// Who may sign up on the Frontend API (Clerk's sign-up mode): anyone (`public`), only
    /// the invited (`restricted`: an invitation's ticket), or nobody, joining the waitlist
    /// instead (`waitlist`). The Backend API creates users either way.
    pub sign_up_mode: SignUpMode,
    /// Only identifiers on the allowlist may sign up or be added to an account (in a restricted
    /// instance, the allowlist lets them sign up without an invitation instead).
    pub allowlist_enabled: bool,
    /// Identifiers on the blocklist may neither sign up nor be added to an account.
    pub blocklist_enabled: bool,
    /// Addresses with a subaddress (`name+tag@`) are refused likewise.
    pub block_email_subaddresses: bool,
    /// Addresses at a domain of the built-in disposable list are refused likewise.
    pub block_disposable_email_domains: bool,
    /// Passkeys (Clerk's default: off): users register them from their profile and sign in
    /// with them (a button and autofill); the environment tells clerk-js.
    #[serde(default)]
    pub passkeys_enabled: bool,
    /// Email links (`email_link`, Clerk's "Email verification link"; off here as on new Clerk
    /// applications): sign-in by a link emailed to the address, offered beside the code.
    #[serde(default)]
    pub email_link_enabled: bool,
    /// An email link verifies only on the browser that asked for it (Clerk's
    /// `attack_protection.email_link.require_same_client`, default off); elsewhere it answers
    /// `client_mismatch`.
    #[serde(default)]
    pub email_link_require_same_client: bool,
    /// Whether sign-up asks for a first name, and whether one is needed (`off`, `optional`,
    /// `required`; Clerk's "First and last name", optional here as before).
    #[serde(default)]
    pub first_name_field: FieldRule,
    /// As `first_name_field`, for the last name.
    #[serde(default)]
    pub last_name_field: FieldRule,
    /// As `first_name_field`, for the username. Off, sign-up takes none; a username given
    /// through the Backend API still signs in.
    #[serde(default)]
    pub username_field: FieldRule,
    /// Sign-up needs the terms and privacy policy accepted (`legal_accepted`, Clerk's "Require
    /// express consent to legal documents"; off as on new Clerk applications).
    #[serde(default)]
    pub legal_consent_enabled: bool,
}

/// Whether sign-up asks for a field (Clerk's attribute `enabled`) and whether it must be given
/// (`required`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldRule {
    Off,
    #[default]
    Optional,
    Required,
}

impl FieldRule {
    pub const ALL: [FieldRule; 3] = [FieldRule::Off, FieldRule::Optional, FieldRule::Required];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldRule::Off => "off",
            FieldRule::Optional => "optional",
            FieldRule::Required => "required",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn enabled(self) -> bool {
        self != FieldRule::Off
    }

    pub fn required(self) -> bool {
        self == FieldRule::Required
    }
}

/// Clerk's sign-up modes (`user_settings.sign_up.mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpMode {
    #[default]
    Public,
    Restricted,
    Waitlist,
}

impl SignUpMode {
    pub const ALL: [SignUpMode; 3] = [
        SignUpMode::Public,
        SignUpMode::Restricted,
        SignUpMode::Waitlist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignUpMode::Public => "public",
            SignUpMode::Restricted => "restricted",
            SignUpMode::Waitlist => "waitlist",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl Default for InstanceSettings {
    fn default() -> Self {
        Self {
            session_token_lifetime_secs: 60,
            session_max_lifetime_ms: 7 * 24 * 3600 * 1000,
            lockout_duration_secs: 3600,
            max_verification_attempts: 100,
            password_min_length: 8,
            password_max_length: 72,
            password_required: true,
            reject_breached_passwords: true,
            client_trust: true,
            session_inactivity_ms: 7 * 24 * 3600 * 1000,
            sign_out_other_sessions_on_security_change: true,
            enumeration_protection: false,
            organizations_enabled: false,
            organization_max_allowed_memberships: 5,
            organization_admin_delete: true,
            organization_domains_enabled: false,
            force_organization_selection: false,
            allowed_origins: Vec::new(),
            degraded_mode_enabled: true,
            degraded_mode_window_secs: 15 * 60,
            degraded_mode_db_timeout_ms: 1000,
            retention_events_days: 30,
            retention_webhook_deliveries_days: 30,
            retention_emails_days: 7,
            retention_sms_days: 7,
            retention_audit_days: 365,
            phone_numbers_enabled: false,
            phone_number_required: false,
            sign_up_mode: SignUpMode::Public,
            allowlist_enabled: false,
            blocklist_enabled: false,
            block_email_subaddresses: false,
            block_disposable_email_domains: false,
            passkeys_enabled: false,
            email_link_enabled: false,
            email_link_require_same_client: false,
            first_name_field: FieldRule::Optional,
            last_name_field: FieldRule::Optional,
            username_field: FieldRule::Optional,
            legal_consent_enabled: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: InstanceId,
    pub environment: Environment,
    /// The Frontend API host as it appears in the publishable key and in `iss`, e.g. `127.0.0.1:4001`.
    pub frontend_host: String,
    pub settings: InstanceSettings,
    pub created_at: Millis,
}

impl Instance {
    pub fn publishable_key(&self) -> String {
        publishable_key(self.environment, &self.frontend_host)
    }
    /// The suffix clerk-js and Clerk's backend SDKs give cookie names for this instance: the
    /// first 8 characters of the URL-safe base64 of SHA-1(publishable key).
    pub fn cookie_suffix(&self) -> String {
        use base64::engine::general_purpose::URL_SAFE;
        let digest = aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            self.publishable_key().as_bytes(),
        );
        URL_SAFE.encode(digest.as_ref()).chars().take(8).collect()
    }

    /// `iss` of every session token: `https://` + the host in the publishable key.
    pub fn issuer(&self) -> String {
        format!("https://{}", self.frontend_host)
    }
}

/// `pk_test_` or `pk_live_` + unpadded base64 of `<host>$`.
pub fn publishable_key(env: Environment, frontend_host: &str) -> String {
    format!(
        "pk_{}_{}",
        env.key_infix(),
        STANDARD_NO_PAD.encode(format!("{frontend_host}$"))
    )
}

/// Clerk's SDKs reject a publishable key whose host has no dot (`localhost:4001` fails).
pub fn validate_frontend_host(host: &str) -> CoreResult<()> {
    let ok = !host.is_empty()
        && host.contains('.')
        && !host.contains('$')
        && !host.contains("://")
        && host.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(CoreError::value(
            "frontend_host",
            "must be a host[:port] containing a dot (for example 127.0.0.1:4001 or auth.example.com)",
        ))
    }
}

/// A secret key as the operator holds it. Only its hash is ever stored.
pub fn generate_secret_key(env: Environment) -> String {
    format!(
        "sk_{}_{}",
        env.key_infix(),
        crate::ids::random_alphanumeric(43)
    )
}

pub fn validate_secret_key(key: &str) -> CoreResult<()> {
    let rest = key
        .strip_prefix("sk_test_")
        .or_else(|| key.strip_prefix("sk_live_"));
    match rest {
        Some(r)
            if r.len() >= 16 && r.len() <= 128 && r.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Ok(())
        }
        _ => Err(CoreError::format(
            "secret_key",
            "must be sk_test_ or sk_live_ followed by 16 to 128 letters and digits",
        )),
    }
}

pub fn environment_of_secret_key(key: &str) -> Environment {
    if key.starts_with("sk_live_") {
        Environment::Production
    } else {
        Environment::Development
    }
}

/// The name the instance's first secret key has.
pub const FIRST_SECRET_KEY_NAME: &str = "default";

/// The stored form of a secret key: an id, a name unique in the instance, its SHA-256 (the key
/// has 250+ bits of entropy, so a fast hash is the right tool), its last four characters for
/// operators to recognise it, and when it stops being accepted (none: never).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretKeyRecord {
    pub id: SecretKeyId,
    pub instance_id: InstanceId,
    #[serde(default = "first_secret_key_name")]
    pub name: String,
    pub hash: Vec<u8>,
    pub hint: String,
    pub created_at: Millis,
    #[serde(default)]
    pub expires_at: Option<Millis>,
}

fn first_secret_key_name() -> String {
    FIRST_SECRET_KEY_NAME.to_owned()
}

impl SecretKeyRecord {
    /// The instance's first key, named [`FIRST_SECRET_KEY_NAME`], never expiring.
    pub fn new(instance_id: &InstanceId, secret: &str, now: Millis) -> Self {
        Self::named(instance_id, FIRST_SECRET_KEY_NAME, secret, now)
    }

    pub fn named(instance_id: &InstanceId, name: &str, secret: &str, now: Millis) -> Self {
        let hint: String = secret
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Self {
            id: SecretKeyId::new(),
            instance_id: instance_id.clone(),
            name: name.to_owned(),
            hash: hash_secret(secret).to_vec(),
            hint,
            created_at: now,
            expires_at: None,
        }
    }

    /// Accepted at `now`: not expired yet.
    pub fn is_valid_at(&self, now: Millis) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
    /// Constant-time: the comparison takes as long whether the first or the last byte differs.
    pub fn matches(&self, presented: &str) -> bool {
        bool::from(hash_secret(presented).as_slice().ct_eq(&self.hash))
    }
}

/// A secret key's name: 1 to 64 letters, digits, `-`, `_` or `.`.
pub fn validate_secret_key_name(name: &str) -> CoreResult<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(CoreError::value(
            "name",
            "must be 1 to 64 letters, digits, '-', '_' or '.'",
        ))
    }
}

pub fn hash_secret(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_suffix_matches_clerks_sdks() {
        // Computed with Node's crypto the way @clerk/shared's getCookieSuffix does.
        let instance = Instance {
            id: InstanceId::from_stored("ins_1"),
            environment: Environment::Development,
            frontend_host: "clerk.example.com".into(),
            settings: InstanceSettings::default(),
            created_at: 0,
        };
        assert_eq!(
            instance.publishable_key(),
            "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"
        );
        assert_eq!(instance.cookie_suffix(), "l2OS3d9k");
    }

    #[test]
    fn publishable_key_encodes_host_with_dollar_unpadded() {
        let pk = publishable_key(Environment::Development, "127.0.0.1:4001");
        assert!(pk.starts_with("pk_test_"));
        let decoded = STANDARD_NO_PAD
            .decode(pk.trim_start_matches("pk_test_"))
            .unwrap();
        assert_eq!(decoded, b"127.0.0.1:4001$");
        assert!(!pk.ends_with('='));
        assert_eq!(pk.split('_').count(), 3);
    }

    #[test]
    fn frontend_host_needs_a_dot() {
        assert!(validate_frontend_host("localhost:4001").is_err());
        assert!(validate_frontend_host("127.0.0.1:4001").is_ok());
        assert!(validate_frontend_host("https://a.b").is_err());
    }

    #[test]
    fn secret_keys_match_only_themselves() {
        let key = generate_secret_key(Environment::Development);
        validate_secret_key(&key).unwrap();
        let rec = SecretKeyRecord::new(&InstanceId::from_stored("ins_x"), &key, 0);
        assert!(rec.matches(&key));
        assert!(!rec.matches(&format!("{key}x")));
        assert!(!rec.matches(""));
        assert_eq!(rec.name, FIRST_SECRET_KEY_NAME);
        assert!(rec.is_valid_at(i64::MAX));
        let expiring = SecretKeyRecord {
            expires_at: Some(10),
            ..rec.clone()
        };
        assert!(expiring.is_valid_at(9));
        assert!(!expiring.is_valid_at(10));
        assert!(validate_secret_key_name("ci-2026.12_a").is_ok());
        for bad in ["", "a b", "ключ", &"x".repeat(65)] {
            assert!(validate_secret_key_name(bad).is_err(), "{bad}");
        }
        assert_eq!(rec.hint.len(), 4);
        assert!(validate_secret_key("sk_test_short").is_err());
        assert!(validate_secret_key("pk_test_aaaaaaaaaaaaaaaaaaaaaaaa").is_err());
    }
}
