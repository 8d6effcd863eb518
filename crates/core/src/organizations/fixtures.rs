//! Organizations for the domain's unit tests, made the way the Backend API makes them.

use super::Organization;
use super::rules::{NewOrganization, validate_new};

/// "Acme", allowing at most `max` members, with `members` of them.
pub(crate) fn org(max: i64, members: i64) -> Organization {
    let input = NewOrganization {
        name: Some("Acme".into()),
        max_allowed_memberships: Some(max),
        ..Default::default()
    };
    match validate_new(input, 1) {
        Ok(valid) => {
            let mut o = valid.organization;
            o.members_count = members;
            o
        }
        Err(e) => panic!("the fixture organization is invalid: {e}"),
    }
}
