//! The signed-in caller of a Frontend API route (`/v1/me…`, `/v1/organizations…`): the browser,
//! the session it acts for, the route's path parameters and, with [`SignedInForm`], the body read
//! into its typed form. Each part is read in the order the handlers always read them — the
//! browser, the path, the body, then the session, then the form's fields — so that every refusal
//! keeps its precedence: a malformed id is not found before the client is found signed out, and a
//! signed-out client hears that before any field error.

use std::future::Future;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use usher_core::CoreError;
use usher_core::ids::SessionId;
use usher_core::sessions::Session;

use super::browser::Browser;
use super::form::Form;
use crate::app::frontend::clients::current_session;
use crate::error::ApiError;
use crate::extract::path::{Path, PathStruct};
use crate::state::AppState;

/// The session `browser` acts for: the one `_clerk_session_id` names, else the client's last
/// active one. A client without one is signed out.
pub async fn signed_in(state: &AppState, browser: &Browser) -> Result<Session, ApiError> {
    let client = browser.client.as_ref().ok_or(CoreError::SignedOut)?;
    // A malformed `_clerk_session_id` names no session of this client.
    let requested = match browser.session_id.as_deref().map(SessionId::parse) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => return Err(CoreError::SignedOut.into()),
    };
    Ok(current_session(state, client, requested.as_ref()).await?)
}

/// A route's path parameters as [`SignedIn`] reads them: a [`PathStruct`], or `()` for a route
/// that has none.
pub trait RoutePath: Sized + Send {
    fn read(
        parts: &mut Parts,
        state: &AppState,
    ) -> impl Future<Output = Result<Self, ApiError>> + Send;
}

impl RoutePath for () {
    async fn read(_: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        Ok(())
    }
}

impl<T: PathStruct + Send> RoutePath for T {
    async fn read(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Path(path) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(path)
    }
}

/// A request from a signed-in browser, with the route's path parameters (`P`).
pub struct SignedIn<P = ()> {
    pub browser: Browser,
    pub session: Session,
    pub path: P,
}

impl<P: RoutePath> FromRequestParts<AppState> for SignedIn<P> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let browser = Browser::from_request_parts(parts, state).await?;
        let path = P::read(parts, state).await?;
        let session = signed_in(state, &browser).await?;
        Ok(Self {
            browser,
            session,
            path,
        })
    }
}

/// A [`SignedIn`] request whose body is read into the typed form `F`.
pub struct SignedInForm<F, P = ()> {
    pub browser: Browser,
    pub session: Session,
    pub path: P,
    pub form: F,
    /// The body as sent, for a list field (`Form::all`).
    pub fields: Form,
}

impl<F: DeserializeOwned, P: RoutePath> FromRequest<AppState> for SignedInForm<F, P> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let browser = Browser::from_request_parts(&mut parts, state).await?;
        let path = P::read(&mut parts, state).await?;
        let fields = Form::from_request(Request::from_parts(parts, body), state).await?;
        let session = signed_in(state, &browser).await?;
        let form = fields.read::<F>()?;
        Ok(Self {
            browser,
            session,
            path,
            form,
            fields,
        })
    }
}
