//! Password digests: our own Argon2id form and the imported forms we can verify (bcrypt, Argon2).

use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use rand::RngCore;
use subtle::ConstantTimeEq;

use crate::error::{CoreError, CoreResult};
use crate::users::model::PasswordDigest;

/// OWASP's Argon2id recommendation: 19 MiB, two passes, one lane.
pub const M_COST_KIB: u32 = 19 * 1024;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;
const OUTPUT_LEN: usize = 32;
const SALT_LEN: usize = 16;
/// Imported Argon2 digests may name bigger parameters; beyond this they are refused at import.
const MAX_IMPORTED_M_COST_KIB: u32 = 256 * 1024;

pub fn default_params() -> CoreResult<Params> {
    Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN))
        .map_err(|e| CoreError::Crypto(e.to_string()))
}

/// Hashes with our parameters into `memory`, a buffer the calling worker keeps between hashes.
pub fn hash_argon2id(password: &[u8], memory: &mut [Block]) -> CoreResult<PasswordDigest> {
    let params = default_params()?;
    let mut salt = [0u8; SALT_LEN];
    rand::rng().fill_bytes(&mut salt);
    let mut out = [0u8; OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password, &salt, &mut out, memory)
        .map_err(|e| CoreError::Crypto(e.to_string()))?;
    Ok(PasswordDigest(format!(
        "$argon2id$v=19$m={M_COST_KIB},t={T_COST},p={P_COST}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    )))
}

/// A parsed `$argon2{i,d,id}$v=19$m=..,t=..,p=..$salt$hash` string.
#[derive(Debug)]
pub struct Argon2Phc {
    pub algorithm: Algorithm,
    pub m: u32,
    pub t: u32,
    pub p: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl Argon2Phc {
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('$');
        if !parts.next()?.is_empty() {
            return None;
        }
        let algorithm = match parts.next()? {
            "argon2id" => Algorithm::Argon2id,
            "argon2i" => Algorithm::Argon2i,
            "argon2d" => Algorithm::Argon2d,
            _ => return None,
        };
        let mut next = parts.next()?;
        if next.starts_with("v=") {
            if next != "v=19" {
                return None;
            }
            next = parts.next()?;
        }
        let (mut m, mut t, mut p) = (None, None, None);
        for kv in next.split(',') {
            let (k, v) = kv.split_once('=')?;
            let v: u32 = v.parse().ok()?;
            match k {
                "m" => m = Some(v),
                "t" => t = Some(v),
                "p" => p = Some(v),
                _ => return None,
            }
        }
        let salt = STANDARD_NO_PAD
            .decode(parts.next()?.trim_end_matches('='))
            .ok()?;
        let hash = STANDARD_NO_PAD
            .decode(parts.next()?.trim_end_matches('='))
            .ok()?;
        if parts.next().is_some() || hash.len() < 4 || hash.len() > 64 || salt.len() < 8 {
            return None;
        }
        let parsed = Self {
            algorithm,
            m: m?,
            t: t?,
            p: p?,
            salt,
            hash,
        };
        Params::new(parsed.m, parsed.t, parsed.p, Some(parsed.hash.len())).ok()?;
        Some(parsed)
    }

    pub fn is_current_default(&self) -> bool {
        self.algorithm == Algorithm::Argon2id
            && self.m == M_COST_KIB
            && self.t == T_COST
            && self.p == P_COST
    }

    /// Verifies in constant time. `memory` is reused when it is the right size.
    pub fn verify(&self, password: &[u8], memory: &mut Vec<Block>) -> CoreResult<bool> {
        let params = Params::new(self.m, self.t, self.p, Some(self.hash.len()))
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let mut out = vec![0u8; self.hash.len()];
        Argon2::new(self.algorithm, Version::V0x13, params)
            .hash_password_into_with_memory(password, &self.salt, &mut out, &mut memory[..blocks])
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        Ok(bool::from(out.as_slice().ct_eq(&self.hash)))
    }
}

/// Which algorithm produced a stored digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestKind {
    Argon2,
    Bcrypt,
}

pub fn kind_of(digest: &PasswordDigest) -> Option<DigestKind> {
    let d = digest.0.as_str();
    if d.starts_with("$argon2") {
        Some(DigestKind::Argon2)
    } else if d.starts_with("$2a$") || d.starts_with("$2b$") || d.starts_with("$2y$") {
        Some(DigestKind::Bcrypt)
    } else {
        None
    }
}

/// Whether a digest should be rehashed with our current parameters after a successful check.
pub fn needs_upgrade(digest: &PasswordDigest) -> bool {
    match kind_of(digest) {
        Some(DigestKind::Argon2) => {
            !Argon2Phc::parse(&digest.0).is_some_and(|p| p.is_current_default())
        }
        _ => true,
    }
}

/// Accepts a digest exported from another system, for the hashers Usher can verify.
pub fn parse_imported(hasher: &str, digest: &str) -> CoreResult<PasswordDigest> {
    let bad = || CoreError::format("password_digest", format!("is not a valid {hasher} digest"));
    match hasher {
        "bcrypt" => {
            let ok = digest.len() == 60
                && (digest.starts_with("$2a$")
                    || digest.starts_with("$2b$")
                    || digest.starts_with("$2y$"))
                && digest.parse::<bcrypt::HashParts>().is_ok();
            if ok {
                Ok(PasswordDigest(digest.to_owned()))
            } else {
                Err(bad())
            }
        }
        "argon2i" | "argon2id" => {
            let parsed = Argon2Phc::parse(digest).ok_or_else(bad)?;
            let matches_hasher = match hasher {
                "argon2i" => parsed.algorithm == Algorithm::Argon2i,
                _ => parsed.algorithm == Algorithm::Argon2id,
            };
            if !matches_hasher
                || parsed.m > MAX_IMPORTED_M_COST_KIB
                || parsed.t > 16
                || parsed.p > 16
            {
                return Err(bad());
            }
            Ok(PasswordDigest(digest.to_owned()))
        }
        other => Err(CoreError::value(
            "password_hasher",
            format!(
                "'{}' is not supported; Usher verifies bcrypt, argon2i and argon2id digests",
                other.chars().take(40).collect::<String>()
            ),
        )),
    }
}

/// Verifies `password` against any stored digest. Runs on a pool worker: it is slow on purpose.
pub fn verify(
    password: &[u8],
    digest: &PasswordDigest,
    memory: &mut Vec<Block>,
) -> CoreResult<bool> {
    match kind_of(digest) {
        Some(DigestKind::Argon2) => match Argon2Phc::parse(&digest.0) {
            Some(phc) => phc.verify(password, memory),
            None => Ok(false),
        },
        Some(DigestKind::Bcrypt) => Ok(bcrypt::verify(password, &digest.0).unwrap_or(false)),
        None => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory() -> Vec<Block> {
        vec![Block::default(); default_params().unwrap().block_count()]
    }

    #[test]
    fn argon2id_round_trip_and_phc_shape() {
        let mut mem = memory();
        let d = hash_argon2id(b"correct horse", &mut mem).unwrap();
        assert!(d.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(b"correct horse", &d, &mut mem).unwrap());
        assert!(!verify(b"wrong horse", &d, &mut mem).unwrap());
        assert!(!needs_upgrade(&d));
    }

    #[test]
    fn imported_bcrypt_verifies_and_needs_upgrade() {
        let h = bcrypt::hash("s3cret-pass", 4).unwrap();
        let d = parse_imported("bcrypt", &h).unwrap();
        let mut mem = memory();
        assert!(verify(b"s3cret-pass", &d, &mut mem).unwrap());
        assert!(!verify(b"nope", &d, &mut mem).unwrap());
        assert!(needs_upgrade(&d));
        assert!(parse_imported("bcrypt", "$2b$10$short").is_err());
        assert!(parse_imported("md5", "abc").is_err());
    }

    #[test]
    fn imported_argon2_with_other_params_verifies() {
        let salt = b"saltsaltsalt1234";
        let params = Params::new(4096, 3, 1, Some(32)).unwrap();
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2i, Version::V0x13, params)
            .hash_password_into(b"pw-imported", salt, &mut out)
            .unwrap();
        let phc = format!(
            "$argon2i$v=19$m=4096,t=3,p=1${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(out)
        );
        let d = parse_imported("argon2i", &phc).unwrap();
        assert!(parse_imported("argon2id", &phc).is_err());
        let mut mem = memory();
        assert!(verify(b"pw-imported", &d, &mut mem).unwrap());
        assert!(!verify(b"pw-imported!", &d, &mut mem).unwrap());
        assert!(needs_upgrade(&d));
    }
}
