//! Organization domains as clerk-js's `<OrganizationProfile/>` manages them: added unverified,
//! verified by a code emailed to an address at the domain (the same codes, mail and
//! `email.created` event as sign-ins), changed and removed by members who manage domains, and
//! closed to everyone else.

use super::*;

async fn spawn_with_domains(domains: bool) -> Env {
    spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.organizations_enabled = Some(true);
        cfg.policy.organization_domains_enabled = Some(domains);
    })
    .await
}

async fn create_org(b: &mut Browser, name: &str) -> String {
    let r = b.post("/v1/organizations", &[("name", name)]).await;
    r.ok()["response"]["id"].as_str().unwrap().to_owned()
}

/// Alice, the admin of Acme, and Bob, the admin of Bobco: each signed in, with their
/// organization's id.
async fn alice_and_bob(env: &Env) -> ((Browser, String), (Browser, String)) {
    let mut a = env.browser();
    let mut b = env.browser();
    a.sign_up(env, "alice@example.com", None).await;
    b.sign_up(env, "bob@example.com", None).await;
    let org_a = create_org(&mut a, "Acme").await;
    let org_b = create_org(&mut b, "Bobco").await;
    ((a, org_a), (b, org_b))
}

/// One request to each domain route: list and create under `domains` (creating `name`), and
/// read, delete, change the mode of (to `mode`) and verify (`affiliation` as the address) the
/// domain `domain`.
async fn every_domain_route(
    b: &mut Browser,
    domains: &str,
    domain: &str,
    name: &str,
    mode: &str,
    affiliation: &str,
) -> [Res; 7] {
    [
        b.get(&format!("{domains}?limit=10&offset=0")).await,
        b.post(domains, &[("name", name)]).await,
        b.get(domain).await,
        b.delete(domain).await,
        b.post(
            &format!("{domain}/update_enrollment_mode"),
            &[("enrollment_mode", mode)],
        )
        .await,
        prepare(b, domain, affiliation).await,
        attempt(b, domain, "123456").await,
    ]
}

/// The path of domain `d` (as the API returned it) of organization `org`.
fn domain_path(org: &str, d: &Value) -> String {
    format!(
        "/v1/organizations/{org}/domains/{}",
        d["id"].as_str().unwrap()
    )
}

/// `prepare_affiliation_verification` on the domain at path `domain`: a code emailed to
/// `email`.
async fn prepare(b: &mut Browser, domain: &str, email: &str) -> Res {
    b.post(
        &format!("{domain}/prepare_affiliation_verification"),
        &[("affiliation_email_address", email)],
    )
    .await
}

/// `attempt_affiliation_verification` on the domain at path `domain` with `code`.
async fn attempt(b: &mut Browser, domain: &str, code: &str) -> Res {
    b.post(
        &format!("{domain}/attempt_affiliation_verification"),
        &[("code", code)],
    )
    .await
}

async fn add_domain(b: &mut Browser, org: &str, name: &str) -> Value {
    let r = b
        .post(
            &format!("/v1/organizations/{org}/domains"),
            &[("name", name)],
        )
        .await;
    assert!(r.ok()["client"].is_object(), "{}", r.raw);
    r.ok()["response"].clone()
}

#[tokio::test]
async fn domains_are_off_unless_the_instance_turns_them_on() {
    let env = spawn_with_domains(false).await;
    let domains = &env.environment().await["organization_settings"]["domains"];
    assert_eq!(domains["enabled"], false);
    assert_eq!(domains["enrollment_modes"], json!([]));
    let mut a = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let org = create_org(&mut a, "Acme").await;
    let before = env.snapshot().await;
    let path = format!("/v1/organizations/{org}/domains");
    a.post(&path, &[("name", "acme.com")])
        .await
        .err(403, "not_allowed_access");
    a.get(&format!("{path}?limit=10&offset=0"))
        .await
        .err(403, "not_allowed_access");
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn an_admin_adds_a_domain_and_verifies_it_with_the_emailed_code() {
    let env = spawn_with_domains(true).await;
    let settings = &env.environment().await["organization_settings"]["domains"];
    assert_eq!(settings["enabled"], true);
    assert_eq!(
        settings["enrollment_modes"],
        json!([
            "manual_invitation",
            "automatic_invitation",
            "automatic_suggestion"
        ])
    );
    assert_eq!(settings["default_role"], "org:member");
    let mut a = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let org = create_org(&mut a, "Acme").await;
    let o = format!("/v1/organizations/{org}/domains");

    // Added from the browser, a domain starts unverified (unlike the Backend API's default).
    let d = add_domain(&mut a, &org, "Acme.com").await;
    assert_eq!(d["object"], "organization_domain");
    assert_eq!(d["name"], "acme.com");
    assert_eq!(d["organization_id"], org.as_str());
    assert_eq!(d["enrollment_mode"], "manual_invitation");
    assert_eq!(d["verification"], Value::Null);
    assert_eq!(d["affiliation_verification"], Value::Null);
    assert_eq!(d["affiliation_email_address"], Value::Null);
    assert_eq!(d["ownership_verification"], Value::Null);
    let id = d["id"].as_str().unwrap().to_owned();
    let od = format!("{o}/{id}");

    // A public email provider's domain is refused with Clerk's code.
    let before = env.snapshot().await;
    let r = a.post(&o, &[("name", "gmail.com")]).await;
    r.err(422, "organization_domain_common");
    assert_eq!(r.param(), "name");
    // An address elsewhere proves nothing: refused, no email.
    for other in ["alice@example.com", "alice@mail.acme.com"] {
        let r = prepare(&mut a, &od, other).await;
        r.err(422, "form_param_value_invalid");
        assert_eq!(r.param(), "affiliation_email_address");
    }
    a.post(&format!("{od}/prepare_affiliation_verification"), &[])
        .await
        .err(422, "form_param_missing");
    // Nothing to attempt before a code was sent.
    attempt(&mut a, &od, "123456")
        .await
        .err(400, "client_state_invalid");
    assert_eq!(env.snapshot().await, before);

    // The code goes out by email, in one commit with the domain's change and its events.
    let events = env.events().await.len();
    let r = prepare(&mut a, &od, "alice@acme.com").await;
    let d = &r.ok()["response"];
    assert_eq!(d["affiliation_email_address"], "alice@acme.com");
    let v = &d["affiliation_verification"];
    assert_eq!(v["status"], "unverified", "{}", r.raw);
    assert_eq!(v["strategy"], "email_code");
    assert_eq!(v["attempts"], 0);
    assert_eq!(v["expire_at"], T0 + 10 * MINUTE);
    assert_eq!(d["verification"], *v);
    let all = env.events().await;
    assert_eq!(
        event_types(&all[events..]),
        ["email.created", "organizationDomain.updated"]
    );
    let code = env.code_for("alice@acme.com").await;

    // A wrong code is counted, and the domain stays unverified.
    let before = env.snapshot().await;
    attempt(&mut a, &od, &wrong(&code))
        .await
        .err(422, "form_code_incorrect");
    let r = a.get(&od).await;
    assert_eq!(
        r.ok()["response"]["affiliation_verification"]["attempts"],
        1
    );
    assert_eq!(
        r.ok()["response"]["affiliation_verification"]["status"],
        "unverified"
    );
    before.assert_same_data(&env.snapshot().await);

    let r = attempt(&mut a, &od, &code).await;
    let d = &r.ok()["response"];
    assert_eq!(
        d["affiliation_verification"]["status"], "verified",
        "{}",
        r.raw
    );
    assert_eq!(d["affiliation_verification"]["strategy"], "email_code");
    assert_eq!(d["affiliation_verification"]["attempts"], 2);
    assert_eq!(d["verification"]["status"], "verified");
    // The code is spent, and the Backend API sees the domain verified.
    attempt(&mut a, &od, &code)
        .await
        .err(400, "verification_already_verified");
    let bapi = env
        .bapi_get(&format!("/v1/organizations/{org}/domains?verified=true"))
        .await;
    assert_eq!(bapi.ok()["total_count"], 1, "{}", bapi.raw);
    assert_eq!(bapi.ok()["data"][0]["id"], id.as_str());

    // Listed, filtered by enrollment mode as clerk-js asks.
    let r = a.get(&format!("{o}?limit=10&offset=0")).await;
    assert_eq!(r.ok()["response"]["total_count"], 1);
    assert_eq!(r.ok()["response"]["data"][0]["id"], id.as_str());
    let r = a
        .get(&format!(
            "{o}?limit=10&offset=0&enrollment_mode=automatic_invitation"
        ))
        .await;
    assert_eq!(r.ok()["response"]["total_count"], 0);

    // The enrollment mode changes; `delete_pending` is accepted.
    let r = a
        .post(
            &format!("{od}/update_enrollment_mode"),
            &[
                ("enrollment_mode", "automatic_invitation"),
                ("delete_pending", "true"),
            ],
        )
        .await;
    assert_eq!(
        r.ok()["response"]["enrollment_mode"],
        "automatic_invitation"
    );
    assert_eq!(
        r.ok()["response"]["affiliation_verification"]["status"],
        "verified"
    );
    let before = env.snapshot().await;
    a.post(
        &format!("{od}/update_enrollment_mode"),
        &[("enrollment_mode", "whenever")],
    )
    .await
    .err(422, "form_param_value_invalid");
    a.post(&format!("{od}/update_enrollment_mode"), &[])
        .await
        .err(422, "form_param_missing");
    assert_eq!(env.snapshot().await, before);

    // Removed.
    let r = a.delete(&od).await;
    let gone = &r.ok()["response"];
    assert_eq!(
        *gone,
        json!({"object": "organization_domain", "id": id, "deleted": true})
    );
    a.get(&od).await.err(404, "resource_not_found");
    let r = a.get(&format!("{o}?limit=10&offset=0")).await;
    assert_eq!(r.ok()["response"]["total_count"], 0);
}

#[tokio::test]
async fn wrong_codes_spend_the_code_and_codes_expire() {
    let env = spawn_with_domains(true).await;
    let mut a = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let org = create_org(&mut a, "Acme").await;
    let d = add_domain(&mut a, &org, "acme.com").await;
    let od = domain_path(&org, &d);

    prepare(&mut a, &od, "alice@acme.com").await.ok();
    let code = env.code_for("alice@acme.com").await;
    for _ in 0..3 {
        attempt(&mut a, &od, &wrong(&code))
            .await
            .err(422, "form_code_incorrect");
    }
    attempt(&mut a, &od, &code)
        .await
        .err(422, "verification_failed");
    let r = a.get(&od).await;
    let v = &r.ok()["response"]["affiliation_verification"];
    assert_eq!(v["status"], "failed");
    assert_eq!(v["attempts"], 3);

    // A new code replaces the spent one, and lasts ten minutes.
    prepare(&mut a, &od, "bob@acme.com").await.ok();
    let code = env.code_for("bob@acme.com").await;
    env.clock.advance(10 * MINUTE);
    attempt(&mut a, &od, &code)
        .await
        .err(422, "verification_expired");
    let r = a.get(&od).await;
    assert_eq!(
        r.ok()["response"]["affiliation_verification"]["status"],
        "expired"
    );
    assert_eq!(
        r.ok()["response"]["affiliation_email_address"],
        "bob@acme.com"
    );
    let bapi = env
        .bapi_get(&format!("/v1/organizations/{org}/domains?verified=true"))
        .await;
    assert_eq!(bapi.ok()["total_count"], 0);
}

#[tokio::test]
async fn a_member_without_domain_permissions_reads_and_changes_nothing() {
    let env = spawn_with_domains(true).await;
    let mut a = env.browser();
    let mut c = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let (carol, _) = c.sign_up(&env, "carol@example.com", None).await;
    let org = create_org(&mut a, "Acme").await;
    a.post(
        &format!("/v1/organizations/{org}/memberships"),
        &[("user_id", &carol), ("role", "org:member")],
    )
    .await
    .ok();
    let d = add_domain(&mut a, &org, "acme.com").await;
    let o = format!("/v1/organizations/{org}/domains");
    let od = format!("{o}/{}", d["id"].as_str().unwrap());

    let before = env.snapshot().await;
    let refused = every_domain_route(
        &mut c,
        &o,
        &od,
        "carol.io",
        "automatic_suggestion",
        "carol@acme.com",
    )
    .await;
    for r in &refused {
        r.err(403, "not_allowed_access");
    }
    assert_eq!(env.snapshot().await, before);
}

#[tokio::test]
async fn a_member_of_one_organization_reaches_no_domain_of_another() {
    let env = spawn_with_domains(true).await;
    let ((mut a, org_a), (mut b, org_b)) = alice_and_bob(&env).await;
    let bobs = add_domain(&mut b, &org_b, "bobco.com").await;
    let bobs_id = bobs["id"].as_str().unwrap().to_owned();
    prepare(&mut b, &domain_path(&org_b, &bobs), "bob@bobco.com")
        .await
        .ok();

    let before = env.snapshot().await;
    let ob = format!("/v1/organizations/{org_b}/domains");
    let od = format!("{ob}/{bobs_id}");
    let refused = every_domain_route(
        &mut a,
        &ob,
        &od,
        "acme.com",
        "automatic_invitation",
        "alice@bobco.com",
    )
    .await;
    for r in &refused {
        r.err(404, "organization_not_found_or_unauthorized");
    }
    // Bob's domain under Alice's own organization is not found either.
    let mine = format!("/v1/organizations/{org_a}/domains/{bobs_id}");
    for r in [
        a.get(&mine).await,
        a.delete(&mine).await,
        prepare(&mut a, &mine, "alice@bobco.com").await,
        attempt(&mut a, &mine, "123456").await,
    ] {
        r.err(404, "resource_not_found");
    }
    assert_eq!(env.snapshot().await, before);
    let r = b.get(&od).await;
    assert_eq!(
        r.ok()["response"]["affiliation_verification"]["attempts"],
        0
    );
    assert_eq!(
        r.ok()["response"]["affiliation_email_address"],
        "bob@bobco.com"
    );
}

#[tokio::test]
async fn a_name_another_organization_verified_cannot_be_verified_again() {
    let env = spawn_with_domains(true).await;
    let ((mut a, org_a), (mut b, org_b)) = alice_and_bob(&env).await;
    // Bob's organization lists acme.com unverified, Alice's then verifies it.
    let bobs = add_domain(&mut b, &org_b, "acme.com").await;
    let ob = domain_path(&org_b, &bobs);
    prepare(&mut b, &ob, "bob@acme.com").await.ok();
    let bobs_code = env.code_for("bob@acme.com").await;
    let alices = add_domain(&mut a, &org_a, "acme.com").await;
    let oa = domain_path(&org_a, &alices);
    prepare(&mut a, &oa, "alice@acme.com").await.ok();
    let code = env.code_for("alice@acme.com").await;
    attempt(&mut a, &oa, &code).await.ok();

    // Bob's code, sent before, is right but cannot be kept; and no new one is sent.
    let before = env.snapshot().await;
    let r = attempt(&mut b, &ob, &bobs_code).await;
    r.err(422, "form_identifier_exists");
    assert_eq!(r.param(), "name");
    let r = prepare(&mut b, &ob, "bob@acme.com").await;
    r.err(422, "form_identifier_exists");
    assert_eq!(env.snapshot().await, before);
    let r = b.get(&ob).await;
    assert_eq!(
        r.ok()["response"]["affiliation_verification"]["status"],
        "unverified"
    );
    let bapi = env
        .bapi_get(&format!("/v1/organizations/{org_b}/domains?verified=true"))
        .await;
    assert_eq!(bapi.ok()["total_count"], 0);
}
