//! Requests that carry several items at once: how many one may hold.

use crate::{CoreError, CoreResult};

/// A bulk request holds between 1 and `max` items (`items` names them in the refusal, which
/// names `param`).
pub fn count(param: &str, n: usize, max: usize, items: &str) -> CoreResult<()> {
    if n == 0 || n > max {
        return Err(CoreError::value(
            param,
            format!("between 1 and {max} {items} per request"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_one_and_the_most() {
        assert!(count("invitations", 0, 10, "invitations").is_err());
        assert_eq!(count("invitations", 1, 10, "invitations"), Ok(()));
        assert_eq!(count("invitations", 10, 10, "invitations"), Ok(()));
        assert!(count("invitations", 11, 10, "invitations").is_err());
    }
}
