//! The instance's allowlist and blocklist of sign-up identifiers (Clerk's allow-list and
//! block-list) and the email restrictions beside them: which identifiers an entry names (an
//! address, every address at a domain as `*@domain`, or a phone number), and whether an
//! identifier offered at sign-up or added to an account may be used.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{new_id, prefix};
use crate::instance::{InstanceSettings, SignUpMode};
use crate::users::identifiers::{validate_email, validate_phone};

/// Which list an entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Allow,
    Block,
}

impl ListKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Allow => "allow",
            ListKind::Block => "block",
        }
    }
}

/// An entry of either list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListedIdentifier {
    /// `alid_…` on the allowlist, `blid_…` on the blocklist.
    pub id: String,
    pub list: ListKind,
    /// As stored: a lower-cased address, `*@domain`, or an E.164 number.
    pub identifier: String,
    /// `email_address` (an address or a domain) or `phone_number`.
    pub identifier_type: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The entry an operator's text names, normalized; refused when it is neither an address, a
/// `*@domain`, nor a phone number.
pub fn new_entry(list: ListKind, raw: &str, now: Millis) -> CoreResult<ListedIdentifier> {
    let raw = raw.trim();
    let (identifier, identifier_type) = if let Some(domain) = raw.strip_prefix("*@") {
        let domain = domain.to_ascii_lowercase();
        validate_email(&format!("x@{domain}"))?;
        (format!("*@{domain}"), "email_address")
    } else if raw.contains('@') {
        (validate_email(raw)?.to_lowercase(), "email_address")
    } else if raw.starts_with('+') {
        (validate_phone(raw)?, "phone_number")
    } else {
        return Err(CoreError::value(
            "identifier",
            "must be an email address, *@domain, or a phone number in E.164 format",
        ));
    };
    Ok(ListedIdentifier {
        id: new_id(match list {
            ListKind::Allow => prefix::ALLOWLIST_IDENTIFIER,
            ListKind::Block => prefix::BLOCKLIST_IDENTIFIER,
        }),
        list,
        identifier,
        identifier_type: identifier_type.to_owned(),
        created_at: now,
        updated_at: now,
    })
}

/// Whether `entry` names `identifier` (an address or a number, as the user gave it).
pub fn names(entry: &ListedIdentifier, identifier: &str) -> bool {
    let mut id = identifier.trim().to_lowercase();
    if !id.contains('@') {
        id.retain(|c| !matches!(c, ' ' | '-' | '(' | ')'));
    }
    match entry.identifier.strip_prefix("*@") {
        Some(domain) => id.rsplit_once('@').is_some_and(|(_, d)| d == domain),
        None => entry.identifier == id,
    }
}

/// A small built-in list of disposable-address domains (refused with
/// `block_disposable_email_domains`).
pub const DISPOSABLE_DOMAINS: &[&str] = &[
    "10minutemail.com",
    "guerrillamail.com",
    "mailinator.com",
    "maildrop.cc",
    "sharklasers.com",
    "temp-mail.org",
    "tempmail.com",
    "throwawaymail.com",
    "trashmail.com",
    "yopmail.com",
];

/// An address with a subaddress (`name+tag@domain`).
pub fn has_subaddress(email: &str) -> bool {
    email
        .rsplit_once('@')
        .is_some_and(|(local, _)| local.contains('+'))
}

pub fn is_disposable(email: &str) -> bool {
    email
        .rsplit_once('@')
        .is_some_and(|(_, d)| DISPOSABLE_DOMAINS.contains(&d.to_ascii_lowercase().as_str()))
}

/// Whether an identifier may be used, the lists given as stored (both, whatever is enabled).
/// Returns whether the allowlist names it (which lets it sign up in a restricted instance).
/// Refusals do not tell which rule refused.
/// The blocklist and the email restrictions alone: what an invitation's ticket does not get
/// past (it does get past the allowlist and the sign-up mode).
pub fn check_blocked(
    settings: &InstanceSettings,
    entries: &[ListedIdentifier],
    identifier: &str,
) -> CoreResult<()> {
    let blocked = settings.blocklist_enabled
        && entries
            .iter()
            .any(|e| e.list == ListKind::Block && names(e, identifier));
    let is_email = identifier.contains('@');
    let refused = blocked
        || (is_email && settings.block_email_subaddresses && has_subaddress(identifier))
        || (is_email && settings.block_disposable_email_domains && is_disposable(identifier));
    if refused {
        return Err(CoreError::IdentifierNotAllowed);
    }
    Ok(())
}

pub fn check(
    settings: &InstanceSettings,
    entries: &[ListedIdentifier],
    identifier: &str,
) -> CoreResult<bool> {
    let on = |list| {
        entries
            .iter()
            .any(|e| e.list == list && names(e, identifier))
    };
    check_blocked(settings, entries, identifier)?;
    let allowed = on(ListKind::Allow);
    if settings.allowlist_enabled && !allowed && settings.sign_up_mode != SignUpMode::Restricted {
        return Err(CoreError::IdentifierNotAllowed);
    }
    Ok(allowed && settings.allowlist_enabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(list: ListKind, s: &str) -> ListedIdentifier {
        new_entry(list, s, 0).unwrap()
    }

    #[test]
    fn entries_are_normalized_and_name_what_they_should() {
        assert_eq!(
            e(ListKind::Block, " *@Evil.TEST ").identifier,
            "*@evil.test"
        );
        assert_eq!(e(ListKind::Allow, "A@B.test").identifier, "a@b.test");
        assert_eq!(
            e(ListKind::Allow, "+44 7700 900123").identifier_type,
            "phone_number"
        );
        assert!(new_entry(ListKind::Allow, "nobody", 0).is_err());
        assert!(new_entry(ListKind::Allow, "*@", 0).is_err());
        let domain = e(ListKind::Block, "*@evil.test");
        assert!(names(&domain, "Ann@EVIL.test"));
        assert!(!names(&domain, "ann@notevil.test"));
    }

    #[test]
    fn the_lists_and_restrictions_decide() {
        let entries = vec![
            e(ListKind::Block, "*@evil.test"),
            e(ListKind::Allow, "vip@ok.test"),
        ];
        let mut s = InstanceSettings::default();
        assert_eq!(check(&s, &entries, "x@evil.test").ok(), Some(false));
        s.blocklist_enabled = true;
        assert!(check(&s, &entries, "x@evil.test").is_err());
        s.block_email_subaddresses = true;
        assert!(check(&s, &entries, "a+b@ok.test").is_err());
        s.block_disposable_email_domains = true;
        assert!(check(&s, &entries, "a@yopmail.com").is_err());
        s.allowlist_enabled = true;
        assert!(check(&s, &entries, "other@ok.test").is_err());
        assert_eq!(check(&s, &entries, "VIP@ok.test").ok(), Some(true));
        // Restricted: the allowlist opens sign-up rather than refusing.
        s.sign_up_mode = SignUpMode::Restricted;
        assert_eq!(check(&s, &entries, "other@ok.test").ok(), Some(false));
    }
}
