//! Testing tokens (the Backend API's Testing Tokens): what Clerk's test helpers (`@clerk/testing`)
//! fetch and pass as `__clerk_testing_token` on Frontend API requests to get past bot protection.
//! Usher has no bot protection to get past, so the Frontend API accepts the parameter and reads
//! nothing from it; the token has Clerk's shape (`<issued, unix s>-<random>`) and lifetime.

use crate::clock::Millis;
use crate::ids::random_hex;

/// Clerk's testing tokens last an hour.
pub const LIFETIME_SECONDS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestingToken {
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

pub fn issue(now: Millis) -> TestingToken {
    let secs = now / 1000;
    TestingToken {
        token: format!("{secs}-{}", random_hex(20)),
        expires_at: secs + LIFETIME_SECONDS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_has_clerks_shape_and_lasts_an_hour() {
        let t = issue(1_713_877_200_123);
        let (at, rest) = t.token.split_once('-').unwrap();
        assert_eq!(at, "1713877200");
        assert_eq!(rest.len(), 40);
        assert_eq!(t.expires_at, 1_713_880_800);
        assert_ne!(issue(0).token, issue(0).token);
    }
}
