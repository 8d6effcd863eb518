//! RFC 6238 time-based one-time passwords: HMAC-SHA1, 30-second steps, 6 digits, the parameters
//! every authenticator app understands.

use aws_lc_rs::hmac;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rand::RngCore;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

pub const STEP_SECS: i64 = 30;
pub const DIGITS: usize = 6;

/// Bytes of entropy in a new secret (160 bits, the HMAC-SHA1 output size RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Everything but RFC 3986 unreserved characters is escaped in the label and issuer.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A new random secret: 20 random bytes, RFC 4648 base32 without padding (uppercase), 32 chars.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

/// `otpauth://totp/<issuer>:<account>?secret=<secret>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30`,
/// issuer and account percent-encoded.
pub fn otpauth_uri(secret: &str, issuer: &str, account: &str) -> String {
    let issuer = utf8_percent_encode(issuer, URI_COMPONENT).to_string();
    let account = utf8_percent_encode(account, URI_COMPONENT);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}"
    )
}

/// The code for a given time step (step = unix_seconds / 30). None when the secret is not valid
/// base32 (or is empty), or the step is negative.
pub fn code_at_step(secret: &str, step: i64) -> Option<String> {
    let key = base32_decode(secret)?;
    if key.is_empty() {
        return None;
    }
    let counter = u64::try_from(step).ok()?;
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &key);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    // RFC 4226 §5.3 dynamic truncation.
    let offset = usize::from(mac.last()? & 0x0f);
    let window: [u8; 4] = mac.get(offset..offset + 4)?.try_into().ok()?;
    let binary = u32::from_be_bytes(window) & 0x7fff_ffff;
    let code = binary % 10u32.pow(DIGITS as u32);
    Some(format!("{code:0width$}", width = DIGITS))
}

/// Checks `code` against the steps now-1, now, now+1 (±1 step of clock drift). Returns the matched step.
/// A step <= `last_used_step` is refused (a code, once used, cannot be replayed, nor can an older one).
/// Non-digit input, wrong length, or an invalid secret give None. Compared in constant time.
pub fn verify(secret: &str, code: &str, now_ms: i64, last_used_step: Option<i64>) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now_step = now_ms.div_euclid(1000).div_euclid(STEP_SECS);
    let mut found = Choice::from(0);
    let mut matched: i64 = 0;
    // Walk from the newest step down so that, should two steps share a code, the newest wins and
    // `last_used_step` moves as far forward as the code allows.
    for step in [now_step + 1, now_step, now_step - 1] {
        if last_used_step.is_some_and(|last| step <= last) {
            continue;
        }
        let Some(expected) = code_at_step(secret, step) else {
            continue;
        };
        let eq = expected.as_bytes().ct_eq(code.as_bytes()) & !found;
        matched = i64::conditional_select(&matched, &step, eq);
        found |= eq;
    }
    bool::from(found).then_some(matched)
}

/// RFC 4648 base32, uppercase, without padding.
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                BASE32_ALPHABET[((buffer >> bits) & 0x1f) as usize],
            ));
        }
    }
    if bits > 0 {
        out.push(char::from(
            BASE32_ALPHABET[((buffer << (5 - bits)) & 0x1f) as usize],
        ));
    }
    out
}

/// RFC 4648 base32. Case-insensitive; trailing `=` padding is allowed. None on any other character
/// or on a length no encoding produces.
fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for byte in text.bytes() {
        let value = match byte.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | u32::from(value);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn ms(secs: i64) -> i64 {
        secs * 1000
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"12345678901234567890"), RFC_SECRET);
        assert_eq!(
            base32_decode(RFC_SECRET).unwrap(),
            b"12345678901234567890".to_vec()
        );
        // RFC 4648 §10 vectors (padding stripped).
        for (plain, encoded) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32_encode(plain.as_bytes()), encoded);
            assert_eq!(base32_decode(encoded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base32_decode("mzxw6ytboi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW6YTB1"), None);
        assert_eq!(base32_decode("MZX"), None);
    }

    #[test]
    fn rfc_6238_sha1_vectors() {
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            let step = time / STEP_SECS;
            assert_eq!(
                code_at_step(RFC_SECRET, step).unwrap(),
                expected,
                "T={time}"
            );
            assert_eq!(verify(RFC_SECRET, expected, ms(time), None), Some(step));
        }
    }

    #[test]
    fn new_secrets_are_32_base32_chars_of_20_bytes() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        for secret in [a, b] {
            assert_eq!(secret.len(), 32);
            assert!(
                secret
                    .bytes()
                    .all(|c| BASE32_ALPHABET.contains(&c) && c != b'=')
            );
            assert_eq!(base32_decode(&secret).unwrap().len(), 20);
            assert!(code_at_step(&secret, 1).is_some());
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not() {
        let now = ms(1_234_567_890);
        let step = 1_234_567_890 / STEP_SECS;
        for delta in [-1, 0, 1] {
            let code = code_at_step(RFC_SECRET, step + delta).unwrap();
            assert_eq!(verify(RFC_SECRET, &code, now, None), Some(step + delta));
        }
        for delta in [-2, 2] {
            let code = code_at_step(RFC_SECRET, step + delta).unwrap();
            assert_eq!(verify(RFC_SECRET, &code, now, None), None);
        }
    }

    #[test]
    fn steps_are_floored_within_a_step() {
        let step = 1_234_567_890 / STEP_SECS;
        let code = code_at_step(RFC_SECRET, step).unwrap();
        let start = step * STEP_SECS * 1000;
        assert_eq!(verify(RFC_SECRET, &code, start, None), Some(step));
        assert_eq!(
            verify(RFC_SECRET, &code, start + STEP_SECS * 1000 - 1, None),
            Some(step)
        );
    }

    #[test]
    fn a_used_step_cannot_be_replayed_nor_an_older_one() {
        let now = ms(1_234_567_890);
        let step = 1_234_567_890 / STEP_SECS;
        let current = code_at_step(RFC_SECRET, step).unwrap();
        let used = verify(RFC_SECRET, &current, now, None).unwrap();
        assert_eq!(verify(RFC_SECRET, &current, now, Some(used)), None);

        // Once the next step's code is used, the current and previous ones are refused too.
        let next = code_at_step(RFC_SECRET, step + 1).unwrap();
        let used = verify(RFC_SECRET, &next, now, Some(used)).unwrap();
        assert_eq!(used, step + 1);
        assert_eq!(verify(RFC_SECRET, &current, now, Some(used)), None);
        let previous = code_at_step(RFC_SECRET, step - 1).unwrap();
        assert_eq!(verify(RFC_SECRET, &previous, now, Some(used)), None);
        assert_eq!(
            verify(RFC_SECRET, &previous, now, Some(step - 2)),
            Some(step - 1)
        );
    }

    #[test]
    fn malformed_input_is_refused() {
        let now = ms(59);
        assert_eq!(verify(RFC_SECRET, "287082", now, None), Some(1));
        for code in [
            "",
            "28708",
            "2870820",
            "28708a",
            " 287082",
            "287082 ",
            "２８７０８２",
        ] {
            assert_eq!(verify(RFC_SECRET, code, now, None), None, "{code:?}");
        }
        for secret in ["", "not base32!", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", "A"] {
            assert_eq!(verify(secret, "287082", now, None), None, "{secret:?}");
            assert_eq!(code_at_step(secret, 1), None, "{secret:?}");
        }
        assert_eq!(code_at_step(RFC_SECRET, -1), None);
        // Lowercase secrets decode to the same key.
        assert_eq!(
            verify(&RFC_SECRET.to_lowercase(), "287082", now, None),
            Some(1)
        );
    }

    #[test]
    fn otpauth_uri_percent_encodes_issuer_and_account() {
        assert_eq!(
            otpauth_uri(RFC_SECRET, "Acme Inc", "jo+mfa@example.com"),
            "otpauth://totp/Acme%20Inc:jo%2Bmfa%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Inc&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            otpauth_uri("ABC", "a:b&c", "é"),
            "otpauth://totp/a%3Ab%26c:%C3%A9?secret=ABC&issuer=a%3Ab%26c&algorithm=SHA1&digits=6&period=30"
        );
    }
}
