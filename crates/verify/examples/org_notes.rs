//! A multi-tenant notes service on usher-verify: every note belongs to an organization, and
//! every route acts in the caller's active organization, read from the session token.
//!
//! ```sh
//! usher serve &                                   # or point at Clerk
//! export USHER_API_URL=http://127.0.0.1:4000 USHER_SECRET_KEY=sk_test_…
//! cargo run -p usher-verify --example org_notes
//! curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:3000/orgs/$ORG_ID/notes
//! curl -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
//!      -d '{"text":"hello"}' http://127.0.0.1:3000/orgs/$ORG_ID/notes
//! ```
//!
//! - `GET/POST /orgs/{org_id}/notes`, `GET/DELETE /orgs/{org_id}/notes/{note_id}`.
//! - Not signed in: 401. A path naming another organization than the token's active one (or a
//!   token with none), or a note of another organization: 404, as if it did not exist, so that
//!   nobody learns which ids are real elsewhere.
//! - Any member of the organization reads and writes its notes; deleting one also needs the
//!   custom permission `org:notes:delete` (403 without it). System permissions
//!   (`org:sys_…`) are not in session tokens, so an app checks its own.
//!
//! Environment: `USHER_API_URL` and `USHER_SECRET_KEY` (the JWKS), or `USHER_JWT_KEY` (a PEM,
//! no network at all); `PORT`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use usher_verify::{AuthLayer, Authenticator, Has, Rejection, SignedIn, Verifier};

/// The permission a member needs to delete notes, granted by the roles the instance defines.
pub const DELETE_NOTES: &str = "org:notes:delete";

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub id: String,
    pub org_id: String,
    pub author_id: String,
    pub text: String,
}

/// In memory; ids are global, as a database's would be, so one organization's ids are
/// meaningful (and must be refused) in another's paths.
#[derive(Clone, Default)]
pub struct Notes {
    inner: Arc<Mutex<(u64, BTreeMap<String, Note>)>>,
}

impl Notes {
    fn with<T>(&self, f: impl FnOnce(&mut (u64, BTreeMap<String, Note>)) -> T) -> T {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
    /// Every note of every organization (what an operator, not a tenant, may see).
    pub fn all(&self) -> Vec<Note> {
        self.with(|(_, m)| m.values().cloned().collect())
    }
}

#[derive(Debug)]
enum AppError {
    Auth(Rejection),
    NotFound,
    Invalid(&'static str),
}

impl From<Rejection> for AppError {
    fn from(r: Rejection) -> Self {
        Self::Auth(r)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            Self::Auth(r) => r.into_response(),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                Json(serde_json::json!({"error": "not_found"})),
            )
                .into_response(),
            Self::Invalid(why) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(serde_json::json!({"error": why})),
            )
                .into_response(),
        }
    }
}

/// The organization the request acts in: the session's active organization, which the path
/// must name. The token alone decides the tenant; the path only has to agree with it.
fn tenant(user: &SignedIn, org_in_path: &str) -> Result<String, AppError> {
    match user.org_id() {
        Some(org) if org == org_in_path => Ok(org.to_owned()),
        _ => Err(AppError::NotFound),
    }
}

async fn list(
    user: SignedIn,
    State(notes): State<Notes>,
    Path(org): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let org = tenant(&user, &org)?;
    let data: Vec<Note> =
        notes.with(|(_, m)| m.values().filter(|n| n.org_id == org).cloned().collect());
    Ok(Json(
        serde_json::json!({"total_count": data.len(), "data": data}),
    ))
}

#[derive(Deserialize)]
struct NewNote {
    text: String,
}

async fn create(
    user: SignedIn,
    State(notes): State<Notes>,
    Path(org): Path<String>,
    Json(body): Json<NewNote>,
) -> Result<(StatusCode, Json<Note>), AppError> {
    let org = tenant(&user, &org)?;
    if body.text.trim().is_empty() {
        return Err(AppError::Invalid("text_required"));
    }
    let note = notes.with(|(seq, m)| {
        *seq += 1;
        let note = Note {
            id: format!("note_{seq}"),
            org_id: org,
            author_id: user.user_id().unwrap_or_default().to_owned(),
            text: body.text,
        };
        m.insert(note.id.clone(), note.clone());
        note
    });
    Ok((StatusCode::CREATED, Json(note)))
}

async fn read(
    user: SignedIn,
    State(notes): State<Notes>,
    Path((org, id)): Path<(String, String)>,
) -> Result<Json<Note>, AppError> {
    let org = tenant(&user, &org)?;
    notes
        .with(|(_, m)| m.get(&id).filter(|n| n.org_id == org).cloned())
        .map(Json)
        .ok_or(AppError::NotFound)
}

async fn delete(
    user: SignedIn,
    State(notes): State<Notes>,
    Path((org, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    let org = tenant(&user, &org)?;
    let in_tenant = |m: &BTreeMap<String, Note>| m.get(&id).is_some_and(|n| n.org_id == org);
    // Existence first, within the tenant only: another organization's note is not found
    // whatever one's permissions, one's own is refused without the permission.
    if !notes.with(|(_, m)| in_tenant(m)) {
        return Err(AppError::NotFound);
    }
    user.protect_with(&Has::permission(DELETE_NOTES))?;
    notes
        .with(|(_, m)| if in_tenant(m) { m.remove(&id) } else { None })
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or(AppError::NotFound)
}

/// The app: its routes behind the authentication layer. Failed permission checks answer 403
/// (usher-verify's default is 404, which hides the route itself).
pub fn app(verifier: Verifier, notes: Notes) -> Router {
    let auth = Authenticator::builder(verifier)
        .forbidden_status(StatusCode::FORBIDDEN)
        .build();
    Router::new()
        .route("/orgs/{org_id}/notes", get(list).post(create))
        .route("/orgs/{org_id}/notes/{note_id}", get(read).delete(delete))
        .layer(AuthLayer::new(auth))
        .with_state(notes)
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
    let app = app(verifier.build()?, Notes::default());
    let port = env("PORT").unwrap_or_else(|| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
