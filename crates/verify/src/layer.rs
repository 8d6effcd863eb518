//! The tower layer (works with axum, and any tower-based server) and, with the `axum` feature,
//! the extractors.
//!
//! For every request the layer authenticates (unless the route is public), answers handshake
//! redirects, enforces the protected routes, puts the [`Auth`] in the request extensions and
//! adds the authentication's `Set-Cookie` headers to the response.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderValue, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

use crate::auth::{AcceptsToken, Has};
use crate::request::{Auth, Authenticator, Rejection, Status};
use crate::routes::RouteMatcher;

#[derive(Clone, Debug)]
struct Rule {
    routes: RouteMatcher,
    has: Option<Has>,
    accepts: Option<AcceptsToken>,
}

#[derive(Debug)]
struct Config {
    auth: Authenticator,
    public: Option<RouteMatcher>,
    protect: Vec<Rule>,
}

/// Authenticates every request (see the [module docs](self)).
///
/// ```no_run
/// # fn demo(authenticator: usher_verify::Authenticator) -> Result<(), usher_verify::ConfigError> {
/// use usher_verify::{AuthLayer, Has, RouteMatcher};
/// let layer = AuthLayer::new(authenticator)
///     .public_routes(RouteMatcher::new(["/webhooks(.*)", "/health"])?)
///     .protect_routes(RouteMatcher::new(["/dashboard(.*)", "/api/private(.*)"])?)
///     .protect_routes_with(RouteMatcher::new(["/admin(.*)"])?, Has::role("org:admin"));
/// # let _ = layer; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AuthLayer {
    config: Arc<Config>,
}

impl AuthLayer {
    pub fn new(auth: Authenticator) -> Self {
        Self {
            config: Arc::new(Config {
                auth,
                public: None,
                protect: Vec::new(),
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut Config)) -> Self {
        if let Some(c) = Arc::get_mut(&mut self.config) {
            f(c);
        } else {
            let mut c = Config {
                auth: self.config.auth.clone(),
                public: self.config.public.clone(),
                protect: self.config.protect.clone(),
            };
            f(&mut c);
            self.config = Arc::new(c);
        }
        self
    }

    /// Routes that are never authenticated (webhook receivers, health checks): no token is
    /// looked at, and the handler's [`Auth`] is signed out with no reason.
    pub fn public_routes(self, routes: RouteMatcher) -> Self {
        self.edit(|c| c.public = Some(routes))
    }

    /// Routes that require a signed-in session (`protect()`): 401, or a redirect to the sign-in
    /// URL for page requests.
    pub fn protect_routes(self, routes: RouteMatcher) -> Self {
        self.edit(|c| {
            c.protect.push(Rule {
                routes,
                has: None,
                accepts: None,
            });
        })
    }

    /// Routes that require a session passing `has` (404, or 403 if so configured, otherwise).
    pub fn protect_routes_with(self, routes: RouteMatcher, has: Has) -> Self {
        self.edit(|c| {
            c.protect.push(Rule {
                routes,
                has: Some(has),
                accepts: None,
            });
        })
    }

    /// Routes that require an authenticated token of these types (e.g. API keys for `/api/v1`).
    pub fn protect_routes_for(
        self,
        routes: RouteMatcher,
        accepts: impl Into<AcceptsToken>,
    ) -> Self {
        let accepts = accepts.into();
        self.edit(|c| {
            c.protect.push(Rule {
                routes,
                has: None,
                accepts: Some(accepts),
            });
        })
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service [`AuthLayer`] wraps around the app.
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    config: Arc<Config>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

fn redirect<B: From<String>>(headers: Vec<(http::HeaderName, HeaderValue)>) -> Response<B> {
    let mut resp = Response::new(B::from(String::new()));
    *resp.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    for (k, v) in headers {
        resp.headers_mut().append(k, v);
    }
    resp
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Send + 'static,
    ResBody: From<String> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        // The clone that was driven to readiness serves this request (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config.clone();
        Box::pin(async move {
            let path = req.uri().path().to_owned();
            if config.public.as_ref().is_some_and(|p| p.matches(&path)) {
                req.extensions_mut().insert(Auth::signed_out(None));
                return inner.call(req).await;
            }
            let state = config
                .auth
                .authenticate(req.method(), req.uri(), req.headers())
                .await;
            if state.status == Status::Handshake || state.location().is_some() {
                return Ok(redirect(state.headers));
            }
            let auth = state.auth().clone();
            for rule in &config.protect {
                match rule.routes.check(&path) {
                    Err(()) => return Ok(Rejection::BadRequest.into_response()),
                    Ok(false) => continue,
                    Ok(true) => {}
                }
                let verdict = match (&rule.accepts, &rule.has) {
                    (Some(a), _) => auth.protect_token(a.clone()).map(|_| ()),
                    (None, Some(h)) => auth.protect_with(h).map(|_| ()),
                    (None, None) => auth.protect().map(|_| ()),
                };
                if let Err(rejection) = verdict {
                    let mut resp: Response<ResBody> = rejection.into_response();
                    for (k, v) in &state.headers {
                        resp.headers_mut().append(k.clone(), v.clone());
                    }
                    return Ok(resp);
                }
            }
            req.extensions_mut().insert(auth);
            let mut resp = inner.call(req).await?;
            for (k, v) in state.headers {
                resp.headers_mut().append(k, v);
            }
            Ok(resp)
        })
    }
}

#[cfg(feature = "axum")]
mod axum_impl {
    use axum::extract::FromRequestParts;
    use axum::response::{IntoResponse, Response};
    use http::request::Parts;

    use super::{Auth, Rejection};

    impl IntoResponse for Rejection {
        fn into_response(self) -> Response {
            Rejection::into_response::<axum::body::Body>(self)
        }
    }

    /// The request's auth object, whatever it is (signed in or out). Needs the
    /// [`AuthLayer`](crate::AuthLayer); without it the request fails with 500.
    impl<S: Send + Sync> FromRequestParts<S> for Auth {
        type Rejection = Rejection;
        async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
            parts
                .extensions
                .get::<Auth>()
                .cloned()
                .ok_or(Rejection::MissingLayer)
        }
    }

    /// A signed-in, non-pending session; otherwise the request is answered by
    /// [`Auth::protect`]'s rejection (401, or a redirect to sign in).
    #[derive(Clone, Debug)]
    pub struct SignedIn(pub Auth);

    impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
        type Rejection = Rejection;
        async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
            let auth = Auth::from_request_parts(parts, state).await?;
            auth.protect()?;
            Ok(SignedIn(auth))
        }
    }

    impl std::ops::Deref for SignedIn {
        type Target = Auth;
        fn deref(&self) -> &Auth {
            &self.0
        }
    }
}

#[cfg(feature = "axum")]
pub use axum_impl::SignedIn;
