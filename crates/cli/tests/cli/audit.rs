//! `usher audit`, items 16 and 18: the instance's JWT templates checked for personal data and
//! for long lifetimes without an `aud`, with the server stopped (the whole checklist is in
//! runbook_audit.rs).

use std::path::Path;

use crate::common::{create_instance, fails_in, ok_in, run_in, runtime};

/// The template items only.
const TEMPLATE_ITEMS: [&str; 2] = ["--item", "16,18"];

/// `usher audit --json` (whatever its exit code): its document.
fn audit_json(dir: &Path) -> Value {
    let out = run_in(dir, "audit", &["--json", "--item", "16,18"]);
    serde_json::from_slice(&out.stdout).unwrap()
}
use serde_json::{Value, json};
use usher_core::jwt_templates::TemplateInput;

fn create_template(dir: &Path, name: &str, claims: Value, lifetime: i64) {
    runtime().block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        usher_server::app::jwt_templates::create(
            &state,
            &ctx,
            TemplateInput {
                name: name.into(),
                claims,
                lifetime: Some(lifetime),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    })
}

#[test]
fn audit_reports_templates_that_ship_pii_or_live_long_without_aud() {
    let dir = tempfile::tempdir().unwrap();
    create_instance(dir.path());
    let clean = ok_in(dir.path(), "audit", &TEMPLATE_ITEMS);
    assert!(
        clean.contains("0 JWT template(s) and the session token template checked: nothing found"),
        "{clean}"
    );
    ok_in(dir.path(), "audit", &["--strict", "--item", "16,18"]);

    create_template(
        dir.path(),
        "hasura",
        json!({"aud": "h", "uid": "{{user.id}}"}),
        3600,
    );
    ok_in(dir.path(), "audit", &["--strict", "--item", "16,18"]);
    create_template(
        dir.path(),
        "leaky",
        json!({"contact": {"email": "{{user.primary_email_address}}"}, "name": "{{user.full_name || 'x'}}"}),
        600,
    );
    let out = audit_json(dir.path());
    let found: Vec<(&str, &str)> = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["template_name"].as_str().unwrap(),
                f["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("leaky", "template_ships_pii"),
            ("leaky", "template_ships_pii"),
            ("leaky", "template_long_lived_without_aud"),
        ]
    );
    let text = String::from_utf8(run_in(dir.path(), "audit", &TEMPLATE_ITEMS).stdout).unwrap();
    assert!(
        text.contains(
            "claim /contact/email carries personal data ({{user.primary_email_address}})"
        ),
        "{text}"
    );
    let err = fails_in(dir.path(), "audit", &TEMPLATE_ITEMS);
    assert!(err.contains("2 item(s) failed: 16, 18"), "{err}");
}

#[test]
fn session_claims_are_set_and_read_by_the_cli_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    create_instance(dir.path());
    let file = dir.path().join("claims.json");
    std::fs::write(&file, r#"{"sid": "x"}"#).unwrap();
    let path = file.to_str().unwrap();
    let err = fails_in(dir.path(), "instance", &["session-claims", "set", path]);
    assert!(
        err.contains("form_param_value_invalid") && err.contains("'sid'"),
        "{err}"
    );

    std::fs::write(
        &file,
        r#"{"email": "{{user.primary_email_address}}", "tier": "pro"}"#,
    )
    .unwrap();
    ok_in(dir.path(), "instance", &["session-claims", "set", path]);
    let got: Value = serde_json::from_str(&ok_in(
        dir.path(),
        "instance",
        &["session-claims", "get", "--json"],
    ))
    .unwrap();
    assert_eq!(
        got["claims"],
        json!({"email": "{{user.primary_email_address}}", "tier": "pro"})
    );
    assert_eq!(got["budget_bytes"], 1200);

    let out = audit_json(dir.path());
    assert_eq!(
        out["findings"],
        json!([{"template_id": null, "template_name": "session_token",
                "code": "template_ships_pii",
                "message": "claim /email carries personal data ({{user.primary_email_address}})"}])
    );
    fails_in(dir.path(), "audit", &["--strict", "--item", "16"]);
}
