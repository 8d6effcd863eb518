//! Fuzz target: `usher_verify::fuzzing::signed_claims` must never panic, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    usher_verify::fuzzing::signed_claims(data);
});
