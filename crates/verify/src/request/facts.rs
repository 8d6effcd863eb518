//! What authenticating reads from a request, shared by the token paths and the handshake: the
//! request's facts gathered once, and its session cookies (suffixed or not).

use http::{HeaderMap, Method, Uri};

use super::authenticator::Authenticator;
use crate::context::Cookies;

/// JavaScript's `parseInt(s) || 0`.
pub(super) fn parse_int(s: Option<&str>) -> i64 {
    let Some(s) = s else { return 0 };
    let s = s.trim_start();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg { -v } else { v }
}

/// Per-request facts gathered once.
pub(super) struct Req<'a> {
    pub(super) method: &'a Method,
    pub(super) uri: &'a Uri,
    pub(super) headers: &'a HeaderMap,
    pub(super) cookies: Cookies,
    pub(super) document: bool,
}

impl Authenticator {
    pub(super) fn suffixed(&self, name: &str) -> Option<String> {
        self.inner
            .pk
            .as_ref()
            .map(|pk| format!("{name}_{}", pk.cookie_suffix))
    }

    pub(super) fn cookie<'c>(
        &self,
        req: &'c Req<'_>,
        name: &str,
        suffixed: bool,
    ) -> Option<&'c str> {
        if suffixed {
            self.suffixed(name).and_then(|n| req.cookies.get(&n))
        } else {
            req.cookies.get(name)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn js_parse_int() {
        assert_eq!(parse_int(None), 0);
        assert_eq!(parse_int(Some("1700000000")), 1_700_000_000);
        assert_eq!(parse_int(Some(" 12abc")), 12);
        assert_eq!(parse_int(Some("abc")), 0);
        assert_eq!(parse_int(Some("-5")), -5);
        assert_eq!(parse_int(Some("99999999999999999999999")), i64::MAX);
    }
}
