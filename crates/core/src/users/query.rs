//! Listing users: filters, ordering and paging as `GET /v1/users` takes them.

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::order_by::{self, OrderBy, order_fields};
use crate::users::identifiers::{validate_email, validate_phone};

pub const MAX_LIMIT: i64 = 500;
pub const DEFAULT_LIMIT: i64 = 10;

/// The shortest `query`, in characters, a trigram index can narrow: one trigram (three
/// characters in a row) of the users' search text. A shorter query reads every user.
pub const TRIGRAM_MIN_CHARS: usize = 3;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct UserFilter {
    pub email_addresses: Vec<String>,
    pub phone_numbers: Vec<String>,
    pub usernames: Vec<String>,
    pub external_ids: Vec<String>,
    pub exclude_external_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub exclude_user_ids: Vec<String>,
    /// Lower-cased partial match over ids, names and identifiers.
    pub query: Option<String>,
    pub banned: Option<bool>,
    /// `(true, t)`: users locked at time `t` (`locked_until` after it); `(false, t)`: users not
    /// locked then.
    pub locked_at: Option<(bool, Millis)>,
    pub last_active_at_since: Option<Millis>,
    pub last_active_at_before: Option<Millis>,
    pub created_at_before: Option<Millis>,
    pub created_at_after: Option<Millis>,
    pub last_sign_in_at_before: Option<Millis>,
    pub last_sign_in_at_after: Option<Millis>,
}

order_fields! {
    /// What `GET /v1/users` can be ordered by.
    pub enum UserOrderField {
        CreatedAt = "created_at",
        UpdatedAt = "updated_at",
        EmailAddress = "email_address",
        PhoneNumber = "phone_number",
        Username = "username",
        FirstName = "first_name",
        LastName = "last_name",
        LastSignInAt = "last_sign_in_at",
        LastActiveAt = "last_active_at",
    }
    default CreatedAt;
    unknown(name) => order_by::unknown_field(name, "users");
}

/// How `GET /v1/users` is ordered: `-created_at` by default.
pub type UserOrder = OrderBy<UserOrderField>;

impl UserFilter {
    /// What an operator's search box asks for. A whole user id, email address or E.164 phone
    /// number is that identifier, found through its index; any other text is a case-insensitive
    /// substring of ids, names and identifiers, as the Backend API's `query`: narrowed by the
    /// users' trigram index when it has [`TRIGRAM_MIN_CHARS`] characters or more (see
    /// [`Self::trigram_query`]), a read of every user when shorter.
    pub fn search(text: &str) -> Self {
        let t = text.trim();
        let mut f = Self::default();
        if t.is_empty() {
        } else if t.starts_with(crate::ids::prefix::USER) && !t.contains(char::is_whitespace) {
            f.user_ids = vec![t.to_owned()];
        } else if let Ok(email) = validate_email(t) {
            f.email_addresses = vec![email];
        } else if let Some(phone) = t.starts_with('+').then(|| validate_phone(t).ok()).flatten() {
            f.phone_numbers = vec![phone];
        } else {
            f.query = Some(t.to_lowercase());
        }
        f
    }

    /// The lower-cased `query`, when a trigram index can narrow it: at least
    /// [`TRIGRAM_MIN_CHARS`] characters, none of them NUL (which a full-text query's text ends
    /// at). The match itself stays the substring rule: the index only picks the candidates.
    pub fn trigram_query(&self) -> Option<String> {
        let q = self.query.as_deref()?.to_lowercase();
        (q.chars().count() >= TRIGRAM_MIN_CHARS && !q.contains('\0')).then_some(q)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub limit: i64,
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl Page {
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> CoreResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(CoreError::value(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let offset = offset.unwrap_or(0);
        if offset < 0 {
            return Err(CoreError::value("offset", "must not be negative"));
        }
        Ok(Self { limit, offset })
    }

    /// This page of a list read whole: `offset` items passed over, at most `limit` kept.
    pub fn of<I: IntoIterator>(&self, all: I) -> std::iter::Take<std::iter::Skip<I::IntoIter>> {
        all.into_iter()
            .skip(usize::try_from(self.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(self.limit).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_page() {
        assert_eq!(
            UserOrder::parse("-created_at").unwrap(),
            UserOrder::default()
        );
        assert!(!UserOrder::parse("+username").unwrap().descending);
        assert!(!UserOrder::parse("first_name").unwrap().descending);
        assert!(UserOrder::parse("-password").is_err());
        assert!(Page::new(Some(0), None).is_err());
        assert!(Page::new(Some(501), None).is_err());
        assert_eq!(
            Page::new(Some(500), Some(3)).unwrap(),
            Page {
                limit: 500,
                offset: 3
            }
        );
    }

    #[test]
    fn a_whole_identifier_is_looked_up_and_other_text_is_a_substring() {
        let s = UserFilter::search;
        assert_eq!(s("  ").query, None);
        assert_eq!(s("user_2abc").user_ids, ["user_2abc"]);
        assert_eq!(s("Ada@Example.com").email_addresses, ["Ada@Example.com"]);
        assert_eq!(s("+1 415-555-0123").phone_numbers, ["+14155550123"]);
        for partial in ["ada@example", "4155550123", "Lovelace", "user_ with space"] {
            let f = s(partial);
            assert_eq!(f.query.as_deref(), Some(partial.to_lowercase().as_str()));
            assert!(f.user_ids.is_empty() && f.email_addresses.is_empty());
        }
    }

    #[test]
    fn three_characters_or_more_go_through_the_trigrams() {
        let q = |t: &str| {
            UserFilter {
                query: Some(t.to_owned()),
                ..UserFilter::default()
            }
            .trigram_query()
        };
        assert_eq!(q("Ada"), Some("ada".to_owned()));
        assert_eq!(q("éÅß"), Some("éåß".to_owned()), "characters, not bytes");
        assert_eq!(q("ab"), None);
        assert_eq!(q("é"), None);
        assert_eq!(q("ab\0c"), None);
        assert_eq!(UserFilter::default().trigram_query(), None);
    }
}
