//! One-time codes sent by email: six digits, stored salted and hashed, valid for ten minutes and
//! a few wrong tries.

use rand::Rng;
use rand::TryRngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// Wrong tries before the code is spent.
pub const MAX_CODE_ATTEMPTS: i64 = 3;

const CODE_DIGITS: usize = 6;
const CODE_SPACE: u32 = 1_000_000;

/// Six random decimal digits (uniform, from the OS RNG, leading zeros kept).
pub fn generate_code() -> String {
    let n: u32 = OsRng.unwrap_err().random_range(0..CODE_SPACE);
    format!("{n:0width$}", width = CODE_DIGITS)
}

/// Stored form: lowercase hex SHA-256 of `salt` + ":" + code. The salt is the verification's id.
pub fn hash_code(salt: &str, code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b":");
    hasher.update(code.as_bytes());
    hex::encode(hasher.finalize())
}

/// Constant-time check of `code` against a stored hash.
pub fn code_matches(salt: &str, code: &str, stored_hash: &str) -> bool {
    hash_code(salt, code)
        .as_bytes()
        .ct_eq(stored_hash.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            let code = generate_code();
            assert_eq!(code.len(), 6, "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
    }

    #[test]
    fn every_position_sees_every_digit_including_leading_zeros() {
        // With 5000 uniform draws a given digit misses a given position with probability
        // 0.9^5000, far below anything observable.
        let mut seen = [[false; 10]; 6];
        for _ in 0..5000 {
            for (position, digit) in generate_code().bytes().enumerate() {
                seen[position][usize::from(digit - b'0')] = true;
            }
        }
        for (position, digits) in seen.iter().enumerate() {
            assert!(digits[0], "position {position} never saw '0'");
            assert!(digits.iter().all(|d| *d), "position {position}: {digits:?}");
        }
    }

    #[test]
    fn hash_is_sha256_of_salt_colon_code() {
        assert_eq!(
            hash_code("ver_1", "012345"),
            hex::encode(Sha256::digest(b"ver_1:012345"))
        );
        let stored = hash_code("ver_1", "012345");
        assert_eq!(stored.len(), 64);
        assert!(
            stored
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        );
    }

    #[test]
    fn round_trip_and_refusals() {
        let code = generate_code();
        let stored = hash_code("ver_abc", &code);
        assert!(code_matches("ver_abc", &code, &stored));

        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!code_matches("ver_abc", &wrong, &stored));
        assert!(!code_matches("ver_abd", &code, &stored));
        assert!(!code_matches("ver_abc", "", &stored));
        assert!(!code_matches("ver_abc", &code, ""));
        assert!(!code_matches("ver_abc", &code, &stored.to_uppercase()));
    }
}
