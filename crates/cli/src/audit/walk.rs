//! Reads an application's source tree for `usher audit --app`: text files of the kinds apps are
//! written in, without dependencies and version control, and built client bundles (`dist/`,
//! `build/`, `out/`, `.next/static/`, `public/`, `static/`) marked as such, read only for what
//! must never ship in them.

use std::path::Path;

use anyhow::Context;

use super::app::AppFile;

const SKIPPED: [&str; 9] = [
    "node_modules",
    ".git",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    "coverage",
    ".turbo",
    ".cache",
];
const BUNDLES: [&str; 6] = ["dist", "build", "out", ".next", "public", "static"];
const EXTENSIONS: [&str; 20] = [
    "js", "jsx", "ts", "tsx", "mjs", "cjs", "vue", "svelte", "astro", "py", "rb", "go", "php",
    "json", "yaml", "yml", "toml", "html", "map", "txt",
];
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
const MAX_FILES: usize = 20_000;

pub fn read_tree(root: &Path) -> anyhow::Result<Vec<AppFile>> {
    if !root.is_dir() {
        anyhow::bail!("--app {}: not a directory", root.display());
    }
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), false)];
    while let Some((dir, in_bundle)) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?;
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !SKIPPED.contains(&name.as_str()) {
                    stack.push((path, in_bundle || BUNDLES.contains(&name.as_str())));
                }
                continue;
            }
            if !kind.is_file() || !wanted(&name) {
                continue;
            }
            if entry.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push(AppFile {
                path: rel,
                text,
                bundle: in_bundle,
            });
            if out.len() >= MAX_FILES {
                return Ok(out);
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn wanted(name: &str) -> bool {
    if name.starts_with(".env") {
        return true;
    }
    if name == "package-lock.json" || name.ends_with(".min.js.map") {
        return false;
    }
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}
