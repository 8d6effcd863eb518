//! Second factors: time-based one-time passwords (RFC 6238) and single-use backup codes.
//! Pure functions: time comes in as milliseconds since the epoch, storage is the caller's.

pub mod backup_codes;
pub mod totp;
