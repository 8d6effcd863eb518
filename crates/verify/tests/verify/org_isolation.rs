//! Cross-organization isolation in an app on usher-verify (examples/org_notes.rs), against a
//! running Usher: two organizations with one member each, session tokens minted by the Backend
//! API with each member's active organization. Each member reads and writes their own
//! organization's notes; every route naming the other organization, or a note of it, answers
//! 404 and changes nothing; a missing permission answers 403; a token without an active
//! organization reaches no organization; and no session can be made active in an organization
//! its user is not a member of.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use usher_verify::Verifier;

use crate::common::*;
use crate::org_notes::{DELETE_NOTES, Notes, app};

async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, Value) {
    send(app, method, path, token, None).await
}

async fn send(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn user(u: &Usher, email: &str) -> String {
    let v = u
        .post(
            "/v1/users",
            json!({"email_address": [email], "skip_password_requirement": true}),
        )
        .await;
    v["id"].as_str().unwrap().to_owned()
}

/// A session token for `user`, active in `org` (or in none).
async fn token(u: &Usher, user: &str, org: Option<&str>) -> String {
    let mut body = json!({"user_id": user});
    if let Some(o) = org {
        body["active_organization_id"] = json!(o);
    }
    let s = u.post("/v1/sessions", body).await;
    u.mint(s["id"].as_str().unwrap()).await
}

fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_of_two_organizations_reach_only_their_own_notes() {
    let u = spawn_usher_with(Arc::new(usher_core::clock::SystemClock), |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await;

    // The instance's roles: editors may delete notes, members may not.
    let perm = u
        .post(
            "/v1/organization_permissions",
            json!({"name": "Delete notes", "key": DELETE_NOTES}),
        )
        .await;
    u.post(
        "/v1/organization_roles",
        json!({"name": "Editor", "key": "org:editor", "permissions": [perm["id"]]}),
    )
    .await;

    let owner = user(&u, "owner@isolation.test").await;
    let alice = user(&u, "alice@isolation.test").await;
    let bob = user(&u, "bob@isolation.test").await;
    let mut orgs = Vec::new();
    for (name, member, role) in [
        ("Acme", &alice, "org:editor"),
        ("Bobco", &bob, "org:member"),
    ] {
        let org = u
            .post(
                "/v1/organizations",
                json!({"name": name, "created_by": owner}),
            )
            .await;
        let id = org["id"].as_str().unwrap().to_owned();
        u.post(
            &format!("/v1/organizations/{id}/memberships"),
            json!({"user_id": member, "role": role}),
        )
        .await;
        orgs.push(id);
    }
    let (org_a, org_b) = (orgs[0].clone(), orgs[1].clone());
    let alice_a = token(&u, &alice, Some(&org_a)).await;
    let bob_b = token(&u, &bob, Some(&org_b)).await;
    let alice_none = token(&u, &alice, None).await;
    assert_eq!(decode_part(&alice_a, 1)["o"]["per"], "delete");
    assert!(decode_part(&alice_none, 1).get("o").is_none());

    // No session of Alice's can be active in Bob's organization.
    let r = u
        .http
        .post(format!("{}/v1/sessions", u.api_url))
        .bearer_auth(SECRET)
        .json(&json!({"user_id": alice, "active_organization_id": org_b}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["errors"][0]["meta"]["param_name"], "active_organization_id",
        "{v}"
    );

    let notes = Notes::default();
    let verifier = Verifier::builder()
        .jwt_key(&u.pem)
        .unwrap()
        .build()
        .unwrap();
    let app = app(verifier, notes.clone());
    let (na, nb) = (
        format!("/orgs/{org_a}/notes"),
        format!("/orgs/{org_b}/notes"),
    );

    // Each member writes and reads in their own organization.
    let (s, a1) = send(
        &app,
        Method::POST,
        &na,
        Some(&alice_a),
        Some(json!({"text": "a1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a1}");
    assert_eq!(a1["org_id"], org_a.as_str());
    assert_eq!(a1["author_id"], alice.as_str());
    let (s, b1) = send(
        &app,
        Method::POST,
        &nb,
        Some(&bob_b),
        Some(json!({"text": "b1"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b1}");
    assert_eq!(b1["org_id"], org_b.as_str());
    let (a1, b1) = (
        a1["id"].as_str().unwrap().to_owned(),
        b1["id"].as_str().unwrap().to_owned(),
    );
    let (s, list) = call(&app, Method::GET, &na, Some(&alice_a)).await;
    assert_eq!((s, ids(&list)), (StatusCode::OK, vec![a1.as_str()]));
    let (s, list) = call(&app, Method::GET, &nb, Some(&bob_b)).await;
    assert_eq!((s, ids(&list)), (StatusCode::OK, vec![b1.as_str()]));
    let (s, got) = call(&app, Method::GET, &format!("{na}/{a1}"), Some(&alice_a)).await;
    assert_eq!((s, got["text"].as_str()), (StatusCode::OK, Some("a1")));

    // Every route, with the other organization's id or note: 404, and nothing changes.
    let before = format!("{:?}", notes.all());
    for (tok, own, own_note, other, other_note) in
        [(&alice_a, &na, &a1, &nb, &b1), (&bob_b, &nb, &b1, &na, &a1)]
    {
        let attempts = [
            (Method::GET, other.clone(), None),
            (Method::POST, other.clone(), Some(json!({"text": "x"}))),
            (Method::GET, format!("{other}/{other_note}"), None),
            (Method::DELETE, format!("{other}/{other_note}"), None),
            // The other organization's path with one's own note, and one's own path with the
            // other's note.
            (Method::GET, format!("{other}/{own_note}"), None),
            (Method::DELETE, format!("{other}/{own_note}"), None),
            (Method::GET, format!("{own}/{other_note}"), None),
            (Method::DELETE, format!("{own}/{other_note}"), None),
        ];
        for (m, path, body) in attempts {
            let (s, v) = send(&app, m.clone(), &path, Some(tok), body).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{m} {path}: {v}");
        }
    }
    // An organization that does not exist answers the same.
    let (s, _) = call(
        &app,
        Method::GET,
        "/orgs/org_doesnotexist/notes",
        Some(&alice_a),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(format!("{:?}", notes.all()), before);

    // A token with no active organization reaches no organization; no token at all is 401.
    for path in [&na, &nb] {
        for (m, p, body) in [
            (Method::GET, path.clone(), None),
            (Method::POST, path.clone(), Some(json!({"text": "x"}))),
            (Method::GET, format!("{path}/{a1}"), None),
            (Method::GET, format!("{path}/{b1}"), None),
            (Method::DELETE, format!("{path}/{a1}"), None),
            (Method::DELETE, format!("{path}/{b1}"), None),
        ] {
            let (s, v) = send(&app, m.clone(), &p, Some(&alice_none), body.clone()).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{m} {p}: {v}");
            let (s, v) = send(&app, m.clone(), &p, None, body).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{m} {p}: {v}");
        }
    }
    assert_eq!(format!("{:?}", notes.all()), before);

    // Deleting needs the permission: Bob, a plain member, is refused in his own organization;
    // Alice, an editor, deletes her note.
    let (s, v) = call(&app, Method::DELETE, &format!("{nb}/{b1}"), Some(&bob_b)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(format!("{:?}", notes.all()), before);
    let (s, _) = call(&app, Method::DELETE, &format!("{na}/{a1}"), Some(&alice_a)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&app, Method::GET, &format!("{na}/{a1}"), Some(&alice_a)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let left: Vec<String> = notes.all().into_iter().map(|n| n.id).collect();
    assert_eq!(left, vec![b1.clone()]);
    let (s, list) = call(&app, Method::GET, &nb, Some(&bob_b)).await;
    assert_eq!((s, ids(&list)), (StatusCode::OK, vec![b1.as_str()]));
}
