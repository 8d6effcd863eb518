//! Clerk-shaped identifiers: a prefix and a 27-character, time-sortable base62 KSUID.

use rand::RngCore;
use svix_ksuid::{Ksuid, KsuidLike};

pub mod prefix {
    pub const INSTANCE: &str = "ins_";
    pub const USER: &str = "user_";
    pub const EMAIL: &str = "idn_";
    pub const PHONE: &str = "idn_";
    pub const SESSION: &str = "sess_";
    pub const CLIENT: &str = "client_";
    pub const EVENT: &str = "msg_";
    pub const AUDIT: &str = "aud_";
    pub const SECRET_KEY: &str = "sk_id_";
    pub const WEBHOOK_ENDPOINT: &str = "ep_";
    pub const WEBHOOK_ATTEMPT: &str = "atmpt_";
    pub const SIGNING_KEY: &str = "key_";
    /// An email message (not an email address: those are `idn_`).
    pub const EMAIL_MESSAGE: &str = "ema_";
    pub const SIGN_IN: &str = "sia_";
    pub const SIGN_UP: &str = "sua_";
    pub const VERIFICATION: &str = "ver_";
    pub const TOTP: &str = "totp_";
    pub const BACKUP_CODE: &str = "bcode_";
    pub const ORGANIZATION: &str = "org_";
    pub const ORGANIZATION_MEMBERSHIP: &str = "orgmem_";
}

pub fn new_id(prefix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + 27);
    id.push_str(prefix);
    id.push_str(&Ksuid::new(None::<std::time::SystemTime>, None).to_base62());
    id
}

/// Random lowercase hex, for `jti` and other opaque values.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Random alphanumeric text, as Clerk's secret keys use.
pub fn random_alphanumeric(len: usize) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// Whether `id` has `prefix` and a plausible suffix; used to answer 404 early for malformed ids.
pub fn looks_like(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_27_base62_chars() {
        let id = new_id(prefix::USER);
        assert!(id.starts_with("user_"));
        assert_eq!(id.len(), 5 + 27);
        assert!(looks_like(&id, prefix::USER));
        assert!(!looks_like("user_", prefix::USER));
        assert!(!looks_like("sess_abc", prefix::USER));
        assert!(!looks_like("user_a/b", prefix::USER));
    }
}
