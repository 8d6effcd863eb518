//! An organization's email domains: which organization a domain belongs to and how its users
//! may join (Clerk's enrollment modes). A verified domain name belongs to one organization of the
//! instance at most; the store's unique index holds that under concurrency.

use serde::{Deserialize, Serialize};

use super::affiliation::Affiliation;
use super::model::Organization;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{OrganizationDomainId, OrganizationId};
use crate::users::query::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentMode {
    ManualInvitation,
    AutomaticInvitation,
    AutomaticSuggestion,
}

impl EnrollmentMode {
    pub fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "manual_invitation" => Ok(Self::ManualInvitation),
            "automatic_invitation" => Ok(Self::AutomaticInvitation),
            "automatic_suggestion" => Ok(Self::AutomaticSuggestion),
            "enterprise_sso" => Err(CoreError::value(
                "enrollment_mode",
                "enterprise_sso is not supported by this server",
            )),
            _ => Err(CoreError::value(
                "enrollment_mode",
                "must be one of manual_invitation, automatic_invitation, automatic_suggestion",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManualInvitation => "manual_invitation",
            Self::AutomaticInvitation => "automatic_invitation",
            Self::AutomaticSuggestion => "automatic_suggestion",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationDomain {
    pub id: OrganizationDomainId,
    pub organization_id: OrganizationId,
    /// Lower-case host name, no scheme, port or path.
    pub name: String,
    pub enrollment_mode: EnrollmentMode,
    /// Verified by the Backend API (an administrator's word: Clerk's `admin` strategy) or by an
    /// emailed code to an address at the domain (`affiliation`).
    pub verified: bool,
    /// The address a member proved, or is proving, to be at the domain (Frontend API).
    #[serde(default)]
    pub affiliation: Option<Affiliation>,
    /// When the Backend API declared the DNS domain owned by the organization (Clerk's
    /// `manual_override`, standing in for a TXT challenge). Independent of `verified`, which is
    /// about members' addresses.
    #[serde(default)]
    pub ownership_verified_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(skip)]
    pub version: i64,
}

/// Public email providers: a domain anyone can have an address at proves no affiliation.
const COMMON_PROVIDERS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "zoho.com",
    "qq.com",
    "163.com",
];

/// A domain name as stored: trimmed and lower-cased; refused with a scheme, path, port, a single
/// label, labels that are not letters, digits and inner hyphens, or a public email provider.
pub fn normalize_name(raw: &str) -> CoreResult<String> {
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return Err(CoreError::missing("name"));
    }
    let invalid = || CoreError::format("name", "must be a domain name such as example.com");
    if name.len() > 253 || !name.contains('.') {
        return Err(invalid());
    }
    for label in name.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(invalid());
        }
    }
    if name
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(invalid());
    }
    if COMMON_PROVIDERS.contains(&name.as_str()) {
        return Err(CoreError::DomainCommon);
    }
    Ok(name)
}

#[derive(Debug, Default, Clone)]
pub struct NewDomain {
    pub name: Option<String>,
    pub enrollment_mode: Option<String>,
    pub verified: Option<bool>,
}

pub fn validate_new(
    org: &Organization,
    input: NewDomain,
    now: Millis,
) -> CoreResult<OrganizationDomain> {
    let name = normalize_name(input.name.as_deref().unwrap_or_default())?;
    let enrollment_mode = match input.enrollment_mode.as_deref().filter(|s| !s.is_empty()) {
        Some(m) => EnrollmentMode::parse(m)?,
        None => return Err(CoreError::missing("enrollment_mode")),
    };
    Ok(OrganizationDomain {
        id: OrganizationDomainId::new(),
        organization_id: org.id.clone(),
        name,
        enrollment_mode,
        // Clerk's Backend API defaults to verified: the caller is the application's backend.
        verified: input.verified.unwrap_or(true),
        affiliation: None,
        ownership_verified_at: None,
        created_at: now,
        updated_at: now,
        version: 0,
    })
}

#[derive(Debug, Default, Clone)]
pub struct DomainPatch {
    pub enrollment_mode: Option<String>,
    pub verified: Option<bool>,
}

impl DomainPatch {
    pub fn apply(&self, d: &mut OrganizationDomain, now: Millis) -> CoreResult<()> {
        if let Some(m) = &self.enrollment_mode {
            d.enrollment_mode = EnrollmentMode::parse(m)?;
        }
        if let Some(v) = self.verified.filter(|v| *v != d.verified) {
            // The administrator's word replaces whatever an emailed code proved or was proving.
            d.verified = v;
            d.affiliation = None;
        }
        d.updated_at = now;
        Ok(())
    }
}

impl OrganizationDomain {
    /// Declares the domain owned (`verify_ownership`). False when it already was: the call is
    /// idempotent and the first verification's time stands.
    pub fn verify_ownership(&mut self, now: Millis) -> bool {
        if self.ownership_verified_at.is_some() {
            return false;
        }
        self.ownership_verified_at = Some(now);
        self.updated_at = now;
        true
    }
}

/// Listing domains of one organization or of the instance.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct DomainQuery {
    pub organization_id: Option<OrganizationId>,
    pub verified: Option<bool>,
    pub enrollment_modes: Vec<EnrollmentMode>,
    /// Exact domain names.
    pub names: Vec<String>,
    /// Partial (case-insensitive) match on the name.
    pub query: Option<String>,
    pub page: Page,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized_and_checked() {
        assert_eq!(normalize_name(" Example.COM. ").unwrap(), "example.com");
        assert_eq!(normalize_name("a-b.co.uk").unwrap(), "a-b.co.uk");
        for bad in [
            "https://example.com",
            "example.com/x",
            "example.com:80",
            "localhost",
            "-a.com",
            "a..com",
            "1.2.3.4",
            "ex ample.com",
        ] {
            assert!(
                matches!(
                    normalize_name(bad),
                    Err(CoreError::ParamFormatInvalid { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(normalize_name("Gmail.com"), Err(CoreError::DomainCommon));
        assert!(matches!(
            normalize_name(""),
            Err(CoreError::ParamMissing { .. })
        ));
    }

    #[test]
    fn ownership_is_verified_once() {
        let org = super::super::rules::validate_new(
            super::super::rules::NewOrganization {
                name: Some("Acme".into()),
                ..Default::default()
            },
            1,
        )
        .unwrap()
        .organization;
        let input = NewDomain {
            name: Some("acme.test".into()),
            enrollment_mode: Some("manual_invitation".into()),
            verified: Some(false),
        };
        let mut d = validate_new(&org, input, 10).unwrap();
        assert_eq!(d.ownership_verified_at, None);
        assert!(d.verify_ownership(20));
        assert!(!d.verify_ownership(30));
        assert_eq!(d.ownership_verified_at, Some(20));
        assert_eq!(d.updated_at, 20);
        // Ownership says nothing about members' addresses.
        assert!(!d.verified);
    }

    #[test]
    fn enrollment_modes() {
        for m in [
            "manual_invitation",
            "automatic_invitation",
            "automatic_suggestion",
        ] {
            assert_eq!(EnrollmentMode::parse(m).unwrap().as_str(), m);
        }
        assert!(EnrollmentMode::parse("enterprise_sso").is_err());
        assert!(EnrollmentMode::parse("x").is_err());
    }
}
