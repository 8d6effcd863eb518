//! The auth object a handler receives, and the authorization checks on it.
//!
//! Claims are decoded exactly as Clerk's `@clerk/shared` does (`jwtPayloadParser`):
//! v2 tokens (`"v": 2`) carry the organization in `o` — `o.id`, `o.slg`, `o.rol` (the role
//! without its `org:` prefix), `o.per` (a comma list of permission names) and `o.fpm` (a comma
//! list of decimal bitmasks, one per organization feature in `fea`, where bit *i* grants
//! `per[i]`); the permissions are `org:<feature>:<permission>`. Tokens without `v` carry
//! `org_id`, `org_role`, `org_slug` and `org_permissions` directly.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::error::Reason;

/// The kinds of token a request may carry (Clerk's `TokenType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// A session JWT (`__session` cookie or `Authorization: Bearer`).
    SessionToken,
    /// An API key (`ak_…`), verified by the Backend API.
    ApiKey,
    /// A machine-to-machine token: opaque `mt_…` (Backend API) or a JWT whose `sub` is `mch_…`.
    M2mToken,
    /// An OAuth access token: opaque `oat_…` (Backend API) or a JWT with `typ: at+jwt`.
    OAuthToken,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::SessionToken => "session_token",
            TokenType::ApiKey => "api_key",
            TokenType::M2mToken => "m2m_token",
            TokenType::OAuthToken => "oauth_token",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "session_token" => Some(TokenType::SessionToken),
            "api_key" => Some(TokenType::ApiKey),
            "m2m_token" => Some(TokenType::M2mToken),
            "oauth_token" => Some(TokenType::OAuthToken),
            _ => None,
        }
    }
}

/// Which token types a route accepts (Clerk's `acceptsToken`). The default is session tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcceptsToken {
    Any,
    /// One or more types. Every token is routed to the verifier of its own type; a token of a
    /// type not listed is refused with `token-type-mismatch`.
    Only(Vec<TokenType>),
}

impl Default for AcceptsToken {
    fn default() -> Self {
        AcceptsToken::Only(vec![TokenType::SessionToken])
    }
}

impl AcceptsToken {
    pub fn one(t: TokenType) -> Self {
        AcceptsToken::Only(vec![t])
    }
    pub fn accepts(&self, t: TokenType) -> bool {
        match self {
            AcceptsToken::Any => true,
            AcceptsToken::Only(v) => v.contains(&t),
        }
    }
    /// Machine tokens only (no session tokens)?
    pub(crate) fn machines_only(&self) -> bool {
        !self.accepts(TokenType::SessionToken)
    }
}

impl From<TokenType> for AcceptsToken {
    fn from(t: TokenType) -> Self {
        AcceptsToken::one(t)
    }
}

impl<const N: usize> From<[TokenType; N]> for AcceptsToken {
    fn from(t: [TokenType; N]) -> Self {
        AcceptsToken::Only(t.to_vec())
    }
}

/// A verified session token, decoded.
#[derive(Clone, Debug)]
pub struct SessionAuth {
    /// `sub`.
    pub user_id: String,
    /// `sid`.
    pub session_id: Option<String>,
    /// `sts`: `active` or `pending` (absent on instances that do not emit it).
    pub session_status: Option<String>,
    /// `act`: the impersonator, when the session is an impersonation.
    pub actor: Option<Value>,
    pub org_id: Option<String>,
    pub org_slug: Option<String>,
    /// `org:<role>`, e.g. `org:admin`.
    pub org_role: Option<String>,
    /// `org:<feature>:<permission>`, decoded from `o.per` / `o.fpm` / `fea` (v2) or
    /// `org_permissions` (v1).
    pub org_permissions: Option<Vec<String>>,
    /// `fva`: minutes since the first and second factor were verified (`-1`: never).
    pub factor_verification_age: Option<Value>,
    /// `fea`: feature entitlements, e.g. `o:members,u:export`.
    pub features: Option<String>,
    /// `pla`: plans, e.g. `u:free_user,o:pro`.
    pub plans: Option<String>,
    /// The payload's JSON, from which [`SessionAuth::claims`] is parsed on first use.
    raw: Arc<str>,
    claims: std::sync::OnceLock<Map<String, Value>>,
}

/// Splits `fea`/`pla` into organization and user scoped entries (`o:`, `u:`, `ou:`/`uo:`).
/// Entries without a colon are skipped (Clerk's parser throws on them).
pub(crate) fn split_by_scope(claim: Option<&str>) -> (Vec<&str>, Vec<&str>) {
    let mut org = Vec::new();
    let mut user = Vec::new();
    let Some(claim) = claim.filter(|c| !c.is_empty()) else {
        return (org, user);
    };
    for part in claim.split(',') {
        let part = part.trim();
        let Some((scope, value)) = part.split_once(':') else {
            continue;
        };
        match scope {
            "o" => org.push(value),
            "u" => user.push(value),
            "ou" | "uo" => {
                org.push(value);
                user.push(value);
            }
            _ => {}
        }
    }
    (org, user)
}

/// A non-negative decimal of any length, as little-endian bits, padded to `min_len`.
fn decimal_to_bits(decimal: &str, min_len: usize) -> Option<Vec<u8>> {
    if decimal.is_empty() || !decimal.bytes().all(|b| b.is_ascii_digit()) || decimal.len() > 4096 {
        return None;
    }
    let mut digits: Vec<u8> = decimal
        .trim_start_matches('0')
        .bytes()
        .map(|b| b - b'0')
        .collect();
    let mut bits = Vec::new();
    while !digits.is_empty() {
        // Divide the decimal string by two.
        let mut rem = 0u8;
        let mut quotient = Vec::with_capacity(digits.len());
        for d in &digits {
            let v = rem * 10 + d;
            let q = v / 2;
            rem = v % 2;
            if !quotient.is_empty() || q != 0 {
                quotient.push(q);
            }
        }
        bits.push(rem);
        digits = quotient;
    }
    if bits.is_empty() {
        bits.push(0);
    }
    while bits.len() < min_len {
        bits.push(0);
    }
    Some(bits)
}

/// `org:<feature>:<permission>` for every bit set in `fpm[i]` for the i-th organization feature.
pub(crate) fn decode_org_permissions(
    fea: Option<&str>,
    per: Option<&str>,
    fpm: Option<&str>,
) -> Vec<String> {
    let (Some(per), Some(fpm)) = (per.filter(|s| !s.is_empty()), fpm.filter(|s| !s.is_empty()))
    else {
        return Vec::new();
    };
    let permissions: Vec<&str> = per.split(',').map(str::trim).collect();
    let map: Vec<Vec<u8>> = fpm
        .split(',')
        .map(|m| decimal_to_bits(m.trim(), permissions.len()).unwrap_or_default())
        .collect();
    let (features, _) = split_by_scope(fea);
    let mut out = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        let Some(bits) = map.get(i) else { continue };
        for (j, bit) in bits.iter().enumerate().take(permissions.len()) {
            if *bit == 1
                && let Some(p) = permissions.get(j)
            {
                out.push(format!("org:{feature}:{p}"));
            }
        }
    }
    out
}

impl SessionAuth {
    /// Decodes a claims object (e.g. from your own verification).
    pub fn from_claims(claims: Map<String, Value>) -> Self {
        let raw = Value::Object(claims).to_string();
        Self::from_payload(&raw).unwrap_or_else(|| Self::empty(raw))
    }

    fn empty(raw: String) -> Self {
        Self {
            user_id: String::new(),
            session_id: None,
            session_status: None,
            actor: None,
            org_id: None,
            org_slug: None,
            org_role: None,
            org_permissions: None,
            factor_verification_age: None,
            features: None,
            plans: None,
            raw: raw.into(),
            claims: std::sync::OnceLock::new(),
        }
    }

    /// Decodes a verified payload (a JSON object). Only the claims Clerk's parser reads are
    /// parsed here; the whole map is parsed when [`claims`](Self::claims) is first called.
    pub(crate) fn from_payload(raw: &str) -> Option<Self> {
        let c: crate::jwt::RawClaims<'_> = serde_json::from_str(raw).ok()?;
        Some(Self::from_raw(&c, raw))
    }

    pub(crate) fn from_raw(c: &crate::jwt::RawClaims<'_>, raw: &str) -> Self {
        use crate::jwt::{raw_f64, raw_json, raw_str};
        let (mut org_id, mut org_slug, mut org_role, mut org_permissions) =
            (None, None, None, None);
        let v2 = c.v.and_then(raw_f64) == Some(2.0);
        if v2 {
            if let Some(o) =
                c.o.and_then(|o| serde_json::from_str::<crate::jwt::RawOrg<'_>>(o.get()).ok())
            {
                org_id = raw_str(o.id);
                org_slug = raw_str(o.slg);
                org_role = raw_str(o.rol)
                    .filter(|r| !r.is_empty())
                    .map(|r| format!("org:{r}"));
                org_permissions = Some(decode_org_permissions(
                    raw_str(c.fea).as_deref(),
                    raw_str(o.per).as_deref(),
                    raw_str(o.fpm).as_deref(),
                ));
            }
        } else {
            org_id = raw_str(c.org_id);
            org_slug = raw_str(c.org_slug);
            org_role = raw_str(c.org_role);
            org_permissions = raw_json(c.org_permissions)
                .and_then(|v| v.as_array().cloned())
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                });
        }
        Self {
            user_id: raw_str(c.sub).unwrap_or_default(),
            session_id: raw_str(c.sid),
            session_status: raw_str(c.sts),
            actor: raw_json(c.act).filter(|v| !v.is_null()),
            org_id,
            org_slug,
            org_role,
            org_permissions,
            factor_verification_age: raw_json(c.fva).filter(|v| !v.is_null()),
            features: raw_str(c.fea),
            plans: raw_str(c.pla),
            raw: raw.into(),
            claims: std::sync::OnceLock::new(),
        }
    }

    /// Every claim of the token, custom claims included.
    pub fn claims(&self) -> &Map<String, Value> {
        self.claims
            .get_or_init(|| serde_json::from_str(&self.raw).unwrap_or_default())
    }

    /// Whether the session is `pending` (signed in, but with tasks left, e.g. choosing an
    /// organization).
    pub fn is_pending(&self) -> bool {
        self.session_status.as_deref() == Some("pending")
    }

    /// Clerk's `has()`: every dimension asked must pass, and at least one must be asked.
    pub fn has(&self, check: &Has) -> bool {
        if self.user_id.is_empty() {
            return false;
        }
        let results = [
            self.check_org(check),
            self.check_billing(check),
            self.check_reverification(check),
        ];
        results.contains(&Check::Pass) && results.iter().all(|r| *r != Check::Fail)
    }

    fn check_org(&self, has: &Has) -> Check {
        if has.role.is_none() && has.permission.is_none() {
            return Check::Skip;
        }
        if self.org_id.as_deref().is_none_or(str::is_empty) {
            return Check::Fail;
        }
        if let Some(role) = &has.role {
            match &self.org_role {
                Some(r) if !r.is_empty() && prefix_with_org(r) == prefix_with_org(role) => {}
                _ => return Check::Fail,
            }
        }
        if let Some(perm) = &has.permission {
            let wanted = prefix_with_org(perm);
            match &self.org_permissions {
                Some(p) if p.contains(&wanted) => {}
                _ => return Check::Fail,
            }
        }
        Check::Pass
    }

    fn check_billing(&self, has: &Has) -> Check {
        if has.feature.is_none() && has.plan.is_none() {
            return Check::Skip;
        }
        if let Some(f) = &has.feature
            && !entitled(self.features.as_deref(), f)
        {
            return Check::Fail;
        }
        if let Some(p) = &has.plan
            && !entitled(self.plans.as_deref(), p)
        {
            return Check::Fail;
        }
        Check::Pass
    }

    fn check_reverification(&self, has: &Has) -> Check {
        let Some(rv) = &has.reverification else {
            return Check::Skip;
        };
        let Some(fva) = self
            .factor_verification_age
            .as_ref()
            .and_then(Value::as_array)
        else {
            return Check::Fail;
        };
        let age = |v: Option<&Value>| -> Option<f64> {
            let x = v?.as_f64()?;
            (x.is_finite() && (x == -1.0 || x >= 0.0)).then_some(x)
        };
        let (Some(f1), Some(f2)) = (age(fva.first()), age(fva.get(1))) else {
            return Check::Fail;
        };
        if fva.len() != 2 || (f1 == -1.0 && f2 == -1.0) {
            return Check::Fail;
        }
        let (level, after) = rv.level_and_minutes();
        if after <= 0.0 {
            return Check::Fail;
        }
        let fresh1 = f1 != -1.0 && after > f1;
        let fresh2 = f2 != -1.0 && after > f2;
        let ok = match level {
            ReverificationLevel::FirstFactor => fresh1,
            ReverificationLevel::SecondFactor => {
                if f2 == -1.0 {
                    fresh1
                } else {
                    fresh2
                }
            }
            ReverificationLevel::MultiFactor => {
                if f2 == -1.0 {
                    fresh1
                } else if f1 == -1.0 {
                    false
                } else {
                    fresh1 && fresh2
                }
            }
        };
        if ok { Check::Pass } else { Check::Fail }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    Pass,
    Fail,
    Skip,
}

fn prefix_with_org(v: &str) -> String {
    let mut rest = v;
    while let Some(r) = rest.strip_prefix("org:") {
        rest = r;
    }
    format!("org:{rest}")
}

/// `feature` or `scope:feature` against a `fea`/`pla` claim.
fn entitled(claim: Option<&str>, wanted: &str) -> bool {
    let Some(claim) = claim.filter(|c| !c.is_empty()) else {
        return false;
    };
    let (org, user) = split_by_scope(Some(claim));
    let mut parts = wanted.split(':');
    let first = parts.next().unwrap_or_default();
    match parts.next() {
        Some(id) => {
            let id = if id.is_empty() { first } else { id };
            match first {
                "o" | "org" | "organization" => org.contains(&id),
                "u" | "user" => user.contains(&id),
                _ => false,
            }
        }
        None => org.contains(&first) || user.contains(&first),
    }
}

/// How recently a factor must have been verified (Clerk's reverification presets and levels).
#[derive(Clone, Debug, PartialEq)]
pub enum Reverification {
    /// Second factor within 10 minutes; with no second factor enrolled, the first.
    StrictMfa,
    /// Second factor (or first, when none) within 10 minutes.
    Strict,
    /// Within 60 minutes.
    Moderate,
    /// Within a day.
    Lax,
    Custom {
        level: ReverificationLevel,
        after_minutes: f64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReverificationLevel {
    FirstFactor,
    SecondFactor,
    MultiFactor,
}

impl Reverification {
    fn level_and_minutes(&self) -> (ReverificationLevel, f64) {
        match self {
            Reverification::StrictMfa => (ReverificationLevel::MultiFactor, 10.0),
            Reverification::Strict => (ReverificationLevel::SecondFactor, 10.0),
            Reverification::Moderate => (ReverificationLevel::SecondFactor, 60.0),
            Reverification::Lax => (ReverificationLevel::SecondFactor, 1440.0),
            Reverification::Custom {
                level,
                after_minutes,
            } => (*level, *after_minutes),
        }
    }
}

/// An authorization check: each field set must pass (AND); at least one must be set.
///
/// ```
/// use usher_verify::Has;
/// let admin_who_can_manage = Has::role("org:admin").and_permission("org:members:manage");
/// let pro = Has::plan("o:pro");
/// # let _ = (admin_who_can_manage, pro);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Has {
    pub role: Option<String>,
    pub permission: Option<String>,
    pub feature: Option<String>,
    pub plan: Option<String>,
    pub reverification: Option<Reverification>,
}

impl Has {
    /// An organization role, with or without its `org:` prefix.
    pub fn role(r: impl Into<String>) -> Self {
        Self {
            role: Some(r.into()),
            ..Self::default()
        }
    }
    /// An organization permission, `org:<feature>:<permission>`.
    pub fn permission(p: impl Into<String>) -> Self {
        Self {
            permission: Some(p.into()),
            ..Self::default()
        }
    }
    /// A feature, optionally scoped (`o:members`, `u:export`, or `members` for either).
    pub fn feature(f: impl Into<String>) -> Self {
        Self {
            feature: Some(f.into()),
            ..Self::default()
        }
    }
    /// A plan, optionally scoped (`o:pro`, `u:free_user`).
    pub fn plan(p: impl Into<String>) -> Self {
        Self {
            plan: Some(p.into()),
            ..Self::default()
        }
    }
    pub fn reverification(r: Reverification) -> Self {
        Self {
            reverification: Some(r),
            ..Self::default()
        }
    }
    pub fn and_role(mut self, r: impl Into<String>) -> Self {
        self.role = Some(r.into());
        self
    }
    pub fn and_permission(mut self, p: impl Into<String>) -> Self {
        self.permission = Some(p.into());
        self
    }
    pub fn and_feature(mut self, f: impl Into<String>) -> Self {
        self.feature = Some(f.into());
        self
    }
    pub fn and_plan(mut self, p: impl Into<String>) -> Self {
        self.plan = Some(p.into());
        self
    }
    pub fn and_reverification(mut self, r: Reverification) -> Self {
        self.reverification = Some(r);
        self
    }
}

/// An authenticated machine: an API key, an M2M token or an OAuth access token.
#[derive(Clone, Debug)]
pub struct MachineAuth {
    pub token_type: TokenType,
    /// The token's id (`ak_…`/`mt_…`/`oat_…` object id, or the JWT's `jti`).
    pub id: String,
    /// `user_…`, `org_…` or `mch_…`.
    pub subject: String,
    pub scopes: Vec<String>,
    /// Custom claims attached when the token was created.
    pub claims: Option<Value>,
    /// API keys: the key's name.
    pub name: Option<String>,
    /// API keys whose subject is a user, and OAuth tokens.
    pub user_id: Option<String>,
    /// API keys whose subject is an organization.
    pub org_id: Option<String>,
    /// M2M tokens: the machine (`sub`).
    pub machine_id: Option<String>,
    /// OAuth tokens: the OAuth application.
    pub client_id: Option<String>,
    /// When the token expires (ms since the epoch), if it does.
    pub expiration_ms: Option<i64>,
}

impl MachineAuth {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Why a request is signed out, and which token type it was judged as.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedOut {
    /// `None` for routes skipped on purpose (public routes).
    pub reason: Option<Reason>,
    pub message: String,
    pub token_type: Option<TokenType>,
    /// `pending` when a pending session is treated as signed out.
    pub session_status: Option<String>,
}

/// What authentication decided about a request.
#[derive(Clone, Debug)]
pub enum AuthState {
    Session(Arc<SessionAuth>),
    Machine(Arc<MachineAuth>),
    SignedOut(SignedOut),
}
