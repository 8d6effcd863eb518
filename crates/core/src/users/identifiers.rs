//! Validation and normalisation of the identifiers a user signs in with.

use crate::error::{CoreError, CoreResult};

/// The kinds of value that must be unique within an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    Email,
    Phone,
    Username,
    ExternalId,
}

impl IdentifierKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Email => "email_address",
            IdentifierKind::Phone => "phone_number",
            IdentifierKind::Username => "username",
            IdentifierKind::ExternalId => "external_id",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "email_address" => IdentifierKind::Email,
            "phone_number" => IdentifierKind::Phone,
            "username" => IdentifierKind::Username,
            "external_id" => IdentifierKind::ExternalId,
            _ => return None,
        })
    }
}

/// What kind of identifier someone typed to sign in: an email address has an `@`, a phone
/// number starts with `+` (E.164), anything else is a username.
pub fn guess_kind(typed: &str) -> IdentifierKind {
    if typed.contains('@') {
        IdentifierKind::Email
    } else if typed.starts_with('+') {
        IdentifierKind::Phone
    } else {
        IdentifierKind::Username
    }
}

/// An identifier in the form used for uniqueness and look-ups.
pub fn normalize(kind: IdentifierKind, value: &str) -> String {
    match kind {
        IdentifierKind::Email | IdentifierKind::Username => value.trim().to_lowercase(),
        IdentifierKind::Phone => value.trim().to_owned(),
        IdentifierKind::ExternalId => value.to_owned(),
    }
}

pub fn validate_email(value: &str) -> CoreResult<String> {
    let v = value.trim();
    let err = || {
        CoreError::format(
            "email_address",
            format!("'{}' is not a valid email address", truncate(v)),
        )
    };
    if v.len() > 320 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err());
    }
    let (local, domain) = v.rsplit_once('@').ok_or_else(err)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain_ok {
        return Err(err());
    }
    Ok(v.to_owned())
}

/// E.164: a `+`, then 7 to 15 digits.
pub fn validate_phone(value: &str) -> CoreResult<String> {
    let v: String = value
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = v.strip_prefix('+').unwrap_or("");
    if (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
    {
        Ok(v)
    } else {
        Err(CoreError::format(
            "phone_number",
            format!("'{}' is not a valid E.164 phone number", truncate(value)),
        ))
    }
}

/// What an operator's reference to a user could be, besides an id: an email address, a phone
/// number or a username, each with the value to look up, most likely first.
pub fn lookup_candidates(reference: &str) -> Vec<(IdentifierKind, String)> {
    let r = reference.trim();
    if r.contains('@') {
        return vec![(IdentifierKind::Email, r.to_owned())];
    }
    let mut out = Vec::new();
    if let Ok(phone) = validate_phone(r) {
        out.push((IdentifierKind::Phone, phone));
    }
    out.push((IdentifierKind::Username, r.to_owned()));
    out
}

/// Clerk's rule: 4 to 64 characters; letters, digits, `_`, `-` and `.`.
pub fn validate_username(value: &str) -> CoreResult<String> {
    let v = value.trim();
    let len = v.chars().count();
    if !(4..=64).contains(&len) {
        return Err(CoreError::format(
            "username",
            "must be between 4 and 64 characters long",
        ));
    }
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(CoreError::format(
            "username",
            "may contain only letters, digits, '_', '-' and '.'",
        ));
    }
    Ok(v.to_owned())
}

pub fn validate_external_id(value: &str) -> CoreResult<String> {
    if value.is_empty() || value.len() > 255 || value.chars().any(char::is_control) {
        return Err(CoreError::format(
            "external_id",
            "must be 1 to 255 printable characters",
        ));
    }
    Ok(value.to_owned())
}

/// Names and other free text: bounded, no control characters.
pub fn validate_text(param: &str, value: &str, max: usize) -> CoreResult<String> {
    if value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(CoreError::format(
            param,
            format!("must be at most {max} printable characters"),
        ));
    }
    Ok(value.to_owned())
}

/// A user's first and last name, whichever are given: at most 256 printable characters each.
pub fn validate_names(first_name: Option<&str>, last_name: Option<&str>) -> CoreResult<()> {
    for (param, v) in [("first_name", first_name), ("last_name", last_name)] {
        if let Some(v) = v {
            validate_text(param, v, 256)?;
        }
    }
    Ok(())
}

/// A user's locale: at most 35 printable characters.
pub fn validate_locale(locale: &str) -> CoreResult<()> {
    validate_text("locale", locale, 35).map(drop)
}

/// How many organizations a user may create: not negative.
pub fn validate_organizations_limit(limit: i64) -> CoreResult<()> {
    if limit < 0 {
        return Err(CoreError::value(
            "create_organizations_limit",
            "must not be negative",
        ));
    }
    Ok(())
}

fn truncate(v: &str) -> String {
    v.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_identifier_is_an_email_a_phone_or_a_username() {
        assert_eq!(guess_kind("jo@example.com"), IdentifierKind::Email);
        // An `@` wins: `+` may start an email address's local part.
        assert_eq!(guess_kind("+jo@example.com"), IdentifierKind::Email);
        assert_eq!(guess_kind("+15555550100"), IdentifierKind::Phone);
        assert_eq!(guess_kind("jo"), IdentifierKind::Username);
        assert_eq!(guess_kind("15555550100"), IdentifierKind::Username);
        assert_eq!(guess_kind(""), IdentifierKind::Username);
    }

    #[test]
    fn references_are_looked_up_as_what_they_look_like() {
        assert_eq!(
            lookup_candidates(" Ada@Example.com "),
            [(IdentifierKind::Email, "Ada@Example.com".to_owned())]
        );
        assert_eq!(
            lookup_candidates("+1 (415) 555-0100"),
            [
                (IdentifierKind::Phone, "+14155550100".to_owned()),
                (IdentifierKind::Username, "+1 (415) 555-0100".to_owned())
            ]
        );
        assert_eq!(
            lookup_candidates("ada"),
            [(IdentifierKind::Username, "ada".to_owned())]
        );
    }

    #[test]
    fn emails() {
        assert!(validate_email("a@b.co").is_ok());
        assert!(validate_email("alice+clerk_test@example.com").is_ok());
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a b@c.co", "a@b..co", "a@b.co.", "a@@b.co",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        assert_eq!(normalize(IdentifierKind::Email, " A@B.co "), "a@b.co");
    }

    #[test]
    fn phones_and_usernames() {
        assert_eq!(validate_phone("+1 (202) 555-0100").unwrap(), "+12025550100");
        assert!(validate_phone("12025550100").is_err());
        assert!(validate_phone("+1").is_err());
        assert!(validate_username("abc").is_err());
        assert!(validate_username("alice_1").is_ok());
        assert!(validate_username("al ice").is_err());
    }
}
