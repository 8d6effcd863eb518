//! The `Authenticator` and its builder: the settings request authentication runs with.

use std::sync::Arc;

use http::StatusCode;

use crate::auth::AcceptsToken;
use crate::context::PublishableKey;
use crate::error::ConfigError;
use crate::routes::OrganizationSync;
use crate::verifier::Verifier;

/// Authenticates requests. Cheap to clone; build one per app.
#[derive(Clone)]
pub struct Authenticator {
    pub(super) inner: Arc<AuthnInner>,
}

pub(super) struct AuthnInner {
    pub(super) verifier: Verifier,
    pub(super) pk: Option<PublishableKey>,
    pub(super) accepts: AcceptsToken,
    pub(super) sign_in_url: Option<String>,
    pub(super) handshake: bool,
    pub(super) org_sync: Option<OrganizationSync>,
    pub(super) treat_pending_as_signed_out: bool,
    pub(super) trust_forwarded: bool,
    pub(super) forbidden: StatusCode,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("verifier", &self.inner.verifier)
            .field("accepts", &self.inner.accepts)
            .field("handshake", &self.inner.handshake)
            .finish()
    }
}

/// Builds an [`Authenticator`].
#[must_use]
pub struct AuthenticatorBuilder {
    verifier: Verifier,
    pk: Option<PublishableKey>,
    accepts: AcceptsToken,
    sign_in_url: Option<String>,
    handshake: bool,
    org_sync: Option<OrganizationSync>,
    treat_pending_as_signed_out: bool,
    trust_forwarded: bool,
    forbidden: StatusCode,
}

impl AuthenticatorBuilder {
    /// The publishable key: needed for cookie authentication with suffixed cookies and for the
    /// handshake (it names the Frontend API). Header-only APIs can do without.
    pub fn publishable_key(mut self, pk: &str) -> Result<Self, ConfigError> {
        self.pk = Some(PublishableKey::parse(pk)?);
        Ok(self)
    }
    /// Which token types are accepted (default: session tokens).
    pub fn accepts_token(mut self, a: impl Into<AcceptsToken>) -> Self {
        self.accepts = a.into();
        self
    }
    /// Where `protect()` sends signed-out page requests (with `?redirect_url=<this page>`).
    pub fn sign_in_url(mut self, url: impl Into<String>) -> Self {
        self.sign_in_url = Some(url.into());
        self
    }
    /// Enables the handshake redirects (requires a publishable key and a secret key).
    pub fn handshake(mut self, yes: bool) -> Self {
        self.handshake = yes;
        self
    }
    /// Organization activation from URL patterns.
    pub fn organization_sync(mut self, s: OrganizationSync) -> Self {
        self.org_sync = Some(s);
        self
    }
    /// Whether `sts: pending` sessions are signed out (default `true`, as Clerk).
    pub fn treat_pending_as_signed_out(mut self, yes: bool) -> Self {
        self.treat_pending_as_signed_out = yes;
        self
    }
    /// Whether `X-Forwarded-Host`/`-Proto` are trusted for the request's public URL (default
    /// `true`; they are validated either way). Turn off when no proxy strips them.
    pub fn trust_forwarded_headers(mut self, yes: bool) -> Self {
        self.trust_forwarded = yes;
        self
    }
    /// Answer failed authorization checks with 403 instead of Clerk's 404.
    pub fn forbidden_status(mut self, status: StatusCode) -> Self {
        self.forbidden = status;
        self
    }
    pub fn build(self) -> Authenticator {
        Authenticator {
            inner: Arc::new(AuthnInner {
                verifier: self.verifier,
                pk: self.pk,
                accepts: self.accepts,
                sign_in_url: self.sign_in_url,
                handshake: self.handshake,
                org_sync: self.org_sync,
                treat_pending_as_signed_out: self.treat_pending_as_signed_out,
                trust_forwarded: self.trust_forwarded,
                forbidden: self.forbidden,
            }),
        }
    }
}

impl Authenticator {
    pub fn builder(verifier: Verifier) -> AuthenticatorBuilder {
        AuthenticatorBuilder {
            verifier,
            pk: None,
            accepts: AcceptsToken::default(),
            sign_in_url: None,
            handshake: false,
            org_sync: None,
            treat_pending_as_signed_out: true,
            trust_forwarded: true,
            forbidden: StatusCode::NOT_FOUND,
        }
    }

    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    pub fn accepts(&self) -> &AcceptsToken {
        &self.inner.accepts
    }
}
