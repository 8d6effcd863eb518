//! Which user an external account belongs to. An account already linked signs its user in.
//! Otherwise it joins an existing user only when the provider vouches for the address
//! (`email_verified`) and that address is verified on the user too; an address the provider
//! does not vouch for is never linked (whoever controls the provider account could have typed
//! anyone's address) and, being taken, cannot start a new account either.

use crate::users::User;
use crate::users::model::Verification;

use super::profile::Profile;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkDecision {
    /// The account is linked to this user already.
    SignIn(String),
    /// Link to this user (its verified address is the provider's verified address).
    Link(String),
    /// Nobody has the address: a new user (Clerk's transfer to a sign-up).
    NewUser,
    /// The address belongs to a user but cannot be linked (unverified on either side):
    /// Clerk's `external_account_exists`/`identifier_already_exists` refusal.
    Refuse,
}

/// `linked`: the user the (provider, provider user id) pair names already, if any;
/// `by_email`: the user holding the profile's address, if any.
pub fn decide(profile: &Profile, linked: Option<&User>, by_email: Option<&User>) -> LinkDecision {
    if let Some(u) = linked {
        return LinkDecision::SignIn(u.id.to_string());
    }
    let Some(email) = profile.email_address.as_deref() else {
        return LinkDecision::NewUser;
    };
    let Some(owner) = by_email else {
        return LinkDecision::NewUser;
    };
    let owner_verified = owner.email_addresses.iter().any(|e| {
        e.email_address.eq_ignore_ascii_case(email) && e.verification != Verification::Unverified
    });
    if profile.email_verified && owner_verified {
        LinkDecision::Link(owner.id.to_string())
    } else {
        LinkDecision::Refuse
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::fixtures;

    fn profile(verified: bool) -> Profile {
        Profile {
            provider_user_id: "sub-1".into(),
            email_address: Some("jane@example.com".into()),
            email_verified: verified,
            ..Profile::default()
        }
    }

    #[test]
    fn only_a_verified_address_on_both_sides_links() {
        let mut jane = fixtures::user_with(&["jane@example.com"], None);
        let id = jane.id.to_string();
        assert_eq!(
            decide(&profile(true), None, Some(&jane)),
            LinkDecision::Link(id.clone())
        );
        assert_eq!(
            decide(&profile(false), None, Some(&jane)),
            LinkDecision::Refuse
        );
        jane.email_addresses[0].verification = Verification::Unverified;
        assert_eq!(
            decide(&profile(true), None, Some(&jane)),
            LinkDecision::Refuse
        );
        assert_eq!(
            decide(&profile(false), Some(&jane), None),
            LinkDecision::SignIn(id)
        );
        assert_eq!(decide(&profile(true), None, None), LinkDecision::NewUser);
    }
}
