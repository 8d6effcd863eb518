//! Free text the APIs accept (names, descriptions, revocation reasons): one length check and
//! one message for every area, counted in characters as Clerk counts them.

use crate::error::{CoreError, CoreResult};

/// `value` has at most `max` characters, else `param` is refused: "must be at most {max}
/// characters".
pub fn at_most(param: &str, value: &str, max: usize) -> CoreResult<()> {
    if value.chars().count() > max {
        return Err(CoreError::value(
            param,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// A name that must be given: trimmed, not blank, at most `max` characters.
pub fn required_name(param: &str, raw: &str, max: usize) -> CoreResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(CoreError::value(param, "must not be blank"));
    }
    at_most(param, name, max)?;
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(at_most("name", "ééé", 3).is_ok());
        assert_eq!(
            at_most("name", "abcd", 3),
            Err(CoreError::value("name", "must be at most 3 characters"))
        );
    }

    #[test]
    fn required_names_are_trimmed_and_not_blank() {
        assert_eq!(required_name("name", "  Ann ", 3).unwrap(), "Ann");
        assert_eq!(
            required_name("name", "   ", 3),
            Err(CoreError::value("name", "must not be blank"))
        );
        assert!(required_name("name", " Anne ", 3).is_err());
    }
}
