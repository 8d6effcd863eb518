//! The instance policy flags of `usher serve` (and `usher config list|get`, which reads the
//! same flags and `USHER_*` variables to show what a server started with them overrides).
//! A flag given overrides the stored setting on the server it is given to only: it is never
//! written to the database, and its source shows as `flag`.

use usher_server::config::PolicyOverrides;

const DAY_MS: i64 = 24 * 3600 * 1000;

#[derive(clap::Args, Clone, Default)]
pub struct PolicyArgs {
    /// Client Trust: confirm password-only sign-ins from a new device with an emailed code.
    #[arg(long, env = "USHER_CLIENT_TRUST")]
    pub client_trust: Option<bool>,
    /// Days without use after which a session ends (default 7).
    #[arg(long, env = "USHER_SESSION_INACTIVITY_DAYS")]
    pub session_inactivity_days: Option<u32>,
    /// Days after which a session ends however it is used (default 7).
    #[arg(long, env = "USHER_SESSION_MAX_LIFETIME_DAYS")]
    pub session_max_lifetime_days: Option<u32>,
    /// Sign the user's other sessions out on a password change or MFA enrolment (default true).
    #[arg(long, env = "USHER_SIGN_OUT_ON_SECURITY_CHANGE")]
    pub sign_out_on_security_change: Option<bool>,
    /// Failed sign-in attempts that lock an account (default 100).
    #[arg(long, env = "USHER_LOCKOUT_ATTEMPTS")]
    pub lockout_attempts: Option<u32>,
    /// How long a lockout lasts, in minutes (default 60).
    #[arg(long, env = "USHER_LOCKOUT_MINUTES")]
    pub lockout_minutes: Option<u32>,
    /// Sign-in does not reveal whether an identifier has an account (default false, as Clerk).
    #[arg(long, env = "USHER_ENUMERATION_PROTECTION")]
    pub enumeration_protection: Option<bool>,
    /// Organizations on the Frontend API (default false, as Clerk).
    #[arg(long, env = "USHER_ORGANIZATIONS")]
    pub organizations: Option<bool>,
    /// Organization domains on the Frontend API, verified by an emailed code (default false, as
    /// Clerk; needs --organizations).
    #[arg(long, env = "USHER_ORGANIZATION_DOMAINS")]
    pub organization_domains: Option<bool>,
    /// Every session needs an active organization: without one it is pending with the
    /// choose-organization task (default false; needs --organizations true).
    #[arg(long, env = "USHER_FORCE_ORGANIZATION_SELECTION")]
    pub force_organization_selection: Option<bool>,
    /// Degraded mode: while the database is unreachable or slow, signed-in sessions this node
    /// refreshed recently keep getting tokens (default true).
    #[arg(long, env = "USHER_DEGRADED_MODE")]
    pub degraded_mode: Option<bool>,
    /// How long after the database last confirmed a session degraded mode may serve it, in
    /// seconds (default 900).
    #[arg(long, env = "USHER_DEGRADED_MODE_WINDOW_SECS")]
    pub degraded_mode_window_secs: Option<u32>,
    /// A token read slower than this, in milliseconds, counts as the database being down
    /// (default 1000).
    #[arg(long, env = "USHER_DEGRADED_MODE_DB_TIMEOUT_MS")]
    pub degraded_mode_db_timeout_ms: Option<u32>,
}

impl PolicyArgs {
    pub fn overrides(&self) -> PolicyOverrides {
        PolicyOverrides {
            client_trust: self.client_trust,
            session_inactivity_ms: self.session_inactivity_days.map(|d| i64::from(d) * DAY_MS),
            session_max_lifetime_ms: self
                .session_max_lifetime_days
                .map(|d| i64::from(d) * DAY_MS),
            sign_out_other_sessions_on_security_change: self.sign_out_on_security_change,
            lockout_attempts: self.lockout_attempts.map(i64::from),
            lockout_duration_secs: self.lockout_minutes.map(|m| i64::from(m) * 60),
            enumeration_protection: self.enumeration_protection,
            organizations_enabled: self.organizations,
            organization_domains_enabled: self.organization_domains,
            force_organization_selection: self.force_organization_selection,
            degraded_mode_enabled: self.degraded_mode,
            degraded_mode_window_secs: self.degraded_mode_window_secs.map(i64::from),
            degraded_mode_db_timeout_ms: self.degraded_mode_db_timeout_ms.map(i64::from),
        }
    }
}
