//! Authenticator data (WebAuthn §6.1): the RP ID's hash, the flags, the signature counter and,
//! on registration, the attested credential (AAGUID, credential id, COSE public key).

use super::cbor::Cbor;
use super::cose::PublicKey;

pub const FLAG_UP: u8 = 0x01;
pub const FLAG_UV: u8 = 0x04;
pub const FLAG_BE: u8 = 0x08;
pub const FLAG_BS: u8 = 0x10;
pub const FLAG_AT: u8 = 0x40;
pub const FLAG_ED: u8 = 0x80;

/// The longest credential id WebAuthn allows.
const MAX_CREDENTIAL_ID: usize = 1023;

#[derive(Debug, Clone, PartialEq)]
pub struct AttestedCredential {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    pub public_key: PublicKey,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuthData {
    pub rp_id_hash: [u8; 32],
    pub flags: u8,
    pub sign_count: u32,
    pub attested: Option<AttestedCredential>,
}

impl AuthData {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Parses authenticator data; a key the verifier does not take is refused with its reason.
    pub fn parse(input: &[u8]) -> Result<Self, &'static str> {
        const TOO_SHORT: &str = "the authenticator data is too short";
        let head = input.get(..37).ok_or(TOO_SHORT)?;
        let mut rp_id_hash = [0u8; 32];
        rp_id_hash.copy_from_slice(&head[..32]);
        let flags = head[32];
        let sign_count = u32::from_be_bytes([head[33], head[34], head[35], head[36]]);
        let mut rest = &input[37..];
        let attested = if flags & FLAG_AT != 0 {
            let fixed = rest.get(..18).ok_or(TOO_SHORT)?;
            let mut aaguid = [0u8; 16];
            aaguid.copy_from_slice(&fixed[..16]);
            let id_len = usize::from(u16::from_be_bytes([fixed[16], fixed[17]]));
            if id_len == 0 || id_len > MAX_CREDENTIAL_ID {
                return Err("the credential id's length is not accepted");
            }
            let credential_id = rest.get(18..18 + id_len).ok_or(TOO_SHORT)?.to_vec();
            rest = &rest[18 + id_len..];
            let (key, used) = Cbor::decode_prefix(rest).map_err(|e| e.0)?;
            rest = &rest[used..];
            let public_key = PublicKey::from_cose(&key).map_err(|e| e.0)?;
            Some(AttestedCredential {
                aaguid,
                credential_id,
                public_key,
            })
        } else {
            None
        };
        if flags & FLAG_ED != 0 {
            let (_, used) = Cbor::decode_prefix(rest).map_err(|e| e.0)?;
            rest = &rest[used..];
        }
        if !rest.is_empty() {
            return Err("trailing bytes after the authenticator data");
        }
        Ok(Self {
            rp_id_hash,
            flags,
            sign_count,
            attested,
        })
    }
}
