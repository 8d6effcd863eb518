//! `usher emails` as a developer runs it: the codes the server queued, read from the database.

use std::path::Path;

use crate::common::{create_instance, ok_in, run_in, runtime, stored};

use usher_core::mail::{MailTemplate, compose};
use usher_core::store::{Changeset, Write};

/// Queues two codes as the server would (the store's commit), with the server stopped.
fn queue_codes(dir: &Path) -> (String, String) {
    let rt = runtime();
    rt.block_on(async {
        let (store, ins) = stored(dir).await;
        let mut ids = Vec::new();
        for (to, code, at) in [
            ("jane@example.com", "123456", 1_000),
            ("bob@example.com", "654321", 2_000),
        ] {
            let msg = compose(
                &MailTemplate::VerificationCode { code: code.into() },
                None,
                "Acme",
                to,
                None,
                None,
                at,
            );
            ids.push(msg.id.clone());
            let mut cs = Changeset::default();
            cs.push(Write::InsertEmail(msg));
            store.commit(&ins, cs).await.unwrap();
        }
        (ids[0].to_string(), ids[1].to_string())
    })
}

#[test]
fn usher_emails_lists_the_queued_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run_in(d, "emails", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `usher serve` first"));

    create_instance(d);
    let empty: serde_json::Value = serde_json::from_str(&ok_in(d, "emails", &["--json"])).unwrap();
    assert_eq!(empty, serde_json::json!({"data": [], "total_count": 0}));

    let (jane, bob) = queue_codes(d);
    let all: serde_json::Value = serde_json::from_str(&ok_in(d, "emails", &["--json"])).unwrap();
    assert_eq!(all["total_count"], 2);
    assert_eq!(all["data"][0]["id"], bob.as_str(), "newest first");
    assert_eq!(all["data"][1]["id"], jane.as_str());
    assert_eq!(all["data"][1]["object"], "email");
    assert_eq!(all["data"][1]["status"], "queued");
    assert_eq!(all["data"][1]["data"]["otp_code"], "123456");

    let only: serde_json::Value =
        serde_json::from_str(&ok_in(d, "emails", &["--json", "--to", "JANE@example.com"])).unwrap();
    assert_eq!(only["total_count"], 1);
    assert_eq!(only["data"][0]["id"], jane.as_str());
    let one: serde_json::Value =
        serde_json::from_str(&ok_in(d, "emails", &["--json", "--limit", "1"])).unwrap();
    assert_eq!(one["total_count"], 2);
    assert_eq!(one["data"].as_array().unwrap().len(), 1);

    let text = ok_in(d, "emails", &[]);
    assert!(text.starts_with("2 emails\n"), "{text}");
    assert!(
        text.contains("queued   jane@example.com  123456 is your verification code"),
        "{text}"
    );
    assert!(text.find(&bob).unwrap() < text.find(&jane).unwrap());
    let text = ok_in(d, "emails", &["--to", "nobody@example.com"]);
    assert_eq!(text, "0 emails to nobody@example.com\n");
    assert!(!run_in(d, "emails", &["--limit", "0"]).status.success());
}
