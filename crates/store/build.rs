//! Lists the migration files of each backend, so adding a migration is adding a file: the list
//! the binary embeds (`$OUT_DIR/migrations.rs`) is read from `migrations/<backend>/NNNN_name.sql`.
#![allow(clippy::unwrap_used, clippy::panic)] // a build script should stop the build loudly

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut out = String::new();
    for backend in ["sqlite", "postgres"] {
        let dir = root.join(backend);
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let stem = name.strip_suffix(".sql")?;
                let (number, description) = stem.split_once('_')?;
                let version = number.parse().ok()?;
                Some((version, description.replace('_', " "), name))
            })
            .collect();
        files.sort();
        for pair in files.windows(2) {
            assert!(
                pair[0].0 != pair[1].0,
                "two {backend} migrations numbered {}",
                pair[0].0
            );
        }
        writeln!(
            out,
            "pub const {}: &[(i64, &str, &str)] = &[",
            backend.to_uppercase()
        )
        .unwrap();
        for (version, description, name) in files {
            writeln!(
                out,
                "    ({version}, {description:?}, include_str!({:?})),",
                dir.join(name).display().to_string()
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
    std::fs::write(dest, out).unwrap();
}
