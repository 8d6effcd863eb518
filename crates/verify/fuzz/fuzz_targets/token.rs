//! Fuzz target: `usher_verify::fuzzing::token` must never panic, whatever the bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    usher_verify::fuzzing::token(data);
});
