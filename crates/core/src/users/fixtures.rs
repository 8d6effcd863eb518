//! Users for the domain's unit tests, made the way the Backend API makes them.

use super::User;
use super::create::{NewUser, validate};
use super::model::PasswordDigest;
use crate::instance::InstanceSettings;

/// A user with these email addresses (the first one primary) and, when given, a password digest.
pub(crate) fn user_with(emails: &[&str], digest: Option<&str>) -> User {
    let settings = InstanceSettings::default();
    let input = NewUser {
        email_addresses: emails.iter().map(|e| (*e).to_owned()).collect(),
        skip_password_requirement: true,
        ..Default::default()
    };
    match validate(input, &settings) {
        Ok(valid) => valid.into_user(digest.map(|d| PasswordDigest(d.into())), &settings, 0),
        Err(e) => panic!("the fixture user is invalid: {e}"),
    }
}

/// `a@b.co`, without a password.
pub(crate) fn user() -> User {
    user_with(&["a@b.co"], None)
}

/// `a@b.co` with a password (its digest stands for one: nothing here checks it).
pub(crate) fn user_with_password() -> User {
    user_with(&["a@b.co"], Some("$argon2id$x"))
}
