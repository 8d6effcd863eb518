//! The checklist items judged from the instance: pure functions over a [`Snapshot`] of its
//! effective settings, secret keys, webhook endpoints, templates and (with `--api-url`) the
//! running server's flags.

use usher_core::instance::InstanceSettings;
use usher_core::jwt_templates::lint::SHORT_LIFETIME_SECS;
use usher_core::webhooks::catalog::SIGN_IN_FAILURE_SPIKE;

use super::items::{Check, Limits, Status, human_ms};

const DAY_MS: i64 = 24 * 3600 * 1000;
/// A drift review older than a quarter is overdue.
pub const BASELINE_MAX_AGE_MS: i64 = 92 * DAY_MS;

/// What the instance-side items are judged on.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub now: i64,
    pub production: bool,
    pub settings: InstanceSettings,
    /// Where the allowed origins come from: `default`, `database` or `flag`.
    pub origins_source: String,
    /// The running server's flags, read with `--api-url`.
    pub node: Option<NodeFlags>,
    pub secret_keys: Vec<SecretKey>,
    pub webhooks: Vec<Endpoint>,
    pub templates: Vec<Template>,
    /// Personal data the session token template carries (lint messages).
    pub session_claim_pii: Vec<String>,
    pub baseline: Option<Baseline>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeFlags {
    pub url: String,
    pub cookie_same_site: String,
    pub cookie_secure: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecretKey {
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: String,
    /// Delivering (not paused or disabled).
    pub active: bool,
    /// The event types it takes; empty: every event.
    pub events: Vec<String>,
}

impl Endpoint {
    fn accepts(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub name: String,
    pub lifetime: i64,
    pub has_aud: bool,
    /// Personal data its claims carry (lint messages).
    pub pii: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// The file could not be read or compared.
    Unusable { path: String, error: String },
    Compared {
        path: String,
        age_ms: i64,
        /// The paths (`settings.<key>`, `branding.<field>`, `session_claims`) that differ.
        differences: Vec<String>,
    },
}

/// Every item the instance can speak to. Items judged only from the app's source are left out
/// (the report says to run with `--app`).
pub fn check(s: &Snapshot, limits: &Limits, profile: &str) -> Vec<Check> {
    let mut out = vec![
        test_keys(s),
        allowed_origins(s),
        key_age(s, limits, profile),
        session_limits(s, limits, profile),
        security_change(s),
        same_site(s),
        alerts(s),
        drift(s),
        template_claims(s),
        lifetimes(s, limits, profile),
    ];
    out.extend(webhook_items(s));
    out.extend(audience(s));
    out
}

fn test_keys(s: &Snapshot) -> Check {
    if s.production {
        Check::pass(
            2,
            "instance: a production instance (pk_live_/sk_live_ keys)",
        )
    } else {
        Check::new(
            2,
            Status::Fail,
            "instance: a development instance: its keys are pk_test_/sk_test_ and any localhost origin may use its Frontend API",
            "serve production from a production instance: usher serve --environment production --data-dir /var/lib/usher-prod (then usher export / usher import the users)",
        )
    }
}

fn allowed_origins(s: &Snapshot) -> Check {
    let fix = "usher config set allowed_origins https://app.example.com (exact https origins, comma-separated)";
    let origins = &s.settings.allowed_origins;
    let plain: Vec<String> = origins
        .iter()
        .filter(|o| o.starts_with("http://") && !is_loopback(o))
        .cloned()
        .collect();
    let source = &s.origins_source;
    if !plain.is_empty() {
        return Check::new(
            3,
            Status::Fail,
            format!(
                "instance: plain-http origin(s) allowed ({source}): {}: their pages and cookies travel unencrypted",
                plain.join(", ")
            ),
            fix,
        )
        .with_evidence(plain);
    }
    if !s.production {
        return Check::new(
            3,
            Status::Fail,
            "instance: a development instance lets any localhost origin call its Frontend API",
            "use a production instance (usher serve --environment production) with its allowed origins set",
        );
    }
    if origins.is_empty() {
        return Check::new(
            3,
            Status::Fail,
            "instance: no allowed origins are set: no list to review (browsers can use only the Frontend API's own host)",
            fix,
        );
    }
    if origins.iter().any(|o| is_loopback(o)) {
        return Check::new(
            3,
            Status::Fail,
            format!(
                "instance: a localhost origin is allowed in production ({source}): {}",
                origins.join(", ")
            ),
            fix,
        );
    }
    Check::pass(
        3,
        format!(
            "instance: {} exact origin(s) ({source}): {}",
            origins.len(),
            origins.join(", ")
        ),
    )
}

fn is_loopback(origin: &str) -> bool {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.ends_with(".localhost")
}

fn key_age(s: &Snapshot, limits: &Limits, profile: &str) -> Check {
    let accepted = s
        .secret_keys
        .iter()
        .filter(|k| k.expires_at.is_none_or(|t| t > s.now));
    let Some(oldest) = accepted.min_by_key(|k| k.created_at) else {
        return Check::new(
            4,
            Status::NotApplicable,
            "instance: no secret key is accepted",
            "",
        );
    };
    let age = s.now.saturating_sub(oldest.created_at);
    let limit = limits.secret_key_age_ms;
    let said = format!(
        "instance: the oldest accepted secret key, {:?}, is {} old (limit {} for {profile})",
        oldest.name,
        age_text(age),
        human_ms(limit)
    );
    if age > limit {
        Check::new(4, Status::Fail, said, "usher keys rotate-secret --overlap 24h (deploy the new key everywhere, then the old one expires); on a leak: --overlap 0s")
            .with_evidence(vec![format!("secret key {}", oldest.name)])
    } else {
        Check::pass(
            4,
            format!("{said}; rotate with usher keys rotate-secret when someone leaves"),
        )
    }
}

fn age_text(ms: i64) -> String {
    if ms >= DAY_MS {
        format!("{} d", ms / DAY_MS)
    } else {
        format!("{} s", ms / 1000)
    }
}

fn session_limits(s: &Snapshot, limits: &Limits, profile: &str) -> Check {
    let st = &s.settings;
    let mut over = Vec::new();
    let mut fixes = Vec::new();
    if st.session_inactivity_ms > limits.session_inactivity_ms {
        over.push(format!(
            "inactivity {} (limit {})",
            human_ms(st.session_inactivity_ms),
            human_ms(limits.session_inactivity_ms)
        ));
        fixes.push(format!(
            "usher config set session_inactivity_ms {}",
            limits.session_inactivity_ms
        ));
    }
    if st.session_max_lifetime_ms > limits.session_max_lifetime_ms {
        over.push(format!(
            "lifetime {} (limit {})",
            human_ms(st.session_max_lifetime_ms),
            human_ms(limits.session_max_lifetime_ms)
        ));
        fixes.push(format!(
            "usher config set session_max_lifetime_ms {}",
            limits.session_max_lifetime_ms
        ));
    }
    if over.is_empty() {
        Check::pass(
            5,
            format!(
                "instance: sessions end after {} unused and {} at most (within {profile})",
                human_ms(st.session_inactivity_ms),
                human_ms(st.session_max_lifetime_ms)
            ),
        )
    } else {
        Check::new(
            5,
            Status::Fail,
            format!(
                "instance: sessions last longer than the {profile} profile allows: {}",
                over.join(", ")
            ),
            fixes.join(" and "),
        )
    }
}

fn security_change(s: &Snapshot) -> Check {
    if s.settings.sign_out_other_sessions_on_security_change {
        Check::pass(
            6,
            "instance: sign_out_other_sessions_on_security_change is on: a password change or MFA enrolment signs the user's other sessions out (an email change does not: revoke sessions in the app if email is a credential there)",
        )
    } else {
        Check::new(
            6,
            Status::Fail,
            "instance: sign_out_other_sessions_on_security_change is off: a stolen session survives the victim's password or MFA change",
            "usher config set sign_out_other_sessions_on_security_change true",
        )
    }
}

fn same_site(s: &Snapshot) -> Check {
    let Some(node) = &s.node else {
        return Check::new(
            8,
            Status::Unknown,
            "instance: SameSite is a serve flag: run with --api-url to check the running server's flags",
            "usher audit --api-url https://usher-api.internal:4000 --secret-key sk_… (or USHER_API_URL / USHER_SECRET_KEY)",
        );
    };
    let insecure = if node.cookie_secure {
        ""
    } else {
        " (and without Secure)"
    };
    match node.cookie_same_site.to_ascii_lowercase().as_str() {
        "lax" | "strict" if node.cookie_secure => Check::pass(
            8,
            format!(
                "instance: the server at {} sets its cookies SameSite={} and Secure",
                node.url, node.cookie_same_site
            ),
        ),
        _ => Check::new(
            8,
            Status::Fail,
            format!(
                "instance: the server at {} sets its cookies SameSite={}{insecure}",
                node.url, node.cookie_same_site
            ),
            "restart it with --cookie-same-site lax (or strict) and without --insecure-cookies",
        ),
    }
}

fn alerts(s: &Snapshot) -> Check {
    let routed: Vec<String> = s
        .webhooks
        .iter()
        .filter(|e| e.active && e.accepts(SIGN_IN_FAILURE_SPIKE))
        .map(|e| e.id.clone())
        .collect();
    if routed.is_empty() {
        let idle = s
            .webhooks
            .iter()
            .any(|e| !e.active && e.accepts(SIGN_IN_FAILURE_SPIKE));
        let reason = if idle {
            format!(
                "instance: the only endpoints taking {SIGN_IN_FAILURE_SPIKE} are paused or disabled"
            )
        } else {
            format!(
                "instance: no webhook endpoint receives {SIGN_IN_FAILURE_SPIKE}: a credential-stuffing storm goes unnoticed"
            )
        };
        Check::new(
            19,
            Status::Fail,
            reason,
            format!(
                "usher webhooks create --url https://alerts.example.com/usher --event {SIGN_IN_FAILURE_SPIKE}"
            ),
        )
    } else {
        Check::pass(
            19,
            format!(
                "instance: {SIGN_IN_FAILURE_SPIKE} is delivered to {}",
                routed.join(", ")
            ),
        )
        .with_evidence(routed)
    }
}

fn drift(s: &Snapshot) -> Check {
    let review = "review the differences (usher config diff FILE), then record the reviewed state: usher config export FILE";
    match &s.baseline {
        None => Check::new(
            20,
            Status::Unknown,
            "instance: no last-known-good file: run with --baseline FILE (written by usher config export)",
            "usher config export baseline.json, reviewed and kept; then usher audit --baseline baseline.json",
        ),
        Some(Baseline::Unusable { path, error }) => Check::new(
            20,
            Status::Fail,
            format!("instance: the baseline {path} cannot be compared: {error}"),
            "usher config export FILE writes a baseline",
        ),
        Some(Baseline::Compared {
            path,
            age_ms,
            differences,
        }) => {
            let age = format!("{} d old", age_ms / DAY_MS);
            if !differences.is_empty() {
                Check::new(
                    20,
                    Status::Fail,
                    format!(
                        "instance: the live configuration differs from the baseline {path} ({age}) in {}",
                        differences.join(", ")
                    ),
                    review,
                )
                .with_evidence(differences.clone())
            } else if *age_ms > BASELINE_MAX_AGE_MS {
                Check::new(
                    20,
                    Status::Fail,
                    format!(
                        "instance: the baseline {path} matches but is {age}: the quarterly review is overdue"
                    ),
                    review,
                )
            } else {
                Check::pass(
                    20,
                    format!("instance: the live configuration equals the baseline {path} ({age})"),
                )
            }
        }
    }
}

fn template_claims(s: &Snapshot) -> Check {
    let mut found = Vec::new();
    for t in &s.templates {
        found.extend(t.pii.iter().map(|m| format!("{}: {m}", t.name)));
    }
    found.extend(
        s.session_claim_pii
            .iter()
            .map(|m| format!("session token template: {m}")),
    );
    if found.is_empty() {
        Check::pass(
            16,
            format!(
                "instance: {} JWT template(s) and the session token template checked: nothing found",
                s.templates.len()
            ),
        )
    } else {
        Check::new(
            16,
            Status::Fail,
            format!(
                "instance: personal data any token holder can read: {}",
                found.join("; ")
            ),
            "drop the claim, or send an id and let the receiver look the person up (PATCH /v1/jwt_templates/{id}; usher instance session-claims set FILE)",
        )
        .with_evidence(found)
    }
}

fn lifetimes(s: &Snapshot, limits: &Limits, profile: &str) -> Check {
    let mut over = Vec::new();
    if s.settings.session_token_lifetime_secs > limits.session_token_secs {
        over.push(format!(
            "session tokens {} s (limit {} s)",
            s.settings.session_token_lifetime_secs, limits.session_token_secs
        ));
    }
    for t in &s.templates {
        if t.lifetime > limits.template_lifetime_secs {
            over.push(format!(
                "template {} {} s (limit {} s)",
                t.name, t.lifetime, limits.template_lifetime_secs
            ));
        }
    }
    if over.is_empty() {
        Check::pass(
            17,
            format!(
                "instance: session tokens live {} s and every template within {} s ({profile})",
                s.settings.session_token_lifetime_secs, limits.template_lifetime_secs
            ),
        )
    } else {
        Check::new(
            17,
            Status::Fail,
            format!("instance: tokens outlive the {profile} profile: {}", over.join(", ")),
            format!(
                "PATCH /v1/jwt_templates/{{id}} with {{\"lifetime\": {}}}; usher config set session_token_lifetime_secs {}",
                limits.template_lifetime_secs, limits.session_token_secs
            ),
        )
        .with_evidence(over)
    }
}

/// Items 9–12: Usher signs every delivery (Svix headers); what the receiver does is in its
/// source. Without endpoints there is nothing to verify; item 12 needs `user.deleted` delivered.
fn webhook_items(s: &Snapshot) -> Vec<Check> {
    if s.webhooks.is_empty() {
        let none = "instance: no webhook endpoint: nothing is delivered to verify";
        return vec![
            Check::new(9, Status::NotApplicable, none, ""),
            Check::new(10, Status::NotApplicable, none, ""),
            Check::new(11, Status::NotApplicable, none, ""),
            Check::new(
                12,
                Status::Unknown,
                "instance: no webhook endpoint: an app keeping copies of user data never hears of user.deleted",
                "usher webhooks create --url https://app.example.com/api/webhooks --event user.deleted",
            ),
        ];
    }
    let deleted: Vec<String> = s
        .webhooks
        .iter()
        .filter(|e| e.active && e.accepts("user.deleted"))
        .map(|e| e.id.clone())
        .collect();
    if deleted.is_empty() {
        vec![Check::new(
            12,
            Status::Fail,
            "instance: no active webhook endpoint receives user.deleted: copies of a deleted user's data downstream are never told to go",
            "usher webhooks update ep_… --event user.deleted … (or usher webhooks create --url … --event user.deleted)",
        )]
    } else {
        vec![Check::new(
            12,
            Status::Unknown,
            format!(
                "instance: user.deleted is delivered to {}; whether the handler deletes the data is seen with --app",
                deleted.join(", ")
            ),
            "usher audit --app ./path/to/app",
        )]
    }
}

/// Item 18's instance half: a template living over a minute names its audience.
fn audience(s: &Snapshot) -> Option<Check> {
    if s.templates.is_empty() {
        return Some(Check::new(
            18,
            Status::NotApplicable,
            "instance: no JWT templates (session tokens are bound by azp, not aud)",
            "",
        ));
    }
    let without: Vec<String> = s
        .templates
        .iter()
        .filter(|t| t.lifetime > SHORT_LIFETIME_SECS && !t.has_aud)
        .map(|t| format!("{} ({} s)", t.name, t.lifetime))
        .collect();
    if without.is_empty() {
        Some(Check::pass(
            18,
            format!(
                "instance: every template living over {SHORT_LIFETIME_SECS} s names its aud (the receivers' check is seen with --app)"
            ),
        ))
    } else {
        Some(
            Check::new(
                18,
                Status::Fail,
                format!(
                    "instance: template(s) living over {SHORT_LIFETIME_SECS} s without aud: {}: any service accepting one accepts them all",
                    without.join(", ")
                ),
                "add an \"aud\" claim naming the receiving service (PATCH /v1/jwt_templates/{id}) and verify it there",
            )
            .with_evidence(without),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::items::Profile;
    use super::*;

    fn find(checks: &[Check], id: u8) -> &Check {
        checks.iter().find(|c| c.id == id).unwrap()
    }

    fn good() -> Snapshot {
        let mut settings = InstanceSettings {
            session_inactivity_ms: 30 * 60_000,
            allowed_origins: vec!["https://app.example.com".into()],
            ..Default::default()
        };
        settings.session_max_lifetime_ms = 7 * DAY_MS;
        Snapshot {
            now: 400 * DAY_MS,
            production: true,
            settings,
            origins_source: "database".into(),
            node: Some(NodeFlags {
                url: "http://x".into(),
                cookie_same_site: "Lax".into(),
                cookie_secure: true,
            }),
            secret_keys: vec![SecretKey {
                name: "k".into(),
                created_at: 399 * DAY_MS,
                expires_at: None,
            }],
            webhooks: vec![Endpoint {
                id: "ep_1".into(),
                active: true,
                events: vec![],
            }],
            templates: vec![Template {
                name: "t".into(),
                lifetime: 60,
                has_aud: false,
                pii: vec![],
            }],
            session_claim_pii: vec![],
            baseline: Some(Baseline::Compared {
                path: "b.json".into(),
                age_ms: DAY_MS,
                differences: vec![],
            }),
        }
    }

    #[test]
    fn a_hardened_instance_fails_nothing() {
        let checks = check(&good(), &Profile::Saas.limits(), "saas");
        assert!(
            checks.iter().all(|c| c.status != Status::Fail),
            "{checks:#?}"
        );
        for id in [2, 3, 4, 5, 6, 8, 16, 17, 18, 19, 20] {
            assert_eq!(find(&checks, id).status, Status::Pass, "{id}");
        }
    }

    #[test]
    fn each_instance_item_fails_for_its_reason() {
        let mut s = good();
        s.production = false;
        s.settings.allowed_origins = vec!["http://app.example.com".into()];
        s.settings.session_inactivity_ms = 7 * DAY_MS;
        s.settings.sign_out_other_sessions_on_security_change = false;
        s.node = Some(NodeFlags {
            url: "u".into(),
            cookie_same_site: "None".into(),
            cookie_secure: true,
        });
        s.secret_keys[0].created_at = 0;
        s.webhooks[0].events = vec!["user.created".into()];
        s.templates = vec![Template {
            name: "long".into(),
            lifetime: 3600,
            has_aud: false,
            pii: vec!["claim /email carries personal data".into()],
        }];
        s.baseline = Some(Baseline::Compared {
            path: "b.json".into(),
            age_ms: 200 * DAY_MS,
            differences: vec![],
        });
        let checks = check(&s, &Profile::Saas.limits(), "saas");
        for (id, says) in [
            (2, "development instance"),
            (3, "plain-http origin"),
            (4, "400 d old"),
            (5, "inactivity 7 d (limit 30 min)"),
            (6, "is off"),
            (8, "SameSite=None"),
            (12, "no active webhook endpoint receives user.deleted"),
            (16, "claim /email"),
            (17, "template long 3600 s"),
            (18, "long (3600 s)"),
            (19, "no webhook endpoint receives"),
            (20, "overdue"),
        ] {
            let c = find(&checks, id);
            assert_eq!(c.status, Status::Fail, "{id}: {c:?}");
            assert!(c.reason.contains(says), "{id}: {}", c.reason);
            assert!(!c.fix.is_empty(), "{id}");
        }
        assert!(
            find(&checks, 5)
                .fix
                .contains("session_inactivity_ms 1800000")
        );
    }

    #[test]
    fn what_cannot_be_seen_is_unknown_or_not_applicable() {
        let mut s = good();
        s.node = None;
        s.baseline = None;
        s.webhooks.clear();
        s.templates.clear();
        let checks = check(&s, &Profile::Banking.limits(), "banking");
        assert_eq!(find(&checks, 8).status, Status::Unknown);
        assert!(find(&checks, 8).reason.contains("--api-url"));
        assert_eq!(find(&checks, 20).status, Status::Unknown);
        assert_eq!(find(&checks, 9).status, Status::NotApplicable);
        assert_eq!(find(&checks, 18).status, Status::NotApplicable);
        // Banking is stricter: 30 minutes of inactivity is too long there.
        assert_eq!(find(&checks, 5).status, Status::Fail);
    }

    #[test]
    fn origins_in_production_must_be_listed_and_remote() {
        let mut s = good();
        s.settings.allowed_origins.clear();
        assert_eq!(
            find(&check(&s, &Profile::Saas.limits(), "saas"), 3).status,
            Status::Fail
        );
        s.settings.allowed_origins = vec!["http://localhost:3000".into()];
        let c = check(&s, &Profile::Saas.limits(), "saas");
        assert!(
            find(&c, 3).reason.contains("localhost origin"),
            "{:?}",
            find(&c, 3)
        );
    }
}
