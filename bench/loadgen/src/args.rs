//! A tiny `--name value` flag parser; `bench/run` and `bench/backends/run` are the interfaces
//! people use. A flag may be repeated only where the command reads it with [`Flags::all`].

use std::collections::BTreeMap;
use std::str::FromStr;

use anyhow::{Context, Result, bail};

pub struct Flags {
    values: BTreeMap<String, Vec<String>>,
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
            values.entry(name).or_insert_with(Vec::new).push(value);
        }
        Ok(Self { values })
    }

    /// The value of a flag given at most once.
    fn single(&mut self, name: &str) -> Result<Option<String>> {
        match self.values.remove(name) {
            None => Ok(None),
            Some(mut v) if v.len() == 1 => Ok(v.pop()),
            Some(_) => bail!("--{name} may be given only once"),
        }
    }

    pub fn str(&mut self, name: &str) -> Result<String> {
        self.single(name)?
            .with_context(|| format!("--{name} is required"))
    }

    pub fn opt_str(&mut self, name: &str) -> Result<Option<String>> {
        self.single(name)
    }

    pub fn get<T: FromStr>(&mut self, name: &str, default: T) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.single(name)? {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|e| anyhow::anyhow!("--{name} {v:?}: {e}")),
        }
    }

    /// Every value of a repeatable flag, in the order given (empty when absent).
    pub fn all(&mut self, name: &str) -> Vec<String> {
        self.values.remove(name).unwrap_or_default()
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
        let mut f = flags(&["--api", "x", "--n", "1", "--api=y", "--n", "2"])?;
        assert_eq!(f.all("api"), ["x", "y"]);
        assert!(f.get("n", 0u32).is_err());
        assert!(f.all("none").is_empty());
        assert!(flags(&["a"]).is_err());
        Ok(())
    }
}
