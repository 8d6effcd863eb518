//! The fuzz targets on stable Rust: every seed of `fuzz/seeds/<target>/`, then inputs derived
//! from them (byte flips, splices, truncations, random bytes). By default a fixed number of
//! inputs from a fixed seed, the same every run. With `USHER_FUZZ_SECONDS=N` each target instead
//! explores for N seconds from a seed of the clock (or `USHER_FUZZ_SEED`), printed so that a
//! failure can be repeated; an input that panics is written under `target/fuzz-failures/`.
//! `crates/verify/ci.sh` runs the timed mode; the coverage-guided `cargo fuzz` run is
//! `USHER_FUZZ=cargo-fuzz crates/verify/ci.sh` on a nightly toolchain.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[&[u8]] = &[
    b".",
    b"..",
    b"%",
    b"%2F",
    b"\n",
    b";",
    b"=",
    b",",
    b" ",
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b"null",
    b"-1",
    b"1e308",
    b"99999999999999999999",
    b"\xff",
    b"\x00",
    b"Bearer ",
    b"__session=",
    b"__client_uat=",
    b"eyJhbGciOiJub25lIn0",
    b"ak_",
    b"mt_",
    b"mch_",
    b"at+jwt",
    b"(.*)",
    b":slug",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut v = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(4) {
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(v.len() + 1);
                let ins = INTERESTING[rng.below(INTERESTING.len())];
                v.splice(i..i, ins.iter().copied());
            }
            2 if !v.is_empty() => {
                let i = rng.below(v.len());
                v.truncate(i);
            }
            3 => {
                let other = &seeds[rng.below(seeds.len())];
                let i = rng.below(v.len() + 1);
                let j = rng.below(other.len() + 1);
                v.splice(i.., other[j..].iter().copied());
            }
            4 if !v.is_empty() => {
                let i = rng.below(v.len());
                let n = rng.below(v.len() - i + 1);
                v.drain(i..i + n);
            }
            _ => {
                let n = rng.below(64);
                v.extend((0..n).map(|_| rng.next() as u8));
            }
        }
    }
    v
}

/// How long, and from which seed, one target explores: fixed by default, timed on request.
enum Budget {
    Inputs(usize),
    Until(Instant),
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn replay(target: &str, f: fn(&[u8]), iterations: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty());
    for s in &seeds {
        f(s);
    }
    let (seed, budget) = match env_u64("USHER_FUZZ_SECONDS") {
        Some(secs) => {
            let seed = env_u64("USHER_FUZZ_SEED").unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64)
            });
            let deadline = Instant::now() + Duration::from_secs(secs);
            (seed | 1, Budget::Until(deadline))
        }
        None => (
            0x5eed_0000_0000_0001 ^ target.len() as u64,
            Budget::Inputs(iterations),
        ),
    };
    let mut rng = Rng(seed);
    let mut tried = 0usize;
    loop {
        match budget {
            Budget::Inputs(n) if tried >= n => break,
            Budget::Until(end) if tried.is_multiple_of(256) && Instant::now() >= end => break,
            _ => {}
        }
        let input: Vec<u8> = if rng.below(10) == 0 {
            (0..rng.below(512)).map(|_| rng.next() as u8).collect()
        } else {
            mutate(&mut rng, &seeds)
        };
        if catch_unwind(AssertUnwindSafe(|| f(&input))).is_err() {
            let out = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/fuzz-failures")
                .join(format!("{target}-{seed}-{tried}"));
            let saved = std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))
                .and_then(|()| std::fs::write(&out, &input));
            panic!(
                "{target}: input {tried} from USHER_FUZZ_SEED={seed} panicked ({}): {input:02x?}",
                match saved {
                    Ok(()) => format!("saved to {}", out.display()),
                    Err(e) => format!("not saved: {e}"),
                }
            );
        }
        tried += 1;
    }
    if matches!(budget, Budget::Until(_)) {
        println!("{target}: {tried} inputs from USHER_FUZZ_SEED={seed}, no panic");
    }
}

#[test]
fn token_target_never_panics() {
    replay("token", usher_verify::fuzzing::token, 20_000);
}

#[test]
fn request_target_never_panics() {
    replay("request", usher_verify::fuzzing::request, 20_000);
}

#[test]
fn signed_claims_target_never_panics() {
    replay("signed_claims", usher_verify::fuzzing::signed_claims, 3_000);
}
