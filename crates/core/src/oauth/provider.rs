//! A configured provider: a preset (Google, GitHub, Microsoft, Apple) whose endpoints are known,
//! or a custom OpenID Connect provider found by discovery. Clerk names the strategy
//! `oauth_<preset>` or `oauth_custom_<key>`.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

/// Prefix of a provider's id.
pub const ID_PREFIX: &str = "oap_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    Google,
    Github,
    Microsoft,
    Apple,
    /// Any OpenID Connect provider, by its discovery document.
    Custom,
}

impl Preset {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "google" => Preset::Google,
            "github" => Preset::Github,
            "microsoft" => Preset::Microsoft,
            "apple" => Preset::Apple,
            "custom" => Preset::Custom,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Google => "google",
            Preset::Github => "github",
            Preset::Microsoft => "microsoft",
            Preset::Apple => "apple",
            Preset::Custom => "custom",
        }
    }

    /// Whether the provider speaks OpenID Connect (an ID token); GitHub is OAuth 2.0 and its
    /// user API.
    pub fn is_oidc(self) -> bool {
        self != Preset::Github
    }

    /// The discovery document's issuer for the OpenID presets. Microsoft's is the multi-tenant
    /// `common` endpoint, whose ID tokens name the user's tenant as issuer (checked by
    /// [`ProviderEndpoints::issuer_matches`]).
    pub fn discovery_url(self) -> Option<&'static str> {
        match self {
            Preset::Google => Some("https://accounts.google.com/.well-known/openid-configuration"),
            Preset::Microsoft => Some(
                "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
            ),
            Preset::Apple => Some("https://appleid.apple.com/.well-known/openid-configuration"),
            Preset::Github | Preset::Custom => None,
        }
    }

    /// The scopes asked for unless the operator names others.
    pub fn default_scopes(self) -> &'static str {
        match self {
            Preset::Github => "read:user user:email",
            Preset::Apple => "openid email name",
            _ => "openid email profile",
        }
    }
}

/// The endpoints a flow uses, from a preset or a discovery document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderEndpoints {
    pub issuer: Option<String>,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
}

impl ProviderEndpoints {
    /// GitHub's: OAuth 2.0 with its user and emails API.
    pub fn github() -> Self {
        Self {
            issuer: None,
            authorization_endpoint: "https://github.com/login/oauth/authorize".into(),
            token_endpoint: "https://github.com/login/oauth/access_token".into(),
            userinfo_endpoint: Some("https://api.github.com/user".into()),
            jwks_uri: None,
        }
    }

    /// Endpoints read from a discovery document fetched from `discovery_url`: every endpoint
    /// must be HTTPS (plain HTTP only on loopback, for development) and the issuer must be
    /// the URL the document was fetched under.
    pub fn from_discovery(discovery_url: &str, doc: &serde_json::Value) -> CoreResult<Self> {
        let field = |name: &str| -> CoreResult<String> {
            let v = doc
                .get(name)
                .and_then(|v| v.as_str())
                .ok_or_else(|| CoreError::value("discovery_url", format!("no {name}")))?;
            check_endpoint_url(v, "discovery_url")?;
            Ok(v.to_owned())
        };
        let issuer = field("issuer")?;
        let expected = discovery_url
            .strip_suffix("/.well-known/openid-configuration")
            .unwrap_or(discovery_url);
        // Microsoft's multi-tenant document names a `{tenantid}` template as its issuer.
        if issuer.trim_end_matches('/') != expected.trim_end_matches('/')
            && !issuer.contains("{tenantid}")
        {
            return Err(CoreError::value(
                "discovery_url",
                "the document's issuer is not the URL it was fetched from",
            ));
        }
        let optional = |name: &str| -> CoreResult<Option<String>> {
            match doc.get(name).and_then(|v| v.as_str()) {
                Some(_) => field(name).map(Some),
                None => Ok(None),
            }
        };
        Ok(Self {
            authorization_endpoint: field("authorization_endpoint")?,
            token_endpoint: field("token_endpoint")?,
            userinfo_endpoint: optional("userinfo_endpoint")?,
            jwks_uri: Some(field("jwks_uri")?),
            issuer: Some(issuer),
        })
    }

    /// Whether an ID token's `iss` is this provider's: equal, or for a templated (multi-tenant)
    /// issuer, equal once the template is filled with the token's `tid`.
    pub fn issuer_matches(&self, iss: &str, tid: Option<&str>) -> bool {
        match &self.issuer {
            Some(expected) if expected.contains("{tenantid}") => tid
                .filter(|t| {
                    !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
                .is_some_and(|t| expected.replace("{tenantid}", t) == iss),
            Some(expected) => expected == iss,
            None => false,
        }
    }
}

/// An endpoint Usher will call or send a browser to: HTTPS, or HTTP on a loopback host.
pub fn check_endpoint_url(raw: &str, param: &str) -> CoreResult<url::Url> {
    let u = url::Url::parse(raw).map_err(|_| CoreError::value(param, "not a URL"))?;
    let loopback = matches!(
        u.host_str(),
        Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
    );
    match u.scheme() {
        "https" => Ok(u),
        "http" if loopback => Ok(u),
        _ => Err(CoreError::value(param, "must be an https URL")),
    }
}

/// One configured provider. The client secret is sealed (authenticated encryption under an
/// instance key); this record never holds it in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthProvider {
    pub id: String,
    /// `google`, `github`, … for a preset; `custom_<key>` for a custom provider: the strategy
    /// is `oauth_` followed by it.
    pub provider: String,
    pub preset: Preset,
    /// The name the buttons show.
    pub name: String,
    pub discovery_url: Option<String>,
    pub client_id: String,
    pub client_secret_sealed: String,
    /// Space-separated.
    pub scopes: String,
    pub enabled: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl OAuthProvider {
    pub fn strategy(&self) -> String {
        format!("oauth_{}", self.provider)
    }
}

/// The provider name for a preset, or `custom_<key>` for a custom provider's key (lower-case
/// letters, digits, `_` and `-`, 1 to 40).
pub fn provider_name(preset: Preset, key: Option<&str>) -> CoreResult<String> {
    match (preset, key) {
        (Preset::Custom, Some(k)) => {
            let ok = !k.is_empty()
                && k.len() <= 40
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok {
                return Err(CoreError::value(
                    "key",
                    "1 to 40 lower-case letters, digits or underscores",
                ));
            }
            Ok(format!("custom_{k}"))
        }
        (Preset::Custom, None) => Err(CoreError::missing("key")),
        (p, None) => Ok(p.as_str().to_owned()),
        (_, Some(_)) => Err(CoreError::value("key", "only a custom provider has a key")),
    }
}

/// A scope list as given: space- or comma-separated, deduplicated, each a plain token.
pub fn normalize_scopes(raw: &str) -> CoreResult<String> {
    let mut out: Vec<&str> = Vec::new();
    for s in raw.split([' ', ',']).filter(|s| !s.is_empty()) {
        if !s
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            return Err(CoreError::value(
                "scopes",
                "a scope has a character not allowed",
            ));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_clerk_strategies() {
        assert_eq!(provider_name(Preset::Google, None).unwrap(), "google");
        assert_eq!(
            provider_name(Preset::Custom, Some("acme")).unwrap(),
            "custom_acme"
        );
        assert!(provider_name(Preset::Custom, None).is_err());
        assert!(provider_name(Preset::Custom, Some("Acme!")).is_err());
        assert!(provider_name(Preset::Github, Some("x")).is_err());
    }

    #[test]
    fn discovery_checks_the_issuer_and_the_scheme() {
        let doc = json!({
            "issuer": "http://127.0.0.1:4000",
            "authorization_endpoint": "http://127.0.0.1:4000/auth",
            "token_endpoint": "http://127.0.0.1:4000/token",
            "jwks_uri": "http://127.0.0.1:4000/jwks",
        });
        let url = "http://127.0.0.1:4000/.well-known/openid-configuration";
        let e = ProviderEndpoints::from_discovery(url, &doc).unwrap();
        assert_eq!(e.issuer.as_deref(), Some("http://127.0.0.1:4000"));
        assert!(e.issuer_matches("http://127.0.0.1:4000", None));
        assert!(!e.issuer_matches("http://evil", None));
        let other = "http://127.0.0.1:4001/.well-known/openid-configuration";
        assert!(ProviderEndpoints::from_discovery(other, &doc).is_err());
        let mut plain = doc.clone();
        plain["issuer"] = json!("http://idp.example");
        assert!(ProviderEndpoints::from_discovery("http://idp.example", &plain).is_err());
    }

    #[test]
    fn a_tenant_templated_issuer_takes_the_tokens_tenant() {
        let e = ProviderEndpoints {
            issuer: Some("https://login.microsoftonline.com/{tenantid}/v2.0".into()),
            ..ProviderEndpoints::github()
        };
        assert!(e.issuer_matches(
            "https://login.microsoftonline.com/abc-1/v2.0",
            Some("abc-1")
        ));
        assert!(!e.issuer_matches(
            "https://login.microsoftonline.com/abc-1/v2.0",
            Some("abc-2")
        ));
        assert!(!e.issuer_matches("https://login.microsoftonline.com/x/y/v2.0", Some("x/y")));
    }

    #[test]
    fn scopes_are_normalized() {
        assert_eq!(
            normalize_scopes("openid, email openid").unwrap(),
            "openid email"
        );
        assert!(normalize_scopes("open\"id").is_err());
    }
}
