//! The templates and domains pages: an unknown variable refused beside the form, a preview of
//! the draft (support may preview, not save), save, delivery switch, revert after a
//! confirmation; a satellite domain added (a bad name refused inline) and deleted after a
//! confirmation. Every write needs the CSRF token and the admin role, and is audited as the
//! operator.

use serde_json::Value;
use usher_core::operators::Role;

use super::{Desk, spawn};
use crate::common::Browser;

const PAGE: &str = "/dashboard/templates/email/verification_code";

impl Desk {
    async fn admin_and_support(&self) -> (Browser, Browser) {
        let admin = self.operator("ada@example.com", Role::Admin).await;
        let support = self.operator("sam@example.com", Role::Support).await;
        let a = self.sign_in("ada@example.com", &admin).await;
        let s = self.sign_in("sam@example.com", &support).await;
        (a, s)
    }

    async fn api(&self, path: &str) -> Value {
        self.app.get(path).await.ok().clone()
    }

    async fn audited_by(&self, action: &str) -> Vec<String> {
        let s = &self.app.running.state;
        s.store
            .audit_log(&s.instance.id, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.action == action)
            .map(|a| a.actor)
            .collect()
    }
}

#[tokio::test]
async fn templates_are_edited_previewed_toggled_and_reverted_from_the_dashboard() {
    let d = spawn().await;
    let (mut admin, mut support) = d.admin_and_support().await;

    let list = support.open("/dashboard/templates").await;
    list.expect(200);
    assert!(
        list.body.contains("href=\"/dashboard/templates\""),
        "in the navigation"
    );
    assert!(list.body.contains(PAGE));
    assert!(
        list.body
            .contains("/dashboard/templates/sms/verification_code")
    );

    // Support previews, but has no save button and cannot save.
    let page = support.open(PAGE).await;
    page.expect(200);
    assert!(!page.body.contains("value=\"save\""));
    let draft = [
        ("subject", "Code {{otp_code}}"),
        ("body", "<p>{{otp_code}} for {{app.name}}</p>"),
    ];
    let mut preview_form = vec![("action", "preview")];
    preview_form.extend_from_slice(&draft);
    let p = support.submit(PAGE, &preview_form).await;
    p.expect(200);
    assert_eq!(p.text_of("preview-subject").unwrap(), "Code 123456");
    assert!(
        p.text_of("preview-body")
            .unwrap()
            .contains("123456 for Usher")
    );
    let mut save_form = vec![("action", "save")];
    save_form.extend_from_slice(&draft);
    support.open(PAGE).await;
    support.submit(PAGE, &save_form).await.expect(403);
    admin.post_form(PAGE, &save_form).await.expect(403);

    // An unknown variable is refused beside the form, the draft kept.
    admin.open(PAGE).await.expect(200);
    let bad = admin
        .submit(
            PAGE,
            &[
                ("action", "save"),
                ("subject", "x"),
                ("body", "{{otp_code}} {{user.password}}"),
            ],
        )
        .await;
    bad.expect(422);
    assert!(bad.body.contains("unknown variable"), "{}", bad.body);
    assert!(bad.body.contains("{{user.password}}"));
    assert_eq!(
        d.api("/v1/templates/email/verification_code").await["resource_type"],
        "system"
    );

    admin.open(PAGE).await;
    admin
        .submit(PAGE, &save_form)
        .await
        .redirects_to(&format!("{PAGE}?done=saved"));
    let t = d.api("/v1/templates/email/verification_code").await;
    assert_eq!(t["subject"], "Code {{otp_code}}");
    assert_eq!(t["resource_type"], "user");

    admin.open(PAGE).await;
    admin
        .submit(PAGE, &[("action", "toggle")])
        .await
        .redirects_to(&format!("{PAGE}?done=toggled"));
    assert_eq!(
        d.api("/v1/templates/email/verification_code").await["delivered_by_clerk"],
        false
    );

    let confirm = admin.open(&format!("{PAGE}/revert")).await;
    confirm.expect(200);
    assert!(confirm.body.contains("built-in text"));
    admin
        .submit(PAGE, &[("action", "revert")])
        .await
        .redirects_to(&format!("{PAGE}?done=reverted"));
    assert_eq!(
        d.api("/v1/templates/email/verification_code").await["resource_type"],
        "system"
    );

    for action in [
        "template.update",
        "template.toggle_delivery",
        "template.revert",
    ] {
        let actors = d.audited_by(action).await;
        assert_eq!(
            actors,
            vec!["operator:ada@example.com".to_owned()],
            "{action}"
        );
    }
}

#[tokio::test]
async fn satellite_domains_are_added_and_deleted_from_the_dashboard() {
    let d = spawn().await;
    let (mut admin, mut support) = d.admin_and_support().await;
    let page = support.open("/dashboard/domains").await;
    page.expect(200);
    assert!(page.body.contains("Primary"));
    assert!(
        !page.body.contains("Add a satellite domain"),
        "support sees no form"
    );

    admin.open("/dashboard/domains").await.expect(200);
    let bad = admin
        .submit(
            "/dashboard/domains",
            &[("action", "add"), ("name", "https://<b>x</b>")],
        )
        .await;
    bad.expect(422);
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    assert!(!bad.body.contains("<b>x</b>"), "escaped");
    admin
        .submit(
            "/dashboard/domains",
            &[
                ("action", "add"),
                ("name", "shop.example.com"),
                ("proxy_url", ""),
            ],
        )
        .await
        .redirects_to("/dashboard/domains?done=added");
    let list = d.api("/v1/domains").await;
    assert_eq!(list["total_count"], 2);
    let id = list["data"][1]["id"].as_str().unwrap().to_owned();

    let shown = admin.open("/dashboard/domains").await;
    assert!(shown.body.contains("shop.example.com"));
    let confirm = admin.open(&format!("/dashboard/domains/{id}/delete")).await;
    confirm.expect(200);
    support.open("/dashboard/domains").await;
    support
        .submit("/dashboard/domains", &[("action", "delete"), ("id", &id)])
        .await
        .expect(403);
    admin
        .submit("/dashboard/domains", &[("action", "delete"), ("id", &id)])
        .await
        .redirects_to("/dashboard/domains?done=deleted");
    assert_eq!(d.api("/v1/domains").await["total_count"], 1);
    for action in ["domain.create", "domain.delete"] {
        assert_eq!(
            d.audited_by(action).await,
            vec!["operator:ada@example.com".to_owned()]
        );
    }
}
