//! The instance's domains (Clerk's `/v1/domains`): the primary one is the Frontend API's own host
//! (never stored); satellite domains are stored, and each one's origin may call the Frontend
//! API (clerk-js running on the satellite).

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::new_id;

pub const PREFIX: &str = "dmn_";

/// A stored satellite domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SatelliteDomain {
    /// `dmn_…`
    pub id: String,
    /// A lower-case host name, with a port on development instances (`localhost:3001`).
    pub name: String,
    pub proxy_url: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl SatelliteDomain {
    /// The origins clerk-js on this domain calls from: `https://name`, and `http://name` on a
    /// development instance.
    pub fn origins(&self, development: bool) -> Vec<String> {
        let mut out = vec![format!("https://{}", self.name)];
        if development {
            out.push(format!("http://{}", self.name));
        }
        out
    }
}

/// A domain name as given: a host name (letters, digits, hyphens, at least one dot, or
/// `localhost`), with a port only on a development instance; no scheme, path or credentials.
/// Lower-cased. Refusals are 422 `form_param_format_invalid` on `name`.
pub fn check_name(raw: &str, development: bool) -> CoreResult<String> {
    let invalid = || {
        CoreError::format(
            "name",
            if development {
                "must be a host name such as example.com or localhost:3000, without a scheme"
            } else {
                "must be a host name such as example.com, without a scheme or a port"
            },
        )
    };
    let name = raw.trim().to_ascii_lowercase();
    let (host, port) = match name.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (name.as_str(), None),
    };
    if let Some(p) = port
        && (!development || p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid());
    }
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |n| n == 0)) {
        return Err(invalid());
    }
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.len() > 253
        || !labels.iter().all(label_ok)
        || (labels.len() < 2 && !(development && host == "localhost"))
    {
        return Err(invalid());
    }
    Ok(name)
}

/// A proxy URL: an absolute https URL (http on development instances) without credentials.
pub fn check_proxy_url(raw: &str, development: bool) -> CoreResult<String> {
    let invalid = || CoreError::format("proxy_url", "must be an absolute https:// URL");
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid())?;
    let scheme_ok = url.scheme() == "https" || (development && url.scheme() == "http");
    if !scheme_ok
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(invalid());
    }
    Ok(url.into())
}

/// A new satellite domain.
pub fn new_satellite(
    name: &str,
    proxy_url: Option<&str>,
    development: bool,
    now: Millis,
) -> CoreResult<SatelliteDomain> {
    Ok(SatelliteDomain {
        id: new_id(PREFIX),
        name: check_name(name, development)?,
        proxy_url: proxy_url
            .filter(|p| !p.is_empty())
            .map(|p| check_proxy_url(p, development))
            .transpose()?,
        created_at: now,
        updated_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_host_names() {
        assert_eq!(
            check_name(" Sat.Example.COM ", false).unwrap(),
            "sat.example.com"
        );
        assert_eq!(
            check_name("localhost:3001", true).unwrap(),
            "localhost:3001"
        );
        for bad in [
            "https://sat.example.com",
            "sat.example.com/path",
            "localhost",
            "example",
            "-a.example.com",
            "a..example.com",
            "a.example.com:3000",
            "",
            "user@example.com",
        ] {
            assert!(check_name(bad, false).is_err(), "{bad}");
        }
        assert!(check_name("localhost:0", true).is_err());
        assert!(check_name("localhost:99999", true).is_err());
    }

    #[test]
    fn proxy_urls_are_https() {
        assert!(check_proxy_url("https://sat.example.com/__clerk", false).is_ok());
        assert!(check_proxy_url("http://sat.example.com/__clerk", false).is_err());
        assert!(check_proxy_url("https://u:p@sat.example.com", false).is_err());
        assert!(check_proxy_url("/__clerk", false).is_err());
    }
}
