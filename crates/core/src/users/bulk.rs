//! Requests that name several users at once (`POST /v1/users/ban`, `/v1/users/unban`).

use crate::{CoreError, CoreResult};

/// Clerk's limit on the users one bulk request names.
pub const BULK_MAX: usize = 50;

/// The users a bulk request names: between 1 and 50, each once, in the order first given.
pub fn user_ids(param: &str, ids: Vec<String>) -> CoreResult<Vec<String>> {
    if ids.is_empty() {
        return Err(CoreError::value(param, "must name at least one user"));
    }
    if ids.len() > BULK_MAX {
        return Err(CoreError::value(
            param,
            format!("may name at most {BULK_MAX} users"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    Ok(ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_one_and_fifty_each_once() {
        assert!(user_ids("user_ids", vec![]).is_err());
        let many: Vec<String> = (0..=BULK_MAX).map(|i| format!("user_{i}")).collect();
        assert!(user_ids("user_ids", many.clone()).is_err());
        assert_eq!(
            user_ids("user_ids", many[..BULK_MAX].to_vec()).map(|v| v.len()),
            Ok(BULK_MAX)
        );
        let ids = ["b", "a", "b"].map(String::from).to_vec();
        assert_eq!(
            user_ids("user_ids", ids),
            Ok(vec!["b".to_owned(), "a".to_owned()])
        );
    }
}
