//! `usher import --from-clerk` against a second Usher as the source (it speaks Clerk's Backend
//! API): 10,000 users, organizations with memberships in a custom role, pending invitations;
//! the import killed part way, resumed, reconciled, spot-checked record by record, and run
//! again without changing anything. Also: a wrong secret key, and passwords merged from
//! Clerk's CSV export.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{create_instance, fails_in, http, keys_json, run_in, serve_with, usher_in};

const USERS: usize = 10_000;
const PASSWORD: &str = "correct horse battery staple";

fn user_id(i: usize) -> String {
    format!("user_2imp{i:022}")
}

/// Clerk's CSV user export of `USERS` users (no passwords: the source has none to show).
fn source_csv(path: &Path) {
    let mut csv = String::from(
        "id,first_name,last_name,username,primary_email_address,unverified_email_addresses,primary_phone_number\n",
    );
    for i in 0..USERS {
        let username = if i % 3 == 0 {
            format!("member{i}")
        } else {
            String::new()
        };
        let unverified = if i == 1 { "second1@example.com" } else { "" };
        let phone = if i < 10 {
            format!("+1415555{i:04}")
        } else {
            String::new()
        };
        writeln!(
            csv,
            "{},First{i},Last{i},{username},user{i}@example.com,{unverified},{phone}",
            user_id(i)
        )
        .unwrap();
    }
    std::fs::write(path, csv).unwrap();
}

struct Api {
    url: String,
    sk: String,
}

impl Api {
    fn of(dir: &Path) -> Api {
        let keys = keys_json(dir);
        Api {
            url: keys["api_url"].as_str().unwrap().to_owned(),
            sk: keys["secret_key"].as_str().unwrap().to_owned(),
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let (status, text) = http(
            method,
            &format!("{}{path}", self.url),
            Some(&self.sk),
            body.as_deref(),
        );
        assert_eq!(status, 200, "{method} {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    fn get(&self, path: &str) -> Value {
        self.call("GET", path, None)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(body))
    }
}

/// Custom role, three organizations with members and pending invitations, and users with
/// metadata, an external id, a ban and a lock. Returns the organizations' ids.
fn fill(api: &Api) -> Vec<String> {
    api.post(
        "/v1/organization_roles",
        json!({"name": "Billing", "key": "org:billing", "description": "Pays", "permissions": []}),
    );
    let mut orgs = Vec::new();
    for o in 0..3 {
        let org = api.post(
            "/v1/organizations",
            json!({
                "name": format!("Org {o}"), "slug": format!("org-{o}"),
                "created_by": user_id(o), "max_allowed_memberships": 50,
                "public_metadata": {"tier": o}, "private_metadata": {"crm": format!("c{o}")}
            }),
        );
        let id = org["id"].as_str().unwrap().to_owned();
        for m in 0..15 {
            let role = if m % 2 == 0 {
                "org:member"
            } else {
                "org:billing"
            };
            api.post(
                &format!("/v1/organizations/{id}/memberships"),
                json!({"user_id": user_id(100 + o * 20 + m), "role": role}),
            );
        }
        for n in 0..2 {
            api.post(
                &format!("/v1/organizations/{id}/invitations"),
                json!({
                    "email_address": format!("invitee{o}-{n}@example.com"),
                    "role": if n == 0 { "org:member" } else { "org:billing" },
                    "inviter_user_id": user_id(o),
                }),
            );
        }
        orgs.push(id);
    }
    api.call(
        "PATCH",
        &format!("/v1/users/{}/metadata", user_id(5)),
        Some(json!({
            "public_metadata": {"plan": "pro"},
            "private_metadata": {"stripe": "cus_1"},
            "unsafe_metadata": {"theme": "dark"}
        })),
    );
    api.call(
        "PATCH",
        &format!("/v1/users/{}", user_id(6)),
        Some(json!({"external_id": "ext-6"})),
    );
    api.call(
        "PATCH",
        "/v1/instance/organization_settings",
        Some(
            json!({"enabled": true, "max_allowed_memberships": 25, "admin_delete_enabled": false}),
        ),
    );
    api.post(&format!("/v1/users/{}/ban", user_id(7)), json!({}));
    api.post(&format!("/v1/users/{}/lock", user_id(8)), json!({}));
    orgs
}

/// What the import must carry of a user, as the Backend API shows it.
fn user_view(u: &Value) -> Value {
    let idents = |list: &Value, field: &str| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                json!([
                    e["id"],
                    e[field],
                    e["verification"]["status"],
                    e["verification"]["strategy"]
                ])
            })
            .collect()
    };
    json!({
        "id": u["id"], "external_id": u["external_id"], "username": u["username"],
        "first_name": u["first_name"], "last_name": u["last_name"],
        "emails": idents(&u["email_addresses"], "email_address"),
        "phones": idents(&u["phone_numbers"], "phone_number"),
        "primary_email": u["primary_email_address_id"], "primary_phone": u["primary_phone_number_id"],
        "public": u["public_metadata"], "private": u["private_metadata"], "unsafe": u["unsafe_metadata"],
        "banned": u["banned"], "locked": u["locked"],
        "created_at": u["created_at"], "updated_at": u["updated_at"],
    })
}

fn org_view(api: &Api, id: &str) -> Value {
    let o = api.get(&format!("/v1/organizations/{id}"));
    let members = api.get(&format!(
        "/v1/organizations/{id}/memberships?limit=100&order_by=created_at"
    ));
    let members: Vec<Value> = members["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            json!([
                m["id"],
                m["public_user_data"]["user_id"],
                m["role"],
                m["role_name"],
                m["permissions"]
            ])
        })
        .collect();
    let invitations = api.get(&format!(
        "/v1/organizations/{id}/invitations?status=pending"
    ));
    let mut invitations: Vec<Value> = invitations["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!([
                i["id"],
                i["email_address"],
                i["role"],
                i["status"],
                i["expires_at"]
            ])
        })
        .collect();
    invitations.sort_by_key(|v| v[0].as_str().unwrap_or("").to_owned());
    json!({
        "id": o["id"], "name": o["name"], "slug": o["slug"],
        "max": o["max_allowed_memberships"], "public": o["public_metadata"],
        "private": o["private_metadata"], "created_at": o["created_at"],
        "members_count": o["members_count"],
        "members": members, "invitations": invitations,
    })
}

fn import_args<'a>(api: &'a Api, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "--from-clerk",
        "--api-url",
        api.url.as_str(),
        "--secret-key",
        api.sk.as_str(),
    ];
    args.extend_from_slice(extra);
    args
}

/// Runs the import to the end; its standard error.
#[track_caller]
fn import_ok(dst: &Path, args: &[&str]) -> String {
    let out = run_in(dst, "import", args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "usher import: {err}");
    err
}

#[test]
fn a_clerk_instance_is_imported_resumed_reconciled_and_imported_again_unchanged() {
    let started = Instant::now();
    let root = tempfile::tempdir().unwrap();
    let (src, dst) = (root.path().join("source"), root.path().join("target"));
    create_instance(&src);
    create_instance(&dst);
    let csv = root.path().join("users.csv");
    source_csv(&csv);
    let out = run_in(
        &src,
        "import",
        &[csv.to_str().unwrap(), "--format", "clerk-csv"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (source_server, _) = serve_with(&src, &[]);
    let source = Api::of(&src);
    let orgs = fill(&source);

    // A wrong key: a clear refusal, nothing written, no state left behind.
    let mut bad = Api::of(&src);
    bad.sk = "sk_test_not_the_key".into();
    let err = fails_in(&dst, "import", &import_args(&bad, &[]));
    assert!(err.contains("refused the secret key"), "{err}");
    let state_path = dst.join("import-clerk.state.json");
    assert!(!state_path.exists());

    // The passwords only Clerk's CSV export has, for two of the users.
    let digest = bcrypt::hash(PASSWORD, 4).unwrap();
    let passwords = root.path().join("passwords.csv");
    std::fs::write(
        &passwords,
        format!(
            "id,primary_email_address,password_digest,password_hasher\n{},user3@example.com,{digest},bcrypt\n{},user4@example.com,{digest},bcrypt\n{},user9@example.com,,\n",
            user_id(3),
            user_id(4),
            user_id(9)
        ),
    )
    .unwrap();
    let passwords = passwords.to_str().unwrap();

    // Killed part way through the users: the state file says where it got to.
    let mut child = usher_in(&dst)
        .arg("import")
        .args(import_args(&source, &["--batch", "100"]))
        .arg("--data-dir")
        .arg(&dst)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let killed_at = loop {
        assert!(Instant::now() < deadline, "the import made no progress");
        if let Ok(text) = std::fs::read_to_string(&state_path)
            && let Ok(state) = serde_json::from_str::<Value>(&text)
            && state["phase"] == "users"
            && state["offset"].as_i64().unwrap_or(0) >= 1000
        {
            child.kill().unwrap();
            break state;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    child.wait().unwrap();
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    assert_ne!(state["phase"], "done", "{state}");
    assert!(killed_at["offset"].as_i64().unwrap() < USERS as i64);

    // Resumed, then stopped with Ctrl-C (SIGINT): it ends after the page being written, says
    // so, and leaves the state further on.
    let child = usher_in(&dst)
        .arg("import")
        .args(import_args(&source, &["--batch", "100"]))
        .arg("--data-dir")
        .arg(&dst)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let before = killed_at["offset"].as_i64().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(
            Instant::now() < deadline,
            "the resumed import made no progress"
        );
        let state: Value =
            serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
        if state["phase"] != "users" || state["offset"].as_i64().unwrap() > before {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("interrupted during"), "{err}");
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    assert_ne!(state["phase"], "done", "{state}");
    assert!(
        state["phase"] != "users" || state["offset"].as_i64().unwrap() > before,
        "{state}"
    );

    // Resumed (with the passwords merged in): it goes on from the state and reconciles.
    let err = import_ok(
        &dst,
        &import_args(&source, &["--batch", "100", "--passwords", passwords]),
    );
    assert!(err.contains("continued from"), "{err}");
    assert!(err.contains("reconciliation"), "{err}");
    assert!(!err.contains("MISMATCH"), "{err}");
    for kind in [
        "users",
        "organizations",
        "memberships",
        "pending invitations",
        "custom roles",
    ] {
        let line = err
            .lines()
            .find(|l| l.trim_start().starts_with(kind) && l.trim_end().ends_with("ok"))
            .unwrap_or_else(|| panic!("no reconciled line for {kind}: {err}"));
        let numbers: Vec<&str> = line.split_whitespace().rev().skip(1).take(2).collect();
        assert_eq!(numbers[0], numbers[1], "{line}");
    }
    assert!(err.contains("passwords      0 created, 2 updated"), "{err}");
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    assert_eq!(state["phase"], "done");

    // A second full run finds everything in place: nothing created or updated.
    let again = import_ok(&dst, &import_args(&source, &["--passwords", passwords]));
    assert!(!again.contains("continued from"), "{again}");
    for phase in [
        "roles",
        "users",
        "organizations",
        "memberships",
        "invitations",
        "passwords",
    ] {
        let line = again
            .lines()
            // The summary, not the progress lines (those draw a bar).
            .find(|l| l.starts_with(&format!("{phase:<14} ")) && !l.contains('['))
            .unwrap_or_else(|| panic!("no summary for {phase}: {again}"));
        assert!(line.contains(" 0 created, 0 updated,"), "{line}");
    }
    assert!(
        again.contains(&format!(
            "{:<14} 0 created, 0 updated, {USERS} unchanged",
            "users"
        )),
        "{again}"
    );

    // Record by record, the target shows what the source shows.
    let (target_server, _) = serve_with(&dst, &[]);
    let target = Api::of(&dst);
    assert_eq!(target.get("/v1/users/count")["total_count"], USERS as i64);
    for i in [0, 1, 2, 5, 6, 7, 8, 9, 3333, USERS - 1] {
        let path = format!("/v1/users/{}", user_id(i));
        assert_eq!(
            user_view(&target.get(&path)),
            user_view(&source.get(&path)),
            "user {i}"
        );
    }
    let t = target.get(&format!("/v1/users/{}", user_id(7)));
    assert_eq!(t["banned"], true);
    assert_eq!(
        target.get(&format!("/v1/users/{}", user_id(8)))["locked"],
        true
    );
    assert_eq!(
        target.get(&format!("/v1/users/{}", user_id(5)))["private_metadata"]["stripe"],
        "cus_1"
    );
    for id in &orgs {
        assert_eq!(
            org_view(&target, id),
            org_view(&source, id),
            "organization {id}"
        );
    }
    let settings = "/v1/instance/organization_settings";
    assert_eq!(target.get(settings), source.get(settings));
    assert_eq!(target.get(settings)["max_allowed_memberships"], 25);
    let roles = target.get("/v1/organization_roles?limit=100");
    assert!(
        roles["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["key"] == "org:billing"),
        "{roles}"
    );
    // The merged password signs in here; a user without one in the CSV has none.
    let verified = target.post(
        &format!("/v1/users/{}/verify_password", user_id(3)),
        json!({"password": PASSWORD}),
    );
    assert_eq!(verified["verified"], true);
    assert_eq!(
        target.get(&format!("/v1/users/{}", user_id(4)))["password_enabled"],
        true
    );
    assert_eq!(
        target.get(&format!("/v1/users/{}", user_id(9)))["password_enabled"],
        false
    );
    drop(target_server);
    drop(source_server);
    eprintln!("runbook_import: {:?}", started.elapsed());
}
