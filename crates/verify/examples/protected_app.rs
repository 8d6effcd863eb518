//! A small axum app protected by usher-verify.
//!
//! ```sh
//! usher serve &                                   # or point at Clerk
//! export USHER_API_URL=http://127.0.0.1:4000 USHER_SECRET_KEY=sk_test_… USHER_PUBLISHABLE_KEY=pk_test_…
//! cargo run --release -p usher-verify --example protected_app
//! curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/api/me
//! ```
//!
//! Environment: `USHER_API_URL` and `USHER_SECRET_KEY` (JWKS and API keys), optionally
//! `USHER_JWT_KEY` (a PEM: session tokens then verify with no network at all),
//! `USHER_PUBLISHABLE_KEY` (cookie sessions), `USHER_WEBHOOK_SECRET` (`whsec_…`), `PORT`.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::json;
use usher_verify::{
    Auth, AuthLayer, Authenticator, Has, OrganizationSync, RouteMatcher, SignedIn, TokenType,
    Verifier, Webhook, webhooks,
};

#[derive(Clone)]
struct AppState {
    webhook: Option<Webhook>,
    /// `svix-id`s already handled. A real app records them in its database, in the same
    /// transaction as the effect (see `usher_verify::webhooks`).
    seen: Arc<Mutex<HashSet<String>>>,
}

async fn home(auth: Auth) -> String {
    match auth.user_id() {
        Some(u) => format!("Hello, {u}!"),
        None => "Hello, stranger. Sign in to see your dashboard.".into(),
    }
}

/// Any signed-in session (the `SignedIn` extractor answers 401 otherwise).
async fn me(user: SignedIn) -> impl IntoResponse {
    axum::Json(json!({
        "user_id": user.user_id(),
        "session_id": user.session_id(),
        "org_id": user.org_id(),
        "org_role": user.org_role(),
        "org_permissions": user.org_permissions(),
    }))
}

/// Routes under /dashboard are protected by the layer; the handler just reads the auth.
async fn dashboard(auth: Auth) -> String {
    format!("Dashboard of {}", auth.user_id().unwrap_or_default())
}

/// A finer check inside a handler: `protect_with` answers 404 when it fails.
async fn members(auth: Auth) -> Result<&'static str, usher_verify::Rejection> {
    auth.protect_with(&Has::permission("org:members:manage"))?;
    Ok("You may manage members.")
}

/// Machine clients with an API key (or M2M token) only.
async fn export(auth: Auth) -> Result<String, usher_verify::Rejection> {
    auth.protect_token([TokenType::ApiKey, TokenType::M2mToken])?;
    let m = auth
        .machine()
        .map(|m| m.subject.clone())
        .unwrap_or_default();
    Ok(format!("export for {m}"))
}

/// A webhook receiver: public route, signature checked here, deduplicated on `svix-id`.
async fn webhook(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(wh) = &st.webhook else {
        return StatusCode::NOT_FOUND;
    };
    let event: serde_json::Value = match wh.verify_json(&headers, &body) {
        Ok(e) => e,
        Err(_) => return StatusCode::BAD_REQUEST,
    };
    let id = webhooks::message_id(&headers)
        .unwrap_or_default()
        .to_owned();
    let first_time = st.seen.lock().map(|mut s| s.insert(id)).unwrap_or(false);
    if first_time {
        println!("event {}", event["type"]);
    }
    StatusCode::NO_CONTENT // 2xx for duplicates too, or the sender retries them
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut verifier = Verifier::builder();
    if let Some(url) = env("USHER_API_URL") {
        verifier = verifier.api_url(url);
    }
    if let Some(sk) = env("USHER_SECRET_KEY") {
        verifier = verifier.secret_key(sk);
    }
    if let Some(pem) = env("USHER_JWT_KEY") {
        verifier = verifier.jwt_key(&pem)?;
    }
    let verifier = verifier.build()?;
    // Fetch the keys before the first request (a failure is fine: they are fetched on demand).
    let _ = verifier.refresh_jwks().await;

    let mut auth = Authenticator::builder(verifier)
        .accepts_token([
            TokenType::SessionToken,
            TokenType::ApiKey,
            TokenType::M2mToken,
        ])
        .sign_in_url("/sign-in")
        .organization_sync(OrganizationSync::new(
            ["/orgs/:slug", "/orgs/:slug/(.*)"],
            ["/me(.*)"],
        )?);
    if let Some(pk) = env("USHER_PUBLISHABLE_KEY") {
        auth = auth.publishable_key(&pk)?;
    }
    let layer = AuthLayer::new(auth.build())
        .public_routes(RouteMatcher::new(["/webhooks(.*)"])?)
        .protect_routes(RouteMatcher::new(["/dashboard(.*)", "/api/private(.*)"])?)
        .protect_routes_with(RouteMatcher::new(["/admin(.*)"])?, Has::role("org:admin"));

    let state = AppState {
        webhook: env("USHER_WEBHOOK_SECRET")
            .map(|s| Webhook::new(&s))
            .transpose()?,
        seen: Arc::default(),
    };
    let app = Router::new()
        .route("/", get(home))
        .route("/api/me", get(me))
        .route("/dashboard", get(dashboard))
        .route("/admin", get(|| async { "admins only" }))
        .route("/orgs/{slug}/members", get(members))
        .route("/api/export", get(export))
        .route("/webhooks/usher", post(webhook))
        .layer(layer)
        .with_state(state);

    let port = env("PORT").unwrap_or_else(|| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
