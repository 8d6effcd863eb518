//! Single-use backup codes: Clerk's shape (8 lowercase letters and digits), stored as SHA-256.
//! The codes carry ~41 bits of entropy each and are only accepted once, so a fast hash suffices.

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

pub const COUNT: usize = 10;

const CODE_LEN: usize = 8;
const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// COUNT new codes, each 8 lowercase letters/digits (Clerk's format), and their hashes in the same order.
pub fn generate() -> (Vec<String>, Vec<String>) {
    let mut rng = rand::rng();
    let mut codes: Vec<String> = Vec::with_capacity(COUNT);
    while codes.len() < COUNT {
        let code: String = (0..CODE_LEN)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    let hashes = codes.iter().map(|code| hash(code)).collect();
    (codes, hashes)
}

/// The stored form of a code: lowercase hex SHA-256 of the normalised code (trimmed, lowercased,
/// spaces and dashes removed).
pub fn hash(code: &str) -> String {
    let normalised: String = code
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// If `code` matches one of `hashes` (constant-time comparison of every entry), removes that entry
/// and returns true: each code works once.
pub fn consume(hashes: &mut Vec<String>, code: &str) -> bool {
    let candidate = hash(code);
    let mut found = Choice::from(0);
    let mut index: u64 = 0;
    for (i, stored) in hashes.iter().enumerate() {
        let eq = stored.as_bytes().ct_eq(candidate.as_bytes()) & !found;
        index = u64::conditional_select(&index, &(i as u64), eq);
        found |= eq;
    }
    if !bool::from(found) {
        return false;
    }
    match usize::try_from(index) {
        Ok(index) if index < hashes.len() => {
            hashes.remove(index);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generates_ten_distinct_codes_of_clerks_shape_with_matching_hashes() {
        let (codes, hashes) = generate();
        assert_eq!(codes.len(), COUNT);
        assert_eq!(hashes.len(), COUNT);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), COUNT);
        for (code, stored) in codes.iter().zip(&hashes) {
            assert_eq!(code.len(), 8);
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{code}"
            );
            assert_eq!(&hash(code), stored);
            assert_eq!(stored.len(), 64);
            assert!(
                stored
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            );
        }
        let (other, _) = generate();
        assert_ne!(codes, other);
    }

    #[test]
    fn each_code_works_once() {
        let (codes, mut hashes) = generate();
        for (used, code) in codes.iter().enumerate() {
            assert!(consume(&mut hashes, code), "{code}");
            assert_eq!(hashes.len(), COUNT - used - 1);
            assert!(!consume(&mut hashes, code), "{code} reused");
        }
        assert!(hashes.is_empty());
    }

    #[test]
    fn consuming_removes_only_the_matching_entry() {
        let (codes, mut hashes) = generate();
        let before = hashes.clone();
        assert!(consume(&mut hashes, &codes[4]));
        let mut expected = before;
        expected.remove(4);
        assert_eq!(hashes, expected);
    }

    #[test]
    fn unknown_codes_are_refused() {
        let (_, mut hashes) = generate();
        assert!(!consume(&mut hashes, "zzzzzzzz"));
        assert!(!consume(&mut hashes, ""));
        assert_eq!(hashes.len(), COUNT);
        assert!(!consume(&mut Vec::new(), "abcd1234"));
    }

    #[test]
    fn normalisation_accepts_uppercase_dashes_and_spaces() {
        assert_eq!(hash(" AbCd-1234 "), hash("abcd1234"));
        assert_eq!(hash("abcd 1234"), hash("abcd1234"));
        assert_ne!(hash("abcd1235"), hash("abcd1234"));

        let (codes, mut hashes) = generate();
        let shouted = codes[0].to_uppercase();
        let dashed = format!("{}-{}", &codes[1][..4], &codes[1][4..]);
        let spaced = format!("  {} {}\n", &codes[2][..4], codes[2][4..].to_uppercase());
        assert!(consume(&mut hashes, &shouted));
        assert!(consume(&mut hashes, &dashed));
        assert!(consume(&mut hashes, &spaced));
        assert!(!consume(&mut hashes, &codes[0]));
        assert!(!consume(&mut hashes, &codes[1]));
        assert!(!consume(&mut hashes, &codes[2]));
        assert_eq!(hashes.len(), COUNT - 3);
    }
}
