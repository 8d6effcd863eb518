//! Where the browser may be sent: the one rule every redirect parameter goes through (OAuth's
//! `redirect_url` and `action_complete_redirect_url`, the handshake's `redirect_url`, the hosted
//! pages' `redirect_url`, invitations' `redirect_url`), and the instance's registered redirect
//! URLs (Clerk's `/v1/redirect_urls`), which admit URLs beyond the allowed origins — a native
//! app's `my-app://oauth-callback` above all.
//!
//! A target is accepted when it is a path on the instance (`/…`, where the caller allows one),
//! an absolute http(s) URL whose origin is allowed, or an absolute URL matching a registered
//! redirect URL: the same scheme, host, port and path (Clerk documents no wildcards), whatever
//! its query and fragment. Everything else is refused before any origin is compared: text with a
//! backslash, whitespace or a control character (browsers may read those as another host),
//! scheme-relative `//host`, credentials in the URL, and any scheme but http(s) that no
//! registered URL names (`javascript:`, `data:`, …).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::new_id;

/// Clerk's prefix for redirect URL ids.
pub const PREFIX: &str = "ru_";
/// The longest target or registered URL accepted.
pub const MAX_LEN: usize = 2048;
/// Schemes never registered: they run or embed content rather than reach an app.
const FORBIDDEN_SCHEMES: &[&str] = &[
    "javascript",
    "data",
    "vbscript",
    "file",
    "blob",
    "about",
    "filesystem",
];

/// A registered redirect URL (Clerk's `redirect_url` object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedirectUrl {
    /// `ru_…`.
    pub id: String,
    /// As registered, normalized by the URL parser.
    pub url: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What a redirect target looks like before any policy is asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A path on the instance.
    Path(String),
    /// An absolute URL without credentials.
    Url(Url),
}

impl Target {
    /// Read from untrusted text; `None` when it has none of the accepted shapes.
    pub fn parse(raw: &str, allow_path: bool) -> Option<Target> {
        if raw.is_empty()
            || raw.len() > MAX_LEN
            || raw
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return None;
        }
        if let Some(rest) = raw.strip_prefix('/') {
            return (allow_path && !rest.starts_with('/')).then(|| Target::Path(raw.to_owned()));
        }
        let url = Url::parse(raw).ok()?;
        if !url.username().is_empty() || url.password().is_some() {
            return None;
        }
        if is_web(&url) && url.host_str().is_none() {
            return None;
        }
        if FORBIDDEN_SCHEMES.contains(&url.scheme()) {
            return None;
        }
        Some(Target::Url(url))
    }

    /// Accepted without the registered list: a path, or an http(s) URL whose origin `allowed`
    /// accepts.
    pub fn on_allowed_origin(&self, allowed: impl Fn(&str) -> bool) -> bool {
        match self {
            Target::Path(_) => true,
            Target::Url(u) => is_web(u) && allowed(&u.origin().ascii_serialization()),
        }
    }

    /// Whether a registered redirect URL names this target.
    pub fn registered(&self, stored: &[RedirectUrl]) -> bool {
        let Target::Url(u) = self else {
            return false;
        };
        let key = match_key(u);
        stored
            .iter()
            .filter_map(|r| Url::parse(&r.url).ok())
            .any(|r| match_key(&r) == key)
    }

    pub fn into_string(self) -> String {
        match self {
            Target::Path(p) => p,
            Target::Url(u) => u.into(),
        }
    }
}

fn is_web(u: &Url) -> bool {
    matches!(u.scheme(), "http" | "https")
}

/// Scheme, host, port and path: the URL without its query and fragment.
fn match_key(u: &Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.into()
}

/// The refusal a redirect parameter answers with.
fn refused(param: &str) -> CoreError {
    CoreError::format(
        param,
        "must be a path on this instance, a URL on an allowed origin, or a registered redirect URL",
    )
}

/// Checks `raw` (the value of `param`) against the whole rule: the accepted target, or
/// `form_param_format_invalid` on `param`.
pub fn check(
    raw: &str,
    param: &str,
    allow_path: bool,
    allowed: impl Fn(&str) -> bool,
    stored: &[RedirectUrl],
) -> CoreResult<String> {
    let target = Target::parse(raw, allow_path).ok_or_else(|| refused(param))?;
    if target.on_allowed_origin(allowed) || target.registered(stored) {
        Ok(target.into_string())
    } else {
        Err(refused(param))
    }
}

/// An absolute target on an allowed origin (the registered list not consulted): the rule as
/// OAuth's callers applied it before redirect URLs could be registered.
pub fn check_absolute(
    raw: &str,
    param: &str,
    allowed: impl Fn(&str) -> bool,
) -> CoreResult<String> {
    check(raw, param, false, allowed, &[])
}

/// The refusal for a target that failed [`Target::parse`] or the policy, for callers that
/// apply the rule in steps (reading the registered list only when the origin is not allowed).
pub fn refusal(param: &str) -> CoreError {
    refused(param)
}

/// A new registered redirect URL: absolute, an http(s) URL with a host or a custom scheme (a
/// native app's), without credentials, whitespace or a backslash.
pub fn new_redirect_url(raw: &str, now: Millis) -> CoreResult<RedirectUrl> {
    let invalid = || {
        CoreError::format(
            "url",
            "must be an absolute URL: https://… or a custom scheme such as my-app://callback",
        )
    };
    let raw = raw.trim();
    let Some(Target::Url(url)) = Target::parse(raw, false) else {
        return Err(invalid());
    };
    // `my-app:callback` has no authority: an app registers `my-app://…`.
    if !is_web(&url) && !raw[url.scheme().len() + 1..].starts_with("//") {
        return Err(invalid());
    }
    Ok(RedirectUrl {
        id: new_id(PREFIX),
        url: url.into(),
        created_at: now,
        updated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(o: &str) -> bool {
        o == "https://app.example.com"
    }

    fn stored() -> Vec<RedirectUrl> {
        vec![
            new_redirect_url("my-app://oauth-callback", 1).unwrap(),
            new_redirect_url("https://partner.example.net/done", 1).unwrap(),
        ]
    }

    #[test]
    fn allowed_origins_paths_and_registered_urls_pass() {
        let s = stored();
        for ok in [
            "https://app.example.com/x?y=1",
            "/user/profile",
            "my-app://oauth-callback",
            "my-app://oauth-callback?code=1",
            "https://partner.example.net/done#f",
        ] {
            assert!(check(ok, "redirect_url", true, allowed, &s).is_ok(), "{ok}");
        }
    }

    #[test]
    fn open_redirects_are_refused() {
        let s = stored();
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "https:\\\\evil.example",
            "javascript:alert(1)",
            "JavaScript://app.example.com/%0aalert(1)",
            "data:text/html,hi",
            "https://app.example.com.evil.example/",
            "https://app.example.com@evil.example/",
            "https://user:pw@app.example.com/",
            "/\t/evil.example",
            "https://partner.example.net/done/more",
            "my-app://other",
            "",
        ] {
            let e = check(bad, "redirect_url", true, allowed, &s).unwrap_err();
            assert!(
                matches!(e, CoreError::ParamFormatInvalid { ref param, .. } if param == "redirect_url"),
                "{bad}"
            );
        }
        assert!(check("/user", "redirect_url", false, allowed, &s).is_err());
    }

    #[test]
    fn registered_urls_are_absolute_and_harmless() {
        assert_eq!(
            new_redirect_url(" HTTPS://App.Example.com/cb ", 5)
                .unwrap()
                .url,
            "https://app.example.com/cb"
        );
        for bad in [
            "/relative",
            "example.com/cb",
            "my-app:callback",
            "javascript://x",
            "https://",
            "https://a b.example/",
        ] {
            assert!(new_redirect_url(bad, 5).is_err(), "{bad}");
        }
    }
}
