//! What a request says about itself: publishable key facts, cookies, the public URL (behind
//! proxies), and whether it is a document navigation. Every parser here takes untrusted input
//! and answers `None` rather than failing.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use http::{HeaderMap, Method, Uri};

use crate::error::ConfigError;

/// A parsed publishable key (`pk_test_…` / `pk_live_…`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishableKey {
    pub key: String,
    /// The Frontend API host (or URL), e.g. `clerk.example.com` or `127.0.0.1:4001`.
    pub frontend_api: String,
    /// `pk_live_` keys are production instances.
    pub production: bool,
    /// First 8 characters of url-safe base64(SHA-1(key)): the suffix of `__session_<sfx>`.
    pub cookie_suffix: String,
}

impl PublishableKey {
    /// Parses a key with Clerk's rules: `pk_(test|live)_` + base64(`<host>$`), the host
    /// containing a dot.
    pub fn parse(key: &str) -> Result<Self, ConfigError> {
        let bad = |m: &str| ConfigError::InvalidPublishableKey(m.to_owned());
        let parts: Vec<&str> = key.split('_').collect();
        let [pk, env, b64] = parts.as_slice() else {
            return Err(bad("expected pk_test_… or pk_live_…"));
        };
        if *pk != "pk" || !(*env == "test" || *env == "live") {
            return Err(bad("expected pk_test_… or pk_live_…"));
        }
        let trimmed = b64.trim_end_matches('=');
        let decoded = STANDARD_NO_PAD
            .decode(trimmed)
            .or_else(|_| STANDARD.decode(b64))
            .map_err(|_| bad("not base64"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| bad("not UTF-8"))?;
        let Some(host) = decoded.strip_suffix('$') else {
            return Err(bad("the decoded key must end with $"));
        };
        if host.contains('$') || !host.contains('.') || host.is_empty() {
            return Err(bad("the decoded key must be a host containing a dot"));
        }
        let digest =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
        let suffix: String = STANDARD
            .encode(digest.as_ref())
            .replace('+', "-")
            .replace('/', "_")
            .chars()
            .take(8)
            .collect();
        Ok(Self {
            key: key.to_owned(),
            frontend_api: host.to_owned(),
            production: *env == "live",
            cookie_suffix: suffix,
        })
    }

    /// The Frontend API base URL: `https://<host>`, or the host as is when it is a URL.
    pub fn frontend_api_url(&self) -> String {
        if self.frontend_api.starts_with("http://") || self.frontend_api.starts_with("https://") {
            self.frontend_api.trim_end_matches('/').to_owned()
        } else {
            format!("https://{}", self.frontend_api)
        }
    }
}

/// Cookies of a request, first occurrence of a name winning, values percent-decoded (as the
/// `cookie` package Clerk uses does).
#[derive(Clone, Debug, Default)]
pub(crate) struct Cookies(Vec<(String, String)>);

/// At most this many cookies are read from a request.
const MAX_COOKIES: usize = 256;

impl Cookies {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut out: Vec<(String, String)> = Vec::new();
        for value in headers.get_all(http::header::COOKIE) {
            let Ok(s) = std::str::from_utf8(value.as_bytes()) else {
                continue;
            };
            for pair in s.split(';') {
                if out.len() >= MAX_COOKIES {
                    return Self(out);
                }
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                let name = name.trim();
                if name.is_empty() || out.iter().any(|(n, _)| n == name) {
                    continue;
                }
                let mut value = value.trim();
                if let Some(unquoted) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                    value = unquoted;
                }
                let decoded = if value.contains('%') {
                    percent_encoding::percent_decode_str(value)
                        .decode_utf8()
                        .map_or_else(|_| value.to_owned(), |c| c.into_owned())
                } else {
                    value.to_owned()
                };
                out.push((name.to_owned(), decoded));
            }
        }
        Self(out)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A header's value as a string, if it is one.
pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// `host[:port]`, an IPv6 literal in brackets, nothing else (no user info, path or spaces).
fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_')
        })
        && !h.starts_with(':')
}

/// The first entry of a comma-separated forwarding header, trimmed.
fn first_value(v: &str) -> &str {
    v.split(',').next().unwrap_or_default().trim()
}

/// The public origin of a request (`scheme://host`), from `X-Forwarded-Host`/`-Proto` when
/// trusted and well formed, else `Host` and the URI. `None` when nothing usable is present.
pub(crate) fn public_origin(
    uri: &Uri,
    headers: &HeaderMap,
    trust_forwarded: bool,
) -> Option<String> {
    let forwarded_host = trust_forwarded
        .then(|| header(headers, "x-forwarded-host"))
        .flatten()
        .map(first_value)
        .filter(|h| valid_host(h));
    let host = forwarded_host
        .or_else(|| header(headers, "host").filter(|h| valid_host(h)))
        .or_else(|| {
            uri.authority()
                .map(|a| a.as_str())
                .filter(|h| valid_host(h))
        })?;
    let forwarded_proto = trust_forwarded
        .then(|| {
            header(headers, "cloudfront-forwarded-proto")
                .or_else(|| header(headers, "x-forwarded-proto"))
        })
        .flatten()
        .map(first_value)
        .filter(|p| *p == "http" || *p == "https");
    let proto = forwarded_proto
        .or_else(|| uri.scheme_str().filter(|s| *s == "http" || *s == "https"))
        .unwrap_or("http");
    Some(format!("{proto}://{host}"))
}

/// The request's public URL (origin + path and query), for redirect URLs.
pub(crate) fn public_url(uri: &Uri, headers: &HeaderMap, trust_forwarded: bool) -> Option<String> {
    let origin = public_origin(uri, headers, trust_forwarded)?;
    let pq = uri.path_and_query().map_or("/", |p| p.as_str());
    Some(format!("{origin}{pq}"))
}

/// Clerk's handshake eligibility: a GET that is probably a document navigation.
pub(crate) fn is_document_navigation(method: &Method, headers: &HeaderMap) -> bool {
    if method != Method::GET {
        return false;
    }
    match header(headers, "sec-fetch-dest") {
        Some(d) => d == "document" || d == "iframe",
        None => header(headers, "accept").is_some_and(|a| a.starts_with("text/html")),
    }
}

/// Whether `protect()` should redirect to the sign-in page rather than answer 401: a page
/// request (Clerk's `isPageRequest`).
pub(crate) fn is_page_request(headers: &HeaderMap) -> bool {
    match header(headers, "sec-fetch-dest") {
        Some(d) if d == "document" || d == "iframe" => true,
        _ => header(headers, "accept").is_some_and(|a| a.contains("text/html")),
    }
}

/// The token in `Authorization`: `Bearer <t>` (scheme case-insensitive), or a bare value
/// without any space. Other schemes (`Basic …`) carry no token.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let v = header(headers, "authorization")?;
    match v.split_once(' ') {
        Some((scheme, rest)) => {
            let t = rest.trim();
            (scheme.eq_ignore_ascii_case("bearer") && !t.is_empty() && !t.contains(' '))
                .then_some(t)
        }
        None if v.eq_ignore_ascii_case("bearer") => None,
        None => Some(v),
    }
}

/// A query parameter's value (the first), decoded.
pub(crate) fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let q = uri.query()?;
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn publishable_keys() {
        let pk = format!("pk_test_{}", STANDARD_NO_PAD.encode("clerk.example.com$"));
        let p = PublishableKey::parse(&pk).unwrap();
        assert_eq!(p.frontend_api, "clerk.example.com");
        assert!(!p.production);
        assert_eq!(p.cookie_suffix.len(), 8);
        assert!(
            PublishableKey::parse(&format!("pk_live_{}", STANDARD.encode("localhost:4000$")))
                .is_err()
        );
        assert!(PublishableKey::parse("pk_test_").is_err());
        assert!(PublishableKey::parse("sk_test_abc").is_err());
        assert!(PublishableKey::parse(&format!("pk_live_{}", STANDARD.encode("a.b$c$"))).is_err());
    }

    #[test]
    fn forwarded_host_is_validated_never_trusted_blindly() {
        let uri: Uri = "/x?y=1".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert("host", "app.example.com".parse().unwrap());
        h.insert("x-forwarded-host", "evil.com/path, other".parse().unwrap());
        h.insert("x-forwarded-proto", "javascript".parse().unwrap());
        assert_eq!(
            public_url(&uri, &h, true).unwrap(),
            "http://app.example.com/x?y=1"
        );
        h.insert(
            "x-forwarded-host",
            " good.example.com , proxy".parse().unwrap(),
        );
        h.insert("x-forwarded-proto", "https,http".parse().unwrap());
        assert_eq!(
            public_url(&uri, &h, true).unwrap(),
            "https://good.example.com/x?y=1"
        );
        assert_eq!(
            public_url(&uri, &h, false).unwrap(),
            "http://app.example.com/x?y=1"
        );
    }

    #[test]
    fn bearer() {
        let mut h = HeaderMap::new();
        for (v, want) in [
            ("Bearer abc", Some("abc")),
            ("bearer abc", Some("abc")),
            ("abc", Some("abc")),
            ("Basic abc", None),
            ("Bearer ", None),
            ("Bearer a b", None),
        ] {
            h.insert("authorization", v.parse().unwrap());
            assert_eq!(bearer_token(&h), want, "{v}");
        }
    }

    #[test]
    fn cookies() {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            "a=1; __session=x%2Ey; a=2; b=\"q\"; bad; =z; c=%E0%A4%A"
                .parse()
                .unwrap(),
        );
        let c = Cookies::from_headers(&h);
        assert_eq!(c.get("a"), Some("1"));
        assert_eq!(c.get("__session"), Some("x.y"));
        assert_eq!(c.get("b"), Some("q"));
        assert_eq!(c.get("c"), Some("%E0%A4%A"));
    }
}
