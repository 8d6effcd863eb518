//! The Frontend API version a caller speaks (`__clerk_api_version`, a date). Clerk changes the
//! shape of some answers by version; clients that predate a change must keep getting the shape
//! they know. clerk-js 5 sends `2025-11-10` and knows no `needs_client_trust` sign-in status;
//! clerk-js 6 sends `2026-05-12` or later and handles it.

use std::fmt;

/// A version date. Ordered, so a shape change is one comparison against the version that
/// introduced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion {
    year: u16,
    month: u8,
    day: u8,
}

impl ApiVersion {
    /// What a caller that names no version (or one that is not a date) is answered as: the
    /// oldest shapes, which every client understands.
    pub const LEGACY: ApiVersion = ApiVersion::date(2021, 2, 5);
    /// The first version whose clients handle the `needs_client_trust` sign-in status. Older
    /// ones are asked to confirm a new device as a second factor (`needs_second_factor` with
    /// `client_trust_state: "new"` and an `email_code` factor), as Clerk asks them.
    pub const CLIENT_TRUST_STATUS: ApiVersion = ApiVersion::date(2026, 5, 12);

    const fn date(year: u16, month: u8, day: u8) -> Self {
        Self { year, month, day }
    }

    /// `YYYY-MM-DD`; anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = s.get(0..4)?.parse().ok()?;
        let month: u8 = s.get(5..7)?.parse().ok()?;
        let day: u8 = s.get(8..10)?.parse().ok()?;
        let digits = s
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        (digits && (1..=12).contains(&month) && (1..=31).contains(&day))
            .then_some(Self::date(year, month, day))
    }

    /// The version a request names, the oldest when it names none or no date.
    pub fn requested(value: Option<&str>) -> Self {
        value.and_then(Self::parse).unwrap_or(Self::LEGACY)
    }

    /// Whether the caller handles the `needs_client_trust` sign-in status.
    pub fn knows_client_trust_status(self) -> bool {
        self >= Self::CLIENT_TRUST_STATUS
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        Self::LEGACY
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}
