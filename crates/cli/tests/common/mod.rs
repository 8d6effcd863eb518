//! What the CLI tests share: the `usher` binary without the caller's `USHER_*` environment, and
//! an instance created by starting `usher serve` once.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test, with no `USHER_*` variable inherited from whoever runs the tests.
pub fn usher() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_usher"));
    for (k, _) in std::env::vars() {
        if k.starts_with("USHER_") {
            c.env_remove(k);
        }
    }
    c
}

/// Creates the instance in `dir` by starting `usher serve` once, then stops it.
pub fn create_instance(dir: &Path) {
    let mut child = usher()
        .args([
            "serve",
            "--api-addr",
            "127.0.0.1:0",
            "--frontend-addr",
            "127.0.0.1:0",
        ])
        .env("USHER_DATA_DIR", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("Listening:") => break,
            Some(Ok(_)) => {}
            _ => break,
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
