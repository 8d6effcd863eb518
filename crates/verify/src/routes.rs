//! Route matching with the patterns of Clerk's `createRouteMatcher` (path-to-regexp v6
//! syntax): literal paths, named parameters (`/orgs/:slug`), custom groups (`/dashboard(.*)`),
//! modifiers (`?`, `*`, `+`, as in `/files/:path*`), escapes (`\\(`); matching is
//! case-insensitive and allows one trailing `/`, `#` or `?`, exactly as path-to-regexp's
//! defaults. Brace groups (`{…}`) are not supported and are refused when the matcher is built.
//!
//! Paths are normalised before matching, as Clerk does: percent-escapes of unreserved
//! characters are decoded (`%2F`, `%3F`, `%23` and the other reserved ones stay encoded, so an
//! encoded slash cannot fake a path segment) and runs of `/` collapse to one. A path with a
//! malformed escape does not match anything and is reported by [`normalize_path`], so that a
//! protecting layer can answer 400 instead of letting it through.
//!
//! Matching is linear in the length of the path (the `regex` crate has no backtracking), so a
//! hostile URL cannot make it slow.

use regex::{Regex, RegexBuilder};

use crate::error::ConfigError;

const DEFAULT_PATTERN: &str = "[^/#?]+?";

#[derive(Debug, PartialEq)]
enum Lex {
    Char(char),
    Escaped(char),
    Name(String),
    Pattern(String),
    Modifier(char),
    Open,
    Close,
}

fn lex(pattern: &str) -> Result<Vec<Lex>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '*' | '+' | '?' => {
                out.push(Lex::Modifier(c));
                i += 1;
            }
            '\\' => {
                let n = chars.get(i + 1).ok_or("trailing escape")?;
                out.push(Lex::Escaped(*n));
                i += 2;
            }
            '{' => {
                out.push(Lex::Open);
                i += 1;
            }
            '}' => {
                out.push(Lex::Close);
                i += 1;
            }
            ':' => {
                let mut j = i + 1;
                let mut name = String::new();
                while let Some(&n) = chars.get(j) {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        j += 1;
                    } else {
                        break;
                    }
                }
                if name.is_empty() {
                    return Err(format!("missing parameter name at {i}"));
                }
                out.push(Lex::Name(name));
                i = j;
            }
            '(' => {
                let mut depth = 1;
                let mut pat = String::new();
                let mut j = i + 1;
                if chars.get(j) == Some(&'?') {
                    return Err(format!("pattern cannot start with \"?\" at {j}"));
                }
                while let Some(&n) = chars.get(j) {
                    if n == '\\' {
                        pat.push(n);
                        if let Some(&e) = chars.get(j + 1) {
                            pat.push(e);
                        }
                        j += 2;
                        continue;
                    }
                    if n == ')' {
                        depth -= 1;
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    } else if n == '(' {
                        depth += 1;
                        if chars.get(j + 1) != Some(&'?') {
                            return Err(format!("capturing groups are not allowed at {j}"));
                        }
                    }
                    pat.push(n);
                    j += 1;
                }
                if depth != 0 {
                    return Err(format!("unbalanced pattern at {i}"));
                }
                if pat.is_empty() {
                    return Err(format!("missing pattern at {i}"));
                }
                out.push(Lex::Pattern(pat));
                i = j;
            }
            _ => {
                out.push(Lex::Char(c));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Compiles a path-to-regexp v6 pattern into an anchored regular expression and the names of
/// its parameters (in capture-group order).
fn compile(pattern: &str) -> Result<(String, Vec<String>), String> {
    let tokens = lex(pattern)?;
    let mut re = String::from("^");
    let mut names = Vec::new();
    let mut key = 0usize;
    let mut i = 0;
    let mut path = String::new();
    let flush = |path: &mut String, re: &mut String| {
        re.push_str(&regex::escape(path));
        path.clear();
    };
    while i < tokens.len() {
        let char_tok = match tokens.get(i) {
            Some(Lex::Char(c)) => {
                i += 1;
                Some(*c)
            }
            _ => None,
        };
        let name = match tokens.get(i) {
            Some(Lex::Name(n)) => {
                i += 1;
                Some(n.clone())
            }
            _ => None,
        };
        let pat = match tokens.get(i) {
            Some(Lex::Pattern(p)) => {
                i += 1;
                Some(p.clone())
            }
            _ => None,
        };
        if name.is_some() || pat.is_some() {
            let mut prefix = char_tok.map(String::from).unwrap_or_default();
            if !(prefix == "." || prefix == "/") {
                path.push_str(&prefix);
                prefix.clear();
            }
            flush(&mut path, &mut re);
            let modifier = match tokens.get(i) {
                Some(Lex::Modifier(m)) => {
                    i += 1;
                    Some(*m)
                }
                _ => None,
            };
            let pattern = pat.unwrap_or_else(|| DEFAULT_PATTERN.to_owned());
            // Validate the custom pattern on its own so errors point at it.
            Regex::new(&pattern).map_err(|e| format!("invalid pattern ({pattern}): {e}"))?;
            names.push(name.unwrap_or_else(|| {
                key += 1;
                (key - 1).to_string()
            }));
            let p = regex::escape(&prefix);
            let m = modifier.map(String::from).unwrap_or_default();
            if !p.is_empty() {
                match modifier {
                    Some('+' | '*') => {
                        let opt = if modifier == Some('*') { "?" } else { "" };
                        re.push_str(&format!("(?:{p}((?:{pattern})(?:{p}(?:{pattern}))*)){opt}"));
                    }
                    _ => re.push_str(&format!("(?:{p}({pattern})){m}")),
                }
            } else {
                match modifier {
                    Some('+' | '*') => re.push_str(&format!("((?:{pattern}){m})")),
                    _ => re.push_str(&format!("({pattern}){m}")),
                }
            }
            continue;
        }
        if let Some(c) = char_tok {
            path.push(c);
            continue;
        }
        if let Some(Lex::Escaped(c)) = tokens.get(i) {
            path.push(*c);
            i += 1;
            continue;
        }
        match tokens.get(i) {
            Some(Lex::Open) | Some(Lex::Close) => {
                return Err("brace groups ({…}) are not supported".into());
            }
            Some(Lex::Modifier(m)) => return Err(format!("unexpected modifier {m:?}")),
            _ => return Err("unexpected token".into()),
        }
    }
    flush(&mut path, &mut re);
    re.push_str("[/#?]?$");
    Ok((re, names))
}

fn build(pattern: &str) -> Result<(Regex, Vec<String>), ConfigError> {
    let err = |message: String| ConfigError::InvalidPattern {
        pattern: pattern.to_owned(),
        message,
    };
    let (src, names) = compile(pattern).map_err(err)?;
    let re = RegexBuilder::new(&src)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| err(e.to_string()))?;
    Ok((re, names))
}

/// Whether the byte, once decoded, must stay encoded (`decodeURI`'s reserved set).
fn reserved(b: u8) -> bool {
    matches!(
        b,
        b';' | b'/' | b'?' | b':' | b'@' | b'&' | b'=' | b'+' | b'$' | b',' | b'#'
    )
}

/// The path as Clerk matches it: `decodeURI` (reserved characters stay encoded) and runs of
/// `/` collapsed. `None` for a malformed escape or one that decodes to invalid UTF-8.
pub fn normalize_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let hex = |b: u8| -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    };
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            let v = hi * 16 + lo;
            if v < 0x80 && reserved(v) {
                out.extend_from_slice(bytes.get(i..i + 3)?);
            } else {
                out.push(v);
            }
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    let mut collapsed = String::with_capacity(s.len());
    let mut prev_slash = false;
    for c in s.chars() {
        if c == '/' {
            if prev_slash {
                continue;
            }
            prev_slash = true;
        } else {
            prev_slash = false;
        }
        collapsed.push(c);
    }
    Some(collapsed)
}

/// A set of route patterns (Clerk's `createRouteMatcher`).
///
/// ```
/// use usher_verify::RouteMatcher;
/// let protected = RouteMatcher::new(["/dashboard(.*)", "/api/private(.*)"]).unwrap();
/// assert!(protected.matches("/dashboard"));
/// assert!(protected.matches("/dashboard/settings"));
/// assert!(protected.matches("/api/private/items?x=1"));
/// assert!(protected.matches("//api//private/x"));   // slashes collapsed, as Clerk does
/// assert!(!protected.matches("/api/public"));
/// ```
#[derive(Clone, Debug)]
pub struct RouteMatcher {
    patterns: Vec<String>,
    regexes: Vec<Regex>,
}

impl RouteMatcher {
    pub fn new<I, S>(patterns: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out = Self {
            patterns: Vec::new(),
            regexes: Vec::new(),
        };
        for p in patterns {
            let p = p.into();
            out.regexes.push(build(&p)?.0);
            out.patterns.push(p);
        }
        Ok(out)
    }

    /// Adds a regular expression as is (Clerk also accepts `RegExp`s).
    pub fn with_regex(mut self, re: Regex) -> Self {
        self.patterns.push(re.as_str().to_owned());
        self.regexes.push(re);
        self
    }

    /// Whether the (normalised) path matches any pattern. The query string, if given, is
    /// ignored. A path that cannot be normalised never matches; use [`RouteMatcher::check`]
    /// to tell that case apart.
    pub fn matches(&self, path: &str) -> bool {
        self.check(path).unwrap_or(false)
    }

    /// `Err(())` when the path has a malformed percent-escape.
    #[allow(clippy::result_unit_err)]
    pub fn check(&self, path: &str) -> Result<bool, ()> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let normalized = normalize_path(path).ok_or(())?;
        Ok(self.regexes.iter().any(|r| r.is_match(&normalized)))
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

/// Which organization the URL asks to be active (Clerk's `OrganizationSyncTarget`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrganizationTarget {
    /// `:id` matched.
    OrganizationId(String),
    /// `:slug` matched.
    OrganizationSlug(String),
    /// A personal-account pattern matched: no organization should be active.
    PersonalAccount,
}

/// Organization activation from URL patterns (Clerk's `organizationSyncOptions`):
/// `organization_patterns` name the organization with `:id` or `:slug`, e.g.
/// `["/orgs/:slug", "/orgs/:slug/(.*)"]`; `personal_account_patterns` are the pages of the
/// personal account, e.g. `["/me", "/me/(.*)"]`.
///
/// ```
/// use usher_verify::{OrganizationSync, OrganizationTarget};
/// let sync = OrganizationSync::new(["/orgs/:slug", "/orgs/:slug/(.*)"], ["/me(.*)"]).unwrap();
/// assert_eq!(sync.target("/orgs/acme/settings"), Some(OrganizationTarget::OrganizationSlug("acme".into())));
/// assert_eq!(sync.target("/me/profile"), Some(OrganizationTarget::PersonalAccount));
/// assert_eq!(sync.target("/pricing"), None);
/// ```
#[derive(Clone, Debug)]
pub struct OrganizationSync {
    organization: Vec<(Regex, Vec<String>)>,
    personal: Vec<Regex>,
}

impl OrganizationSync {
    pub fn new<I, S, J, T>(
        organization_patterns: I,
        personal_account_patterns: J,
    ) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        let mut organization = Vec::new();
        for p in organization_patterns {
            organization.push(build(&p.into())?);
        }
        let mut personal = Vec::new();
        for p in personal_account_patterns {
            personal.push(build(&p.into())?.0);
        }
        Ok(Self {
            organization,
            personal,
        })
    }

    /// The target named by `path` (the raw URL path, as Clerk matches it).
    pub fn target(&self, path: &str) -> Option<OrganizationTarget> {
        for (re, names) in &self.organization {
            let Some(caps) = re.captures(path) else {
                continue;
            };
            let get = |wanted: &str| {
                names
                    .iter()
                    .position(|n| n == wanted)
                    .and_then(|i| caps.get(i + 1))
                    .map(|m| m.as_str().to_owned())
                    .filter(|s| !s.is_empty())
            };
            if let Some(id) = get("id") {
                return Some(OrganizationTarget::OrganizationId(id));
            }
            if let Some(slug) = get("slug") {
                return Some(OrganizationTarget::OrganizationSlug(slug));
            }
            return None;
        }
        self.personal
            .iter()
            .any(|re| re.is_match(path))
            .then_some(OrganizationTarget::PersonalAccount)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn compiles_like_path_to_regexp() {
        assert_eq!(
            compile("/dashboard(.*)").unwrap().0,
            "^/dashboard(.*)[/#?]?$"
        );
        assert_eq!(
            compile("/orgs/:slug").unwrap().0,
            "^/orgs(?:/([^/#?]+?))[/#?]?$"
        );
        assert_eq!(
            compile("/files/:path*").unwrap().0,
            "^/files(?:/((?:[^/#?]+?)(?:/(?:[^/#?]+?))*))?[/#?]?$"
        );
        assert!(compile("/a/{b}").is_err());
        assert!(compile("/a/(b(c))").is_err());
        assert!(compile("/a/(?x)").is_err());
    }

    #[test]
    fn matching() {
        let m = RouteMatcher::new(["/dashboard(.*)", "/files/:path*", "/exact"]).unwrap();
        for p in [
            "/dashboard",
            "/dashboard/",
            "/dashboardxyz",
            "/DASHBOARD/a",
            "/files",
            "/files/a/b",
            "/exact/",
            "/Exact",
        ] {
            assert!(m.matches(p), "{p}");
        }
        for p in ["/", "/exact/more", "/file", "/x/dashboard"] {
            assert!(!m.matches(p), "{p}");
        }
        // Reserved characters stay encoded; unreserved ones are decoded.
        assert!(m.matches("/%64ashboard"));
        assert!(!RouteMatcher::new(["/a/b"]).unwrap().matches("/a%2Fb"));
        assert_eq!(m.check("/%zz"), Err(()));
        assert_eq!(m.check("/%E0%A4"), Err(()));
    }
}
