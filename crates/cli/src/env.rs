//! The `USHER_*` variables Usher reads, taken from the command-line definition itself (every
//! argument's `env`), so that the warning about unknown ones cannot drift from the flags.

use std::collections::BTreeSet;

/// Read outside the argument parser: the log filter, and the binary path the test suites take.
const OUTSIDE_ARGS: &[&str] = &["USHER_LOG", "USHER_BIN"];
/// The test suites' own settings (`USHER_TEST_POSTGRES_URL`, `USHER_TEST_BACKEND`, …).
const TEST_PREFIX: &str = "USHER_TEST_";

/// Every variable named by an argument of `cmd` or of any of its subcommands.
pub fn known(cmd: &clap::Command) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = OUTSIDE_ARGS.iter().map(|s| (*s).to_owned()).collect();
    collect(cmd, &mut names);
    names
}

fn collect(cmd: &clap::Command, names: &mut BTreeSet<String>) {
    for arg in cmd.get_arguments() {
        if let Some(env) = arg.get_env() {
            names.insert(env.to_string_lossy().into_owned());
        }
    }
    for sub in cmd.get_subcommands() {
        collect(sub, names);
    }
}

/// The `USHER_*` names in `vars` that Usher does not read: probably typos.
pub fn unknown<'a>(
    known: &BTreeSet<String>,
    vars: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    vars.into_iter()
        .filter(|n| n.starts_with("USHER_") && !n.starts_with(TEST_PREFIX))
        .filter(|n| !known.contains(*n))
        .collect()
}

pub fn warn_unknown(cmd: &clap::Command) {
    let known = known(cmd);
    let vars: Vec<String> = std::env::vars_os()
        .map(|(k, _)| k.to_string_lossy().into_owned())
        .collect();
    for name in unknown(&known, vars.iter().map(String::as_str)) {
        eprintln!("usher: warning: ignoring unknown environment variable {name}");
    }
}
