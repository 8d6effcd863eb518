//! What the instance's end users see it called: the application name, a logo and a primary
//! colour. The Frontend API serves them in the environment's `display_config` (as Clerk does),
//! and the hosted pages and emails use them. Unset fields fall back to Usher's defaults.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::text;

/// The name shown until the operator sets one.
pub const DEFAULT_APPLICATION_NAME: &str = "Usher";
/// The colour of buttons and links until the operator sets one (Clerk's default theme colour).
pub const DEFAULT_PRIMARY_COLOR: &str = "#6c47ff";
/// Clerk's dashboard limits application names to 50 characters.
pub const NAME_MAX_CHARS: usize = 50;
const LOGO_URL_MAX_LEN: usize = 2048;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    pub application_name: Option<String>,
    /// An absolute http(s) URL the pages and emails load the logo from.
    pub logo_image_url: Option<String>,
    /// `#rrggbb`, lower case.
    pub primary_color: Option<String>,
    pub updated_at: Option<Millis>,
    /// The stored row's version (optimistic concurrency); 0 before the first change.
    #[serde(skip)]
    pub version: i64,
}

impl Branding {
    pub fn application_name(&self) -> &str {
        self.application_name
            .as_deref()
            .unwrap_or(DEFAULT_APPLICATION_NAME)
    }

    pub fn primary_color(&self) -> &str {
        self.primary_color
            .as_deref()
            .unwrap_or(DEFAULT_PRIMARY_COLOR)
    }

    pub fn logo_image_url(&self) -> Option<&str> {
        self.logo_image_url.as_deref()
    }
}

/// A change: `None` leaves a field alone; `Some(None)` (or an empty string) puts the default back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrandingPatch {
    pub application_name: Option<Option<String>>,
    pub logo_image_url: Option<Option<String>>,
    pub primary_color: Option<Option<String>>,
}

impl BrandingPatch {
    pub fn is_empty(&self) -> bool {
        self.application_name.is_none()
            && self.logo_image_url.is_none()
            && self.primary_color.is_none()
    }
}

/// Validates every field of `patch` before changing anything, then applies it. Returns whether
/// anything changed.
pub fn apply(branding: &mut Branding, patch: &BrandingPatch, now: Millis) -> CoreResult<bool> {
    let name = patch
        .application_name
        .as_ref()
        .map(|v| cleared(v).map(validate_name).transpose())
        .transpose()?;
    let logo = patch
        .logo_image_url
        .as_ref()
        .map(|v| cleared(v).map(validate_logo_url).transpose())
        .transpose()?;
    let color = patch
        .primary_color
        .as_ref()
        .map(|v| cleared(v).map(validate_color).transpose())
        .transpose()?;
    let before = branding.clone();
    if let Some(v) = name {
        branding.application_name = v;
    }
    if let Some(v) = logo {
        branding.logo_image_url = v;
    }
    if let Some(v) = color {
        branding.primary_color = v;
    }
    let changed = *branding != before;
    if changed {
        branding.updated_at = Some(now);
    }
    Ok(changed)
}

fn cleared(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub fn validate_name(name: &str) -> CoreResult<String> {
    let name = name.trim();
    text::at_most("application_name", name, NAME_MAX_CHARS)?;
    if name.chars().any(char::is_control) {
        return Err(CoreError::format(
            "application_name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// Only absolute http(s) URLs with a host and no credentials: the pages put it in `<img src>`
/// and emails in their HTML, so `javascript:` or `data:` must never get through.
pub fn validate_logo_url(raw: &str) -> CoreResult<String> {
    let bad = || {
        CoreError::format(
            "logo_image_url",
            "must be an absolute http:// or https:// URL (without user name or password)",
        )
    };
    if raw.len() > LOGO_URL_MAX_LEN || raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    let url = url::Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// `#rrggbb`, stored lower case.
pub fn validate_color(raw: &str) -> CoreResult<String> {
    let ok =
        raw.len() == 7 && raw.starts_with('#') && raw[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(CoreError::format(
            "primary_color",
            "must be a colour written #rrggbb (for example #1d4ed8)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: Option<&str>, logo: Option<&str>, color: Option<&str>) -> BrandingPatch {
        BrandingPatch {
            application_name: name.map(|s| Some(s.to_owned())),
            logo_image_url: logo.map(|s| Some(s.to_owned())),
            primary_color: color.map(|s| Some(s.to_owned())),
        }
    }

    #[test]
    fn defaults_until_set() {
        let b = Branding::default();
        assert_eq!(b.application_name(), "Usher");
        assert_eq!(b.primary_color(), DEFAULT_PRIMARY_COLOR);
        assert_eq!(b.logo_image_url(), None);
    }

    #[test]
    fn applies_valid_values_and_normalises() {
        let mut b = Branding::default();
        let changed = apply(
            &mut b,
            &set(
                Some("  Acme  "),
                Some("https://cdn.acme.test/logo.png"),
                Some("#1D4ED8"),
            ),
            7,
        )
        .unwrap();
        assert!(changed);
        assert_eq!(b.application_name(), "Acme");
        assert_eq!(b.primary_color(), "#1d4ed8");
        assert_eq!(b.logo_image_url(), Some("https://cdn.acme.test/logo.png"));
        assert_eq!(b.updated_at, Some(7));
        // The same values again change nothing.
        assert!(!apply(&mut b, &set(Some("Acme"), None, None), 9).unwrap());
        assert_eq!(b.updated_at, Some(7));
        // Empty puts the default back.
        apply(&mut b, &set(Some(""), Some(""), Some("")), 10).unwrap();
        assert_eq!(
            b,
            Branding {
                updated_at: Some(10),
                ..Branding::default()
            }
        );
    }

    #[test]
    fn one_bad_field_changes_nothing() {
        let mut b = Branding::default();
        let err = apply(&mut b, &set(Some("Acme"), None, Some("blue")), 1).unwrap_err();
        assert!(
            matches!(err, CoreError::ParamFormatInvalid { ref param, .. } if param == "primary_color")
        );
        assert_eq!(b, Branding::default());
    }

    #[test]
    fn refuses_bad_input() {
        assert!(validate_name(&"x".repeat(51)).is_err());
        assert!(validate_name(&"é".repeat(50)).is_ok());
        assert!(validate_name("a\u{7}b").is_err());
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://x.test/a.png",
            "//x.test/a.png",
            "/logo.png",
            "https://user:pw@x.test/a.png",
            "https://x.test/a b.png",
        ] {
            assert!(validate_logo_url(bad).is_err(), "{bad}");
        }
        assert!(validate_logo_url("http://127.0.0.1:8080/logo.svg").is_ok());
        for bad in [
            "#fff",
            "1d4ed8",
            "#1d4ed",
            "#1d4ed8a",
            "#gggggg",
            "#1d4ed８",
        ] {
            assert!(validate_color(bad).is_err(), "{bad}");
        }
    }
}
