//! SMS pumping caps. Fraudsters who share in the revenue of expensive destinations ("SMS
//! pumping", toll fraud) make an application text codes to numbers they control, in bulk. Beyond
//! the five codes per number an hour ([`crate::sms::CODES_PER_NUMBER`]), codes are capped per
//! country calling code an hour (a default table: generous where users are, low for the
//! international network, satellite and shared-cost prefixes that pumping favours) and per
//! client address an hour. Operators override any country's cap and the address cap.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::ratelimit::Window;

const HOUR_MS: Millis = 60 * 60 * 1000;

/// The country calling codes of one or two digits (ITU-T E.164); every other is three digits.
const SHORT_CODES: &[&str] = &[
    "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45",
    "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
    "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
];

/// Codes an hour per country calling code unless overridden; others get [`DEFAULT_COUNTRY_CAP`].
pub const DEFAULT_COUNTRY_CAPS: &[(&str, u64)] = &[
    ("1", 1000),
    ("44", 500),
    ("49", 500),
    ("33", 500),
    ("34", 300),
    ("39", 300),
    ("31", 300),
    ("61", 300),
    ("64", 200),
    ("81", 300),
    ("91", 300),
    ("55", 300),
    ("52", 300),
    // International networks, satellite services, shared-cost and premium international
    // numbers: rarely a user's phone, often a pumping target.
    ("808", 5),
    ("870", 5),
    ("878", 5),
    ("881", 5),
    ("882", 5),
    ("883", 5),
    ("888", 5),
    ("979", 5),
];

/// Codes an hour to a country calling code the table does not name.
pub const DEFAULT_COUNTRY_CAP: u64 = 100;

/// Codes an hour requested from one client address.
pub const DEFAULT_PER_ADDRESS: u64 = 10;

/// The caps in force: the defaults with the operator's overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsCaps {
    /// Country calling code (digits, no `+`) → codes an hour, over the default table.
    pub country_overrides: BTreeMap<String, u64>,
    /// Codes an hour per client address.
    pub per_address: u64,
}

impl Default for SmsCaps {
    fn default() -> Self {
        Self {
            country_overrides: BTreeMap::new(),
            per_address: DEFAULT_PER_ADDRESS,
        }
    }
}

/// The country calling code of an E.164 number (`+44…` → `44`), `None` if it is not one.
pub fn calling_code(number: &str) -> Option<&str> {
    let digits = number.strip_prefix('+')?;
    if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let short = SHORT_CODES
        .iter()
        .find(|c| digits.starts_with(*c))
        .map(|c| c.len());
    Some(&digits[..short.unwrap_or(3)])
}

impl SmsCaps {
    /// Codes an hour to numbers under `code`.
    pub fn country_cap(&self, code: &str) -> u64 {
        self.country_overrides
            .get(code)
            .copied()
            .or_else(|| {
                DEFAULT_COUNTRY_CAPS
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|(_, n)| *n)
            })
            .unwrap_or(DEFAULT_COUNTRY_CAP)
    }

    /// The hourly window for `code`.
    pub fn country_window(&self, code: &str) -> Window {
        Window {
            limit: self.country_cap(code),
            window_ms: HOUR_MS,
        }
    }

    /// The hourly window per client address.
    pub fn address_window(&self) -> Window {
        Window {
            limit: self.per_address,
            window_ms: HOUR_MS,
        }
    }

    /// Reads `CODE=N` (`+44=200` or `44=200`) into an override; an error names what is wrong.
    pub fn parse_override(text: &str) -> Result<(String, u64), String> {
        let (code, n) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: expected CODE=N, e.g. +44=200"))?;
        let code = code.trim().trim_start_matches('+');
        if code.is_empty() || code.len() > 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{text:?}: {code:?} is not a country calling code"));
        }
        let n = n
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("{text:?}: the cap must be a whole number"))?;
        Ok((code.to_owned(), n))
    }
}

/// What `usher.security.sms_cap_reached` carries: which cap, for what, until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapReached {
    /// `country` or `client_address`.
    pub cap: String,
    /// The country calling code (`+44`) or the client address.
    pub subject: String,
    pub limit: u64,
    pub window_ends_at: Millis,
    pub at: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calling_codes_of_one_two_and_three_digits() {
        assert_eq!(calling_code("+14155550123"), Some("1"));
        assert_eq!(calling_code("+447700900123"), Some("44"));
        assert_eq!(calling_code("+35312345678"), Some("353"));
        assert_eq!(calling_code("+882123456789"), Some("882"));
        assert_eq!(calling_code("4155550123"), None);
        assert_eq!(calling_code("+1"), None);
    }

    #[test]
    fn caps_come_from_the_table_unless_overridden() {
        let mut caps = SmsCaps::default();
        assert_eq!(caps.country_cap("1"), 1000);
        assert_eq!(caps.country_cap("882"), 5);
        assert_eq!(caps.country_cap("353"), DEFAULT_COUNTRY_CAP);
        let (code, n) = SmsCaps::parse_override("+353=2").unwrap();
        caps.country_overrides.insert(code, n);
        assert_eq!(caps.country_cap("353"), 2);
        assert!(SmsCaps::parse_override("uk=3").is_err());
        assert!(SmsCaps::parse_override("+44").is_err());
        assert!(SmsCaps::parse_override("+44=many").is_err());
    }
}
