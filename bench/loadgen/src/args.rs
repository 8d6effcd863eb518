//! A tiny `--name value` flag parser; `bench/run` is the interface people use.

use std::collections::BTreeMap;
use std::str::FromStr;

use anyhow::{Context, Result, bail};

pub struct Flags {
    values: BTreeMap<String, String>,
}

impl Flags {
    pub fn parse(args: impl Iterator<Item = String>) -> Result<Self> {
        let mut values = BTreeMap::new();
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            let Some(name) = arg.strip_prefix("--") else {
                bail!("unexpected argument {arg:?} (flags are --name value)");
            };
            let (name, value) = match name.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => {
                    let value = args
                        .next()
                        .with_context(|| format!("--{name} needs a value"))?;
                    (name.to_owned(), value)
                }
            };
            values.insert(name, value);
        }
        Ok(Self { values })
    }

    pub fn str(&mut self, name: &str) -> Result<String> {
        self.values
            .remove(name)
            .with_context(|| format!("--{name} is required"))
    }

    pub fn opt_str(&mut self, name: &str) -> Option<String> {
        self.values.remove(name)
    }

    pub fn get<T: FromStr>(&mut self, name: &str, default: T) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.values.remove(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|e| anyhow::anyhow!("--{name} {v:?}: {e}")),
        }
    }

    /// Fails on flags nobody asked for, so typos do not silently fall back to defaults.
    pub fn finish(self) -> Result<()> {
        if let Some(name) = self.values.keys().next() {
            bail!("unknown flag --{name}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> Result<Flags> {
        Flags::parse(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_both_spellings_and_rejects_leftovers() -> Result<()> {
        let mut f = flags(&["--a", "1", "--b=two"])?;
        assert_eq!(f.get("a", 0u32)?, 1);
        assert_eq!(f.str("b")?, "two");
        assert_eq!(f.get("c", 7u32)?, 7);
        f.finish()?;
        let mut f = flags(&["--a", "1", "--typo", "x"])?;
        assert_eq!(f.get("a", 0u32)?, 1);
        assert!(f.finish().is_err());
        assert!(flags(&["--a"]).is_err());
        assert!(flags(&["a"]).is_err());
        Ok(())
    }
}
