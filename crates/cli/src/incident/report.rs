//! The post-incident report as Markdown: the template (summary, timeline, impact, actions taken
//! and by whom, open follow-ups with the standard prompts) filled in from [`Findings`]. No I/O.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use usher_core::audit::AuditEntry;
use usher_core::clock::Millis;

use crate::output::time;

/// What the database holds about the window, gathered by `gather`.
#[derive(Debug, Default)]
pub struct Findings {
    pub instance_id: String,
    pub since: Millis,
    pub until: Millis,
    pub generated_at: Millis,
    /// Notable moments, in time order.
    pub timeline: Vec<Entry>,
    pub impact: Impact,
    /// Audit entries of operators and of Usher itself, oldest first.
    pub actions: Vec<AuditEntry>,
    /// End users' own audited actions (sign-ins, sign-ups, profile changes): counted only.
    pub end_user_actions: usize,
    /// Follow-ups derived from the current state, each a sentence with the command to run.
    pub follow_ups: Vec<String>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: Millis,
    pub what: String,
    /// Who did it (`cli`, `secret_key:…`, `security`, …); none for what was observed.
    pub actor: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
pub struct Impact {
    pub users: usize,
    pub sessions: usize,
    pub organizations: usize,
    pub failed_sign_ins: i64,
    pub sign_ins: i64,
    pub sign_ups: i64,
    pub token_refreshes: i64,
    pub sessions_revoked: usize,
    /// Revoked sessions per audit action that revoked them.
    pub revoked_by_action: BTreeMap<String, usize>,
    pub webhook_attempts_failed: usize,
}

/// What an audited action means, in an operator's words; `None` for routine actions the
/// timeline leaves out (they stay in "Actions taken").
pub fn label(action: &str) -> Option<&'static str> {
    Some(match action {
        "security.sign_in_failure_spike" => {
            "Failed sign-ins spiked (usher.security.sign_in_failure_spike)"
        }
        "user.lockout" => "Account locked and signed out",
        "sessions.revoke" => "Emergency session revoke",
        "session.revoke" => "Session revoked",
        "user.delete" => "User deleted",
        "signing_key.emergency_rotate" => "Emergency signing key rotation (earlier keys retired)",
        "signing_key.rotate" => "Signing key rotated",
        "signing_key.retire" => "Signing key retired",
        "secret_key.rotate" => "Secret key rotated",
        "secret_key.revoke" => "Secret key revoked",
        "instance.settings.update" => "Instance settings changed",
        "instance.config.apply" => "Instance configuration applied",
        "instance.branding.update" => "Branding changed",
        "instance.session_claims.update" => "Session token claims changed",
        "webhook_endpoint.create" => "Webhook endpoint created",
        "webhook_endpoint.update" => "Webhook endpoint changed",
        "webhook_endpoint.delete" => "Webhook endpoint deleted",
        "webhook_endpoint.pause" => "Webhook endpoint paused",
        "webhook_endpoint.resume" => "Webhook endpoint resumed",
        "webhook_endpoint.disable" => "Webhook endpoint disabled after its failures",
        "webhook_endpoint.rotate_secret" => "Webhook signing secret rotated",
        "webhook_endpoint.replay" => "Webhook events replayed",
        "webhook_endpoint.resync" => "Webhook endpoint resynced",
        "webhook_message.retry" => "Webhook message retried",
        "api_key.revoke" => "API key revoked",
        "machine.secret_rotate" => "Machine secret key rotated",
        "actor_token.create" => "Impersonation token made",
        "impersonation.start" => "Impersonation session started",
        _ => return None,
    })
}

/// An actor that is an end user acting for themselves (not an operator, not Usher).
pub fn is_end_user(actor: &str) -> bool {
    actor.starts_with("client:") || actor.starts_with("user:") || actor == "dev_browser"
}

fn plural(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The report.
pub fn render(f: &Findings) -> String {
    let mut md = String::new();
    let i = &f.impact;
    let _ = writeln!(
        md,
        "# Post-incident report: {} to {}\n",
        time(Some(f.since)),
        time(Some(f.until))
    );
    let _ = writeln!(
        md,
        "Instance `{}`; generated {} by `usher incident report` from the database (the audit log, the events, the webhook deliveries, the hourly activity counters).\n",
        f.instance_id,
        time(Some(f.generated_at))
    );
    let _ = writeln!(md, "## Summary\n");
    let _ = writeln!(
        md,
        "{} in the window: {}, {}, {} affected; {}; {}; {} by operators or by Usher.\n",
        plural(f.timeline.len() as i64, "notable moment", "notable moments"),
        plural(i.users as i64, "user", "users"),
        plural(i.sessions as i64, "session", "sessions"),
        plural(i.organizations as i64, "organization", "organizations"),
        plural(i.failed_sign_ins, "failed sign-in", "failed sign-ins"),
        plural(
            i.sessions_revoked as i64,
            "session revoked",
            "sessions revoked"
        ),
        plural(f.actions.len() as i64, "action", "actions"),
    );

    let _ = writeln!(md, "## Timeline\n");
    if f.timeline.is_empty() {
        let _ = writeln!(md, "Nothing notable is recorded in the window.");
    }
    for e in &f.timeline {
        let by = e
            .actor
            .as_deref()
            .map_or_else(String::new, |a| format!(" — by `{a}`"));
        let _ = writeln!(md, "- {} — {}{by}", time(Some(e.at)), e.what);
    }

    let _ = writeln!(md, "\n## Impact\n");
    let _ = writeln!(md, "- Users affected: {}", i.users);
    let _ = writeln!(md, "- Sessions affected: {}", i.sessions);
    let _ = writeln!(md, "- Organizations affected: {}", i.organizations);
    let _ = writeln!(
        md,
        "- Failed sign-ins: {} (hourly counters: whole hours overlapping the window)",
        i.failed_sign_ins
    );
    let _ = writeln!(
        md,
        "- Sign-ins: {}; sign-ups: {}; token refreshes: {}",
        i.sign_ins, i.sign_ups, i.token_refreshes
    );
    let by_action = if i.revoked_by_action.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = i
            .revoked_by_action
            .iter()
            .map(|(a, n)| format!("`{a}` {n}"))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    let _ = writeln!(md, "- Sessions revoked: {}{by_action}", i.sessions_revoked);
    let _ = writeln!(
        md,
        "- Failed webhook attempts: {}",
        i.webhook_attempts_failed
    );

    let _ = writeln!(md, "\n## Actions taken and by whom\n");
    if f.actions.is_empty() {
        let _ = writeln!(
            md,
            "No operator or system action is recorded in the window."
        );
    }
    for a in &f.actions {
        let target = a
            .target_id
            .as_deref()
            .map_or_else(String::new, |t| format!(" `{t}`"));
        let _ = writeln!(
            md,
            "1. {} — `{}`{target} — by `{}`",
            time(Some(a.at)),
            a.action,
            a.actor
        );
    }
    if f.end_user_actions > 0 {
        let _ = writeln!(
            md,
            "\n{} by end users (sign-ins, sign-ups, their own changes) are in the audit log and not listed here.",
            plural(f.end_user_actions as i64, "action", "actions")
        );
    }

    let _ = writeln!(md, "\n## Open follow-ups\n");
    for item in &f.follow_ups {
        let _ = writeln!(md, "- [ ] {item}");
    }
    for prompt in [
        "Root cause: _what made this possible, and why then?_",
        "Detection: _how was it noticed, and how could it be noticed sooner (alerts on `usher_sign_in_failures`, `usher_webhook_oldest_undelivered_age_seconds`, `usher doctor`)?_",
        "Prevention: _what change keeps it from happening again, who owns it, by when?_",
        "Communication: _who was told (users, customers, the team), and what?_",
    ] {
        let _ = writeln!(md, "- [ ] {prompt}");
    }
    md
}

#[cfg(test)]
mod tests {
    use usher_core::ids::{AuditId, InstanceId};

    use super::*;

    const T: Millis = 1_796_630_400_000; // 2026-12-07T08:00:00Z

    fn entry(at: Millis, action: &str, actor: &str, target: Option<&str>) -> AuditEntry {
        AuditEntry {
            id: AuditId::new(),
            instance_id: InstanceId::from_stored("ins_x"),
            actor: actor.into(),
            action: action.into(),
            target_id: target.map(str::to_owned),
            trace_id: None,
            client_ip: None,
            at,
            seq: 0,
        }
    }

    #[test]
    fn the_template_is_filled_in() {
        let mut impact = Impact {
            users: 2,
            sessions: 3,
            failed_sign_ins: 12,
            sessions_revoked: 3,
            ..Impact::default()
        };
        impact.revoked_by_action.insert("sessions.revoke".into(), 3);
        let f = Findings {
            instance_id: "ins_x".into(),
            since: T,
            until: T + 3_600_000,
            generated_at: T + 3_600_000,
            timeline: vec![
                Entry {
                    at: T + 1000,
                    what: "12 failed sign-ins".into(),
                    actor: None,
                },
                Entry {
                    at: T + 2000,
                    what: "Account locked and signed out `user_a`".into(),
                    actor: Some("cli".into()),
                },
            ],
            impact,
            actions: vec![entry(T + 2000, "user.lockout", "cli", Some("user_a"))],
            end_user_actions: 5,
            follow_ups: vec!["user_a is still locked".into()],
        };
        let md = render(&f);
        assert!(
            md.starts_with(
                "# Post-incident report: 2026-12-07T08:00:00Z to 2026-12-07T09:00:00Z\n"
            )
        );
        assert!(md.contains("2 notable moments in the window: 2 users, 3 sessions, 0 organizations affected; 12 failed sign-ins; 3 sessions revoked; 1 action by operators or by Usher."), "{md}");
        let first = md
            .find("- 2026-12-07T08:00:01Z — 12 failed sign-ins\n")
            .unwrap();
        let second = md
            .find("- 2026-12-07T08:00:02Z — Account locked and signed out `user_a` — by `cli`\n")
            .unwrap();
        assert!(first < second);
        assert!(md.contains("- Sessions revoked: 3 (`sessions.revoke` 3)"));
        assert!(md.contains("1. 2026-12-07T08:00:02Z — `user.lockout` `user_a` — by `cli`"));
        assert!(md.contains("5 actions by end users"));
        assert!(md.contains("- [ ] user_a is still locked\n"));
        assert!(md.contains("- [ ] Root cause:"));
        assert!(md.contains("- [ ] Prevention:"));
    }

    #[test]
    fn an_empty_window_says_so() {
        let md = render(&Findings::default());
        assert!(md.contains("Nothing notable is recorded in the window."));
        assert!(md.contains("No operator or system action is recorded in the window."));
    }

    #[test]
    fn labels_and_end_users() {
        assert_eq!(label("sessions.revoke"), Some("Emergency session revoke"));
        assert_eq!(label("sign_in.create"), None);
        assert!(is_end_user("client:client_1") && is_end_user("user:user_1"));
        assert!(!is_end_user("cli") && !is_end_user("secret_key:sk_1") && !is_end_user("security"));
    }
}
