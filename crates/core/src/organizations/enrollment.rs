//! What an organization's verified domain gives a user with a verified address at it, as Clerk
//! does at sign-up: `automatic_invitation` a pending invitation to that address with the
//! domains' default role, `automatic_suggestion` a suggestion to ask to join, and
//! `manual_invitation` nothing. A member, or an address already invited, gets nothing more.

use super::domains::{EnrollmentMode, OrganizationDomain};
use super::invitations::{DEFAULT_EXPIRES_IN_DAYS, InvitationStatus, OrganizationInvitation};
use super::model::Organization;
use super::suggestions::OrganizationSuggestion;
use crate::clock::Millis;
use crate::ids::{OrganizationId, OrganizationInvitationId};
use crate::users::User;
use crate::users::model::Verification;

/// The role a member who joins through a verified domain gets (Clerk's default for domains).
pub const DEFAULT_ROLE: &str = super::roles::MEMBER;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Enrollment {
    Invitation(OrganizationInvitation),
    Suggestion(OrganizationSuggestion),
}

/// The user's verified addresses with their domain, lower-cased.
fn verified_addresses(user: &User) -> impl Iterator<Item = (String, String)> + '_ {
    user.email_addresses
        .iter()
        .filter(|e| !matches!(e.verification, Verification::Unverified))
        .filter_map(|e| {
            let address = e.email_address.to_lowercase();
            let (_, domain) = address.rsplit_once('@')?;
            let domain = domain.to_owned();
            Some((address, domain))
        })
}

/// The domain names of the user's verified addresses: the domains worth looking up.
pub fn domain_names(user: &User) -> Vec<String> {
    let mut names: Vec<String> = verified_addresses(user).map(|(_, d)| d).collect();
    names.sort();
    names.dedup();
    names
}

/// What the store knows around the user: the verified domains their addresses match (each with
/// its organization), the organizations they belong to, and the (organization, address) pairs
/// with a pending invitation.
pub struct Surroundings<'a> {
    pub domains: &'a [(OrganizationDomain, Organization)],
    pub member_of: &'a [OrganizationId],
    pub invited: &'a [(OrganizationId, String)],
}

/// One invitation or suggestion per organization at most, for the first verified address at
/// one of its verified domains. A full organization gets no invitation (it could not be
/// accepted); a suggestion is still made, as the admin decides on the request.
pub fn plan(user: &User, around: &Surroundings<'_>, now: Millis) -> Vec<Enrollment> {
    let mut out: Vec<Enrollment> = Vec::new();
    let mut done: Vec<OrganizationId> = around.member_of.to_vec();
    for (address, domain) in verified_addresses(user) {
        for (d, org) in around.domains {
            if !d.verified || d.name != domain || d.organization_id != org.id {
                continue;
            }
            if done.contains(&org.id) {
                continue;
            }
            let invited = around
                .invited
                .iter()
                .any(|(o, a)| o == &org.id && a.eq_ignore_ascii_case(&address));
            let made = match d.enrollment_mode {
                EnrollmentMode::ManualInvitation => None,
                EnrollmentMode::AutomaticInvitation if invited || !org.has_room() => None,
                EnrollmentMode::AutomaticInvitation => {
                    Some(Enrollment::Invitation(OrganizationInvitation {
                        id: OrganizationInvitationId::new(),
                        organization_id: org.id.clone(),
                        email_address: address.clone(),
                        role: DEFAULT_ROLE.to_owned(),
                        role_name: None,
                        inviter_user_id: None,
                        status: InvitationStatus::Pending,
                        public_metadata: Default::default(),
                        private_metadata: Default::default(),
                        redirect_url: None,
                        expires_at: now + DEFAULT_EXPIRES_IN_DAYS * DAY_MS,
                        created_at: now,
                        updated_at: now,
                        ticket_digest: String::new(),
                        version: 0,
                    }))
                }
                EnrollmentMode::AutomaticSuggestion => Some(Enrollment::Suggestion(
                    OrganizationSuggestion::new(&org.id, &user.id, &address, now),
                )),
            };
            if let Some(e) = made {
                done.push(org.id.clone());
                out.push(e);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::org;
    use super::*;
    use crate::ids::OrganizationDomainId;
    use crate::users::fixtures::user_with;

    fn domain(org: &Organization, name: &str, mode: EnrollmentMode) -> OrganizationDomain {
        OrganizationDomain {
            id: OrganizationDomainId::new(),
            organization_id: org.id.clone(),
            name: name.into(),
            enrollment_mode: mode,
            verified: true,
            affiliation: None,
            ownership_verified_at: None,
            created_at: 1,
            updated_at: 1,
            version: 1,
        }
    }

    /// Addresses given through the Backend API are verified (`admin`).
    fn verified(emails: &[&str]) -> User {
        user_with(emails, None)
    }

    fn run(user: &User, domains: &[(OrganizationDomain, Organization)]) -> Vec<Enrollment> {
        let around = Surroundings {
            domains,
            member_of: &[],
            invited: &[],
        };
        plan(user, &around, 100)
    }

    #[test]
    fn each_mode_gives_what_clerk_documents() {
        let (a, b, c) = (org(0, 1), org(0, 1), org(0, 1));
        let domains = vec![
            (
                domain(&a, "a.com", EnrollmentMode::AutomaticInvitation),
                a.clone(),
            ),
            (
                domain(&b, "b.com", EnrollmentMode::AutomaticSuggestion),
                b.clone(),
            ),
            (
                domain(&c, "c.com", EnrollmentMode::ManualInvitation),
                c.clone(),
            ),
        ];
        let user = verified(&["Ann@A.com", "ann@b.com", "ann@c.com"]);
        let out = run(&user, &domains);
        assert_eq!(out.len(), 2);
        match &out[0] {
            Enrollment::Invitation(i) => {
                assert_eq!(i.organization_id, a.id);
                assert_eq!(i.email_address, "ann@a.com");
                assert_eq!(i.role, "org:member");
                assert_eq!(i.status, InvitationStatus::Pending);
                assert_eq!(i.expires_at, 100 + 30 * DAY_MS);
            }
            other => panic!("{other:?}"),
        }
        match &out[1] {
            Enrollment::Suggestion(s) => {
                assert_eq!((&s.organization_id, &s.user_id), (&b.id, &user.id));
                assert_eq!(s.email_address, "ann@b.com");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(domain_names(&user), vec!["a.com", "b.com", "c.com"]);
    }

    #[test]
    fn unverified_members_invited_and_full_get_nothing() {
        let a = org(0, 1);
        let mut unverified_domain = domain(&a, "a.com", EnrollmentMode::AutomaticInvitation);
        unverified_domain.verified = false;
        let user = verified(&["ann@a.com"]);
        assert!(run(&user, &[(unverified_domain, a.clone())]).is_empty());

        let domains = vec![(
            domain(&a, "a.com", EnrollmentMode::AutomaticInvitation),
            a.clone(),
        )];
        let mut unverified_user = verified(&["ann@a.com"]);
        unverified_user.email_addresses[0].verification = Verification::Unverified;
        assert!(run(&unverified_user, &domains).is_empty());
        assert!(domain_names(&unverified_user).is_empty());

        let member_of = [a.id.clone()];
        let around = Surroundings {
            domains: &domains,
            member_of: &member_of,
            invited: &[],
        };
        assert!(plan(&user, &around, 1).is_empty());

        let invited = [(a.id.clone(), "ANN@a.com".to_owned())];
        let around = Surroundings {
            domains: &domains,
            member_of: &[],
            invited: &invited,
        };
        assert!(plan(&user, &around, 1).is_empty());

        let full = org(1, 1);
        let domains = vec![(
            domain(&full, "a.com", EnrollmentMode::AutomaticInvitation),
            full.clone(),
        )];
        assert!(run(&user, &domains).is_empty());
    }

    #[test]
    fn one_per_organization_whatever_the_addresses() {
        let a = org(0, 1);
        let domains = vec![
            (
                domain(&a, "a.com", EnrollmentMode::AutomaticSuggestion),
                a.clone(),
            ),
            (
                domain(&a, "a.org", EnrollmentMode::AutomaticSuggestion),
                a.clone(),
            ),
        ];
        let user = verified(&["ann@a.com", "ann@a.org"]);
        assert_eq!(run(&user, &domains).len(), 1);
    }
}
