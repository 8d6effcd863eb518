use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn sessions_list_get_revoke_and_tokens() {
    let app = spawn_app().await;
    let u = app.create_user("s@sess.test").await;
    let uid = u["id"].as_str().unwrap();
    let s1 = app.create_session(uid).await;
    let s2 = app.create_session(uid).await;
    assert_eq!(s1["object"], "session");
    assert_eq!(s1["status"], "active");
    assert!(s1["client_id"].as_str().unwrap().starts_with("client_"));
    assert!(s1["expire_at"].as_i64().unwrap() > s1["created_at"].as_i64().unwrap());

    let bare = app
        .get(&format!("/v1/sessions?user_id={uid}&status=active"))
        .await;
    assert_eq!(bare.list_len(), 2);
    let paged = app
        .get(&format!(
            "/v1/sessions?user_id={uid}&status=active&limit=1&paginated=true"
        ))
        .await;
    assert_eq!(paged.ok()["total_count"], 2);
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 1);
    app.get("/v1/sessions?status=bogus")
        .await
        .err(400, "form_param_value_invalid");

    let sid = s1["id"].as_str().unwrap();
    let tok = app.post_empty(&format!("/v1/sessions/{sid}/tokens")).await;
    assert_eq!(tok.ok()["object"], "token");
    let jwt = tok.body["jwt"].as_str().unwrap();
    let (header, claims) = decode_jwt(jwt);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["cat"], "cl_B7d4PD111AAA");
    assert_eq!(claims["sub"], uid);
    assert_eq!(claims["sid"], sid);
    assert_eq!(claims["sts"], "active");
    assert_eq!(claims["v"], 2);
    assert_eq!(claims["fva"], json!([0, -1]));
    assert!(claims.get("aud").is_none());
    let host = app.running.state.instance.frontend_host.clone();
    assert_eq!(claims["iss"], format!("https://{host}"));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    assert_eq!(
        claims["iat"].as_i64().unwrap() - claims["nbf"].as_i64().unwrap(),
        10
    );

    let jwks = app.get("/v1/jwks").await;
    let key = &jwks.ok()["keys"][0];
    assert_eq!(key["kid"], header["kid"]);
    assert_eq!(
        (
            key["kty"].as_str(),
            key["alg"].as_str(),
            key["use"].as_str(),
            key["e"].as_str()
        ),
        (Some("RSA"), Some("RS256"), Some("sig"), Some("AQAB"))
    );
    assert!(verify_with_jwk(jwt, key));
    let mut tampered = jwt.to_owned();
    tampered.replace_range(
        jwt.len() - 5..jwt.len() - 4,
        if &jwt[jwt.len() - 5..jwt.len() - 4] == "A" {
            "B"
        } else {
            "A"
        },
    );
    assert!(!verify_with_jwk(&tampered, key));
    // The Frontend API publishes the same keys without a secret.
    let public = Browser::new(&app.frontend_url())
        .get("/.well-known/jwks.json")
        .await
        .ok()
        .clone();
    assert_eq!(public["keys"][0]["n"], key["n"]);

    let long = app
        .post(
            &format!("/v1/sessions/{sid}/tokens"),
            json!({"expires_in_seconds": 3600}),
        )
        .await;
    let (_, c) = decode_jwt(long.ok()["jwt"].as_str().unwrap());
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600
    );
    app.post(
        &format!("/v1/sessions/{sid}/tokens"),
        json!({"expires_in_seconds": 5}),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.post(
        &format!("/v1/sessions/{sid}/tokens"),
        json!({"expires_in_seconds": "soon"}),
    )
    .await
    .err(422, "form_param_format_invalid");
    app.post_empty(&format!("/v1/sessions/{sid}/tokens/no_such_template"))
        .await
        .err(404, "resource_not_found");

    let revoked = app.revoke_session(sid).await;
    assert_eq!(revoked.ok()["status"], "revoked");
    app.post_empty(&format!("/v1/sessions/{sid}/tokens"))
        .await
        .err(422, "session_not_active");
    assert_eq!(
        app.revoke_session(sid).await.ok()["status"],
        "revoked",
        "revoking twice is harmless"
    );
    assert_eq!(
        app.get(&format!("/v1/sessions/{sid}")).await.ok()["status"],
        "revoked"
    );
    let active = app
        .get(&format!("/v1/sessions?user_id={uid}&status=active"))
        .await;
    assert_eq!(active.ok().as_array().unwrap()[0]["id"], s2["id"]);
    app.get("/v1/sessions/sess_missing")
        .await
        .err(404, "resource_not_found");
    app.post_empty("/v1/sessions/sess_missing/tokens")
        .await
        .err(404, "resource_not_found");
    app.post("/v1/sessions", json!({"user_id": "user_missing"}))
        .await
        .err(404, "resource_not_found");
    app.post("/v1/sessions", json!({}))
        .await
        .err(422, "form_param_missing");
    let _ = Method::GET;
}

#[tokio::test]
async fn ban_and_lock_stop_tokens_and_ban_revokes_sessions() {
    let app = spawn_app().await;
    let u = app.create_user("b@ban.test").await;
    let uid = u["id"].as_str().unwrap();
    let s = app.create_session(uid).await;
    let sid = s["id"].as_str().unwrap();

    let locked = app.post_empty(&format!("/v1/users/{uid}/lock")).await;
    assert_eq!(locked.ok()["locked"], true);
    let secs = locked.body["lockout_expires_in_seconds"].as_i64().unwrap();
    assert!((3590..=3600).contains(&secs), "{secs}");
    let e = app.post_empty(&format!("/v1/sessions/{sid}/tokens")).await;
    e.err(403, "user_locked");
    assert!(
        e.body["errors"][0]["meta"]["lockout_expires_in_seconds"]
            .as_i64()
            .is_some()
    );
    app.post("/v1/sessions", json!({"user_id": uid}))
        .await
        .err(403, "user_locked");
    assert_eq!(
        app.post_empty(&format!("/v1/users/{uid}/unlock"))
            .await
            .ok()["locked"],
        false
    );
    app.post_empty(&format!("/v1/sessions/{sid}/tokens"))
        .await
        .ok();

    let banned = app.post_empty(&format!("/v1/users/{uid}/ban")).await;
    assert_eq!(banned.ok()["banned"], true);
    assert_eq!(
        app.get(&format!("/v1/sessions/{sid}")).await.ok()["status"],
        "revoked"
    );
    app.post_empty(&format!("/v1/sessions/{sid}/tokens"))
        .await
        .err(403, "user_banned");
    app.post("/v1/sessions", json!({"user_id": uid}))
        .await
        .err(403, "user_banned");
    assert_eq!(
        app.post_empty(&format!("/v1/users/{uid}/unban")).await.ok()["banned"],
        false
    );
    let fresh = app.create_session(uid).await;
    app.session_jwt(fresh["id"].as_str().unwrap()).await;

    let types = app.event_types().await;
    let ban_pos = types.iter().rposition(|t| t == "session.revoked").unwrap();
    assert!(types[..ban_pos].contains(&"session.created".to_owned()));
}

#[tokio::test]
async fn delete_user_removes_sessions_and_frees_email() {
    let app = spawn_app().await;
    let u = app.create_user("d@del.test").await;
    let uid = u["id"].as_str().unwrap();
    let s = app.create_session(uid).await;
    let path = format!("/v1/users/{uid}");
    app.delete_gone(&path, "user", uid).await;
    app.delete(&path).await.err(404, "resource_not_found");
    assert_eq!(
        app.get(&format!("/v1/sessions/{}", s["id"].as_str().unwrap()))
            .await
            .ok()["status"],
        "removed"
    );
    app.post_empty(&format!(
        "/v1/sessions/{}/tokens",
        s["id"].as_str().unwrap()
    ))
    .await
    .err(404, "resource_not_found");
    app.create_user("d@del.test").await;
    let events = app.events().await;
    let deleted = events
        .iter()
        .find(|e| e.event_type == "user.deleted")
        .unwrap();
    assert_eq!(
        deleted.data,
        json!({"object": "user", "id": uid, "deleted": true})
    );
    assert!(events.iter().any(|e| e.event_type == "session.removed"));
}
