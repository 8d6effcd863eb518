//! Token verification: session JWTs (and machine JWTs) checked locally against a PEM key or
//! the instance's JWKS, opaque machine tokens through the Backend API.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::auth::{MachineAuth, SessionAuth, TokenType};
use crate::clock::{Clock, SystemClock};
use crate::error::{ConfigError, Reason, VerifyError};
use crate::http_util::join;
use crate::jwks::{JwksSettings, JwksStats, RemoteJwks};
use crate::jwt::{self, Decoded, RawClaims, raw_f64, raw_json, raw_str};
use crate::keys::{Alg, RsaKey};
use crate::machine::{self, MachineCache, MachineSettings};

/// `cat` of session tokens.
pub const SESSION_TOKEN_CATEGORY: &str = "cl_B7d4PD111AAA";
/// `cat` of JWT-template tokens.
pub const JWT_TEMPLATE_CATEGORY: &str = "cl_B7d4PD222AAA";
/// `cat` of M2M tokens.
pub const M2M_TOKEN_CATEGORY: &str = "cl_B7d4PD333AAA";
/// `cat` some instances stamp on every class; it says nothing about the class.
pub const IGNORE_CATEGORY: &str = "cl_I7d4PD111III";

/// Clerk's default Backend API.
pub const DEFAULT_API_URL: &str = "https://api.clerk.com";

/// The kind of JWT being verified; it decides the `typ` and `cat` rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JwtKind {
    Session,
    M2m,
    OAuth,
}

/// Claim checks shared by every JWT.
#[derive(Clone, Debug)]
pub(crate) struct ClaimRules {
    pub authorized_parties: Vec<String>,
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub clock_skew_ms: i64,
}

pub(crate) struct Bapi {
    pub api_url: String,
    pub secret_key: Option<String>,
    pub machine_secret_key: Option<String>,
}

pub(crate) struct Inner {
    static_keys: Vec<Arc<RsaKey>>,
    remote: Option<Arc<RemoteJwks>>,
    pub rules: ClaimRules,
    pub clock: Arc<dyn Clock>,
    pub bapi: Bapi,
    pub http: reqwest::Client,
    pub machine_cache: MachineCache,
    pub machine_settings: MachineSettings,
}

/// Verifies tokens. Cheap to clone (one `Arc`); build one per instance and share it.
///
/// ```no_run
/// # async fn demo(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// use usher_verify::Verifier;
/// // Networkless: the instance's PEM public key (what Clerk calls CLERK_JWT_KEY).
/// let verifier = Verifier::builder()
///     .jwt_key(&std::env::var("USHER_JWT_KEY")?)?
///     .authorized_parties(["https://app.example.com"])
///     .build()?;
/// let session = verifier.verify_session_token(token).await?;
/// println!("user {} in org {:?}", session.user_id, session.org_id);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Verifier {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("static_keys", &self.inner.static_keys.len())
            .field("jwks", &self.inner.remote.is_some())
            .field("api_url", &self.inner.bapi.api_url)
            .finish()
    }
}

/// Builds a [`Verifier`].
#[must_use]
pub struct VerifierBuilder {
    static_keys: Vec<Arc<RsaKey>>,
    secret_key: Option<String>,
    machine_secret_key: Option<String>,
    api_url: String,
    jwks_url: Option<String>,
    use_jwks: Option<bool>,
    jwks: JwksSettings,
    rules: ClaimRules,
    clock: Arc<dyn Clock>,
    http: Option<reqwest::Client>,
    machine: MachineSettings,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        Self {
            static_keys: Vec::new(),
            secret_key: None,
            machine_secret_key: None,
            api_url: DEFAULT_API_URL.into(),
            jwks_url: None,
            use_jwks: None,
            jwks: JwksSettings::default(),
            rules: ClaimRules {
                authorized_parties: Vec::new(),
                issuers: Vec::new(),
                audiences: Vec::new(),
                clock_skew_ms: 5_000,
            },
            clock: Arc::new(SystemClock),
            http: None,
            machine: MachineSettings::default(),
        }
    }
}

impl VerifierBuilder {
    /// The instance's PEM public key (SPKI): session tokens verify with no network at all.
    /// May be called several times (e.g. the old and the new key during a rotation).
    pub fn jwt_key(mut self, pem: &str) -> Result<Self, ConfigError> {
        self.static_keys.push(Arc::new(RsaKey::from_pem(pem)?));
        Ok(self)
    }

    /// A key built by hand (a `kid`, other algorithms, a DER or JWK source).
    pub fn key(mut self, key: RsaKey) -> Self {
        self.static_keys.push(Arc::new(key));
        self
    }

    /// The secret key (`sk_…`): authorizes the JWKS fetch and machine-token verification.
    /// With a secret key and no PEM key, session tokens verify against the JWKS.
    pub fn secret_key(mut self, sk: impl Into<String>) -> Self {
        self.secret_key = Some(sk.into());
        self
    }

    /// A machine secret key, sent instead of the secret key when verifying M2M tokens.
    pub fn machine_secret_key(mut self, key: impl Into<String>) -> Self {
        self.machine_secret_key = Some(key.into());
        self
    }

    /// The Backend API base URL (Usher: `http://127.0.0.1:4000`; Clerk: the default
    /// `https://api.clerk.com`). The JWKS is `{api_url}/v1/jwks`.
    pub fn api_url(mut self, url: impl Into<String>) -> Self {
        self.api_url = url.into();
        self
    }

    /// Fetch the JWKS from this URL instead (e.g. the public
    /// `{frontend_api}/.well-known/jwks.json`, which needs no secret key).
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self.use_jwks = Some(true);
        self
    }

    /// Whether to use the remote JWKS. Default: when there is a secret key or a JWKS URL.
    /// Set `false` to verify with PEM keys only even though a secret key is configured (for
    /// API keys).
    pub fn use_jwks(mut self, yes: bool) -> Self {
        self.use_jwks = Some(yes);
        self
    }

    pub fn jwks_settings(mut self, s: JwksSettings) -> Self {
        self.jwks = s;
        self
    }

    /// Origins allowed in `azp` (e.g. `https://app.example.com`). When set, a session token
    /// without a matching `azp` is refused (`token-invalid-authorized-parties`).
    pub fn authorized_parties<I, S>(mut self, parties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rules.authorized_parties = parties.into_iter().map(Into::into).collect();
        self
    }

    /// Require `iss` to be one of these (e.g. `https://auth.example.com`).
    pub fn issuers<I, S>(mut self, issuers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rules.issuers = issuers.into_iter().map(Into::into).collect();
        self
    }

    /// Check `aud` against these when the token has one (JWT templates with an audience).
    pub fn audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rules.audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// Allowed clock difference for `exp`, `nbf` and `iat` (default 5 s).
    pub fn clock_skew(mut self, d: Duration) -> Self {
        self.rules.clock_skew_ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The HTTP client for the JWKS and the Backend API (default: a fresh one).
    pub fn http_client(mut self, c: reqwest::Client) -> Self {
        self.http = Some(c);
        self
    }

    pub fn machine_settings(mut self, s: MachineSettings) -> Self {
        self.machine = s;
        self
    }

    pub fn build(self) -> Result<Verifier, ConfigError> {
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .map_err(|e| ConfigError::Http(e.to_string()))?,
        };
        let api_url = self.api_url.trim_end_matches('/').to_owned();
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            return Err(ConfigError::InvalidUrl(api_url));
        }
        let use_jwks = self
            .use_jwks
            .unwrap_or(self.secret_key.is_some() && self.static_keys.is_empty());
        let remote = if use_jwks {
            let url = self
                .jwks_url
                .clone()
                .unwrap_or_else(|| join(&api_url, "/v1/jwks"));
            let secret = if self.jwks_url.is_some() && self.secret_key.is_none() {
                None
            } else {
                self.secret_key.as_deref()
            };
            Some(Arc::new(RemoteJwks::new(
                url,
                secret,
                http.clone(),
                self.jwks,
            )))
        } else {
            None
        };
        Ok(Verifier {
            inner: Arc::new(Inner {
                static_keys: self.static_keys,
                remote,
                rules: self.rules,
                clock: self.clock,
                bapi: Bapi {
                    api_url,
                    secret_key: self.secret_key,
                    machine_secret_key: self.machine_secret_key,
                },
                http,
                machine_cache: MachineCache::new(self.machine.max_entries),
                machine_settings: self.machine,
            }),
        })
    }
}

/// A verified token: a decoded session, or the claims of a machine JWT.
// Sessions are the hot path: boxing them would cost an allocation per verification.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Outcome {
    Session(SessionAuth),
    Claims(Map<String, Value>),
}

impl Outcome {
    fn session(self) -> SessionAuth {
        match self {
            Outcome::Session(s) => s,
            Outcome::Claims(c) => SessionAuth::from_claims(c),
        }
    }
    fn claims(self) -> Map<String, Value> {
        match self {
            Outcome::Session(s) => s.claims().clone(),
            Outcome::Claims(c) => c,
        }
    }
}

/// What the synchronous part of a verification needs next.
#[allow(clippy::large_enum_variant)]
enum Step {
    Done(Outcome),
    /// The JWKS must be consulted for this `kid`.
    FetchKid(String),
}

impl Verifier {
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Verifies a session token and decodes it. Fetches the JWKS only when the token names a
    /// key that is not cached (and was not recently missing).
    pub async fn verify_session_token(&self, token: &str) -> Result<SessionAuth, VerifyError> {
        self.verify_jwt(token, JwtKind::Session)
            .await
            .map(Outcome::session)
    }

    /// Like [`verify_session_token`](Self::verify_session_token) but never does I/O: a `kid`
    /// that is not cached fails with `jwk-kid-mismatch`. This is the hot path the middleware
    /// takes for almost every request.
    pub fn verify_session_token_cached(&self, token: &str) -> Result<SessionAuth, VerifyError> {
        match self.verify_step(token, JwtKind::Session)? {
            Step::Done(outcome) => Ok(outcome.session()),
            Step::FetchKid(kid) => Err(VerifyError::new(
                Reason::JwkKidMismatch,
                format!(
                    "no cached key for kid {:?}",
                    kid.chars().take(64).collect::<String>()
                ),
            )),
        }
    }

    /// Verifies any machine token: `ak_…`, `mt_…`, `oat_…` through the Backend API (cached
    /// briefly), M2M and OAuth JWTs locally.
    pub async fn verify_machine_token(&self, token: &str) -> Result<MachineAuth, VerifyError> {
        if let Some(t) = machine::classify_prefix(token) {
            return machine::verify_opaque(&self.inner, t, token).await;
        }
        match machine::classify(token) {
            Some(TokenType::M2mToken) => {
                let claims = self.verify_jwt(token, JwtKind::M2m).await?.claims();
                Ok(machine::m2m_from_jwt(claims))
            }
            Some(TokenType::OAuthToken) => {
                let claims = self.verify_jwt(token, JwtKind::OAuth).await?.claims();
                Ok(machine::oauth_from_jwt(claims))
            }
            _ => Err(VerifyError::new(
                Reason::TokenTypeMismatch,
                "not a machine token (ak_, mt_, oat_, or a machine JWT)",
            )),
        }
    }

    /// Fetches the JWKS now (e.g. at start-up, so the first request needs no fetch). Returns
    /// how many keys are cached. A failure keeps whatever keys were cached.
    pub async fn refresh_jwks(&self) -> Result<usize, VerifyError> {
        match &self.inner.remote {
            Some(r) => r.refresh().await,
            None => Ok(0),
        }
    }

    /// JWKS cache counters (`None` without a remote JWKS).
    pub fn jwks_stats(&self) -> Option<JwksStats> {
        self.inner.remote.as_ref().map(|r| r.stats())
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    pub(crate) async fn verify_jwt(
        &self,
        token: &str,
        kind: JwtKind,
    ) -> Result<Outcome, VerifyError> {
        match self.verify_step(token, kind)? {
            Step::Done(claims) => Ok(claims),
            Step::FetchKid(kid) => {
                let Some(remote) = &self.inner.remote else {
                    return Err(VerifyError::new(
                        Reason::JwkFailedToResolve,
                        "Failed to resolve JWK during verification.",
                    ));
                };
                remote.key_for(&kid).await?;
                match self.verify_step(token, kind)? {
                    Step::Done(claims) => Ok(claims),
                    Step::FetchKid(kid) => Err(VerifyError::new(
                        Reason::JwkKidMismatch,
                        format!(
                            "no key for kid {:?}",
                            kid.chars().take(64).collect::<String>()
                        ),
                    )),
                }
            }
        }
    }

    /// Everything that needs no I/O: decode, header checks, key lookup in the cache, signature
    /// and claims.
    fn verify_step(&self, token: &str, kind: JwtKind) -> Result<Step, VerifyError> {
        let d = jwt::decode(token)?;
        check_header(&d, kind)?;
        let alg = d
            .header
            .alg
            .as_ref()
            .and_then(Value::as_str)
            .and_then(Alg::parse)
            .ok_or_else(|| {
                VerifyError::new(
                    Reason::TokenInvalidAlgorithm,
                    "Invalid JWT algorithm. Supported: RS256,RS384,RS512.",
                )
            })?;
        match self.check_signature(&d, alg)? {
            None => {}
            Some(kid) => return Ok(Step::FetchKid(kid)),
        }
        let raw: RawClaims<'_> = serde_json::from_str(&d.payload)
            .map_err(|_| invalid("Invalid JWT form. The payload could not be decoded."))?;
        check_claims(&raw, kind, &self.inner.rules, self.now_ms())?;
        Ok(Step::Done(match kind {
            JwtKind::Session => Outcome::Session(SessionAuth::from_raw(&raw, &d.payload)),
            JwtKind::M2m | JwtKind::OAuth => {
                Outcome::Claims(serde_json::from_str(&d.payload).unwrap_or_default())
            }
        }))
    }

    /// `Ok(None)` when the signature verified, `Ok(Some(kid))` when the JWKS must be fetched.
    fn check_signature(&self, d: &Decoded<'_>, alg: Alg) -> Result<Option<String>, VerifyError> {
        let inner = &self.inner;
        let kid = d.header.kid();
        let msg = d.signing_input.as_bytes();
        let check = |key: &RsaKey| -> Result<Option<String>, VerifyError> {
            if !key.allows(alg) {
                return Err(VerifyError::new(
                    Reason::TokenInvalidAlgorithm,
                    format!("The key does not verify {}.", alg.as_str()),
                ));
            }
            if key.verify(alg, msg, &d.signature) {
                Ok(None)
            } else {
                Err(VerifyError::new(
                    Reason::TokenInvalidSignature,
                    "JWT signature is invalid.",
                ))
            }
        };
        if !inner.static_keys.is_empty() {
            if let Some(k) =
                kid.and_then(|kid| inner.static_keys.iter().find(|k| k.kid() == Some(kid)))
            {
                return check(k);
            }
            let mut tried = false;
            for k in inner
                .static_keys
                .iter()
                .filter(|k| k.allows(alg) && (k.kid().is_none() || inner.remote.is_none()))
            {
                tried = true;
                if k.verify(alg, msg, &d.signature) {
                    return Ok(None);
                }
            }
            if inner.remote.is_none() {
                return Err(if tried {
                    VerifyError::new(Reason::TokenInvalidSignature, "JWT signature is invalid.")
                } else {
                    VerifyError::new(
                        Reason::TokenInvalidAlgorithm,
                        format!("No configured key verifies {}.", alg.as_str()),
                    )
                });
            }
        }
        let Some(remote) = &inner.remote else {
            return Err(VerifyError::new(
                Reason::JwkFailedToResolve,
                "Failed to resolve JWK during verification: set a PEM key or a secret key.",
            ));
        };
        let Some(kid) = kid else {
            return Err(VerifyError::new(
                Reason::JwkKidMismatch,
                "The token has no kid to pick a JWKS key with.",
            ));
        };
        if let Some(k) = remote.cached(kid) {
            return check(&k);
        }
        if remote.known_missing(kid) {
            return Err(VerifyError::new(
                Reason::JwkKidMismatch,
                format!(
                    "Unable to find a signing key in JWKS that matches the kid={:?} of the provided session token.",
                    kid.chars().take(64).collect::<String>()
                ),
            ));
        }
        Ok(Some(kid.to_owned()))
    }
}

fn invalid(m: &'static str) -> VerifyError {
    VerifyError::new(Reason::TokenInvalid, m)
}

fn check_header(d: &Decoded<'_>, kind: JwtKind) -> Result<(), VerifyError> {
    let cat = d.header.cat.as_ref();
    match kind {
        JwtKind::Session => {
            // A category that is not a session's (an M2M token, a JWT template) is not a
            // session token, whatever else it says.
            if let Some(c) = cat
                && !matches!(c.as_str(), Some(SESSION_TOKEN_CATEGORY | IGNORE_CATEGORY))
            {
                return Err(if c.as_str() == Some(M2M_TOKEN_CATEGORY) {
                    invalid("Invalid session token category.")
                } else {
                    VerifyError::new(Reason::TokenTypeMismatch, "Not a session token (category).")
                });
            }
        }
        JwtKind::M2m => {
            if let Some(c) = cat
                && c.as_str() != Some(M2M_TOKEN_CATEGORY)
            {
                return Err(invalid("Invalid M2M JWT category."));
            }
        }
        JwtKind::OAuth => {}
    }
    let typ_ok = match (kind, d.header.typ()) {
        (JwtKind::OAuth, Some(Some(t))) => t == "at+jwt" || t == "application/at+jwt",
        (JwtKind::OAuth, _) => false,
        (_, None) => true,
        (_, Some(t)) => t == Some("JWT"),
    };
    if !typ_ok {
        return Err(invalid("Invalid JWT type."));
    }
    Ok(())
}

/// A JSON number as JavaScript's `Date#setUTCSeconds` reads it (truncated), in milliseconds.
fn seconds_claim_ms(v: &serde_json::value::RawValue) -> Option<f64> {
    raw_f64(v).map(|s| s.trunc() * 1000.0)
}

fn failed(m: impl Into<std::borrow::Cow<'static, str>>) -> VerifyError {
    VerifyError::new(Reason::TokenVerificationFailed, m)
}

pub(crate) fn check_claims(
    claims: &RawClaims<'_>,
    kind: JwtKind,
    rules: &ClaimRules,
    now_ms: i64,
) -> Result<(), VerifyError> {
    if !claims.sub.is_some_and(|v| v.get().starts_with('"')) {
        return Err(failed(
            "Subject claim (sub) is required and must be a string.",
        ));
    }
    if !rules.audiences.is_empty() {
        match raw_json(claims.aud).as_ref() {
            None | Some(Value::Null) => {}
            Some(Value::String(a)) if a.is_empty() => {}
            Some(Value::String(a)) => {
                if !rules.audiences.contains(a) {
                    return Err(failed("Invalid JWT audience claim (aud)."));
                }
            }
            Some(Value::Array(list)) if list.is_empty() => {}
            Some(Value::Array(list)) => {
                let strings: Option<Vec<&str>> = list.iter().map(Value::as_str).collect();
                match strings {
                    Some(s) if s.iter().any(|a| rules.audiences.iter().any(|x| x == a)) => {}
                    _ => return Err(failed("Invalid JWT audience claim array (aud).")),
                }
            }
            Some(_) => return Err(failed("Invalid JWT audience claim (aud).")),
        }
    }
    // `azp` is the browser origin a session token was minted for; machine tokens have none.
    if kind == JwtKind::Session && !rules.authorized_parties.is_empty() {
        let ok = raw_str(claims.azp)
            .is_some_and(|azp| !azp.is_empty() && rules.authorized_parties.contains(&azp));
        if !ok {
            return Err(VerifyError::new(
                Reason::TokenInvalidAuthorizedParties,
                "Invalid JWT Authorized party claim (azp).",
            ));
        }
    }
    let now = now_ms as f64;
    let skew = rules.clock_skew_ms as f64;
    let Some(exp) = claims.exp.and_then(seconds_claim_ms) else {
        return Err(failed(
            "Invalid JWT expiry date claim (exp). Expected number.",
        ));
    };
    if exp <= now - skew {
        return Err(VerifyError::new(Reason::TokenExpired, "JWT is expired."));
    }
    if let Some(nbf) = claims.nbf {
        let Some(nbf) = seconds_claim_ms(nbf) else {
            return Err(failed(
                "Invalid JWT not before date claim (nbf). Expected number.",
            ));
        };
        if nbf > now + skew {
            return Err(VerifyError::new(
                Reason::TokenNotActiveYet,
                "JWT cannot be used prior to not before date claim (nbf).",
            ));
        }
    }
    if let Some(iat) = claims.iat {
        let Some(iat) = seconds_claim_ms(iat) else {
            return Err(failed(
                "Invalid JWT issued at date claim (iat). Expected number.",
            ));
        };
        if iat > now + skew {
            return Err(VerifyError::new(
                Reason::TokenIatInTheFuture,
                "JWT issued at date claim (iat) is in the future.",
            ));
        }
    }
    if !rules.issuers.is_empty() {
        let ok = raw_str(claims.iss).is_some_and(|iss| {
            rules
                .issuers
                .iter()
                .any(|i| i.trim_end_matches('/') == iss.trim_end_matches('/'))
        });
        if !ok {
            return Err(VerifyError::new(
                Reason::TokenInvalidIssuer,
                "Invalid JWT issuer claim (iss).",
            ));
        }
    }
    Ok(())
}
