//! Session tasks: what a signed-in user must still do before the session is active. Usher has
//! one, Clerk's `choose-organization`: on an instance that forces organization selection, a
//! session without an active organization is `pending` until the user picks one.

use super::model::{Session, SessionStatus};
use crate::clock::Millis;
use crate::ids::OrganizationId;
use crate::instance::InstanceSettings;

/// A task of a pending session, as clerk-js names it in `session.tasks[].key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionTask {
    ChooseOrganization,
}

impl SessionTask {
    pub fn key(self) -> &'static str {
        match self {
            SessionTask::ChooseOrganization => "choose-organization",
        }
    }
}

/// Whether every session needs an active organization. The setting means nothing without
/// organizations on the Frontend API: there would be no way to choose one.
pub fn selection_forced(settings: &InstanceSettings) -> bool {
    settings.organizations_enabled && settings.force_organization_selection
}

/// The status a new session starts with.
pub fn starting_status(
    settings: &InstanceSettings,
    active_org: Option<&OrganizationId>,
) -> SessionStatus {
    if selection_forced(settings) && active_org.is_none() {
        SessionStatus::Pending
    } else {
        SessionStatus::Active
    }
}

/// The status as the session's readers see it (its JSON, its tokens). An active session whose
/// organization is gone (the user was removed from it, or it was deleted) is pending again on a
/// forced instance: staying active would make it a personal-account session, which forcing rules
/// out. `has_active_membership` says whether the user is still a member of the session's
/// organization.
pub fn effective_status(
    session: &Session,
    settings: &InstanceSettings,
    has_active_membership: bool,
    now: Millis,
) -> SessionStatus {
    match session.status_at(now) {
        SessionStatus::Active if selection_forced(settings) && !has_active_membership => {
            SessionStatus::Pending
        }
        status => status,
    }
}

/// The tasks of a session in `status`: none unless it is pending.
pub fn tasks(status: SessionStatus) -> Option<Vec<SessionTask>> {
    (status == SessionStatus::Pending).then(|| vec![SessionTask::ChooseOrganization])
}

/// What a touch's `active_organization_id` did to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// The organization changed (or not), the status did not.
    Unchanged,
    /// A pending session became active.
    Activated,
}

/// A touch names the session's organization: `Some` a membership the caller checked, `None` the
/// personal account. On a forced instance the personal account is no choice: the session keeps
/// its organization (none for a pending one, which stays pending), as Clerk's Frontend API does
/// with an empty `active_organization_id`. Choosing resolves the `choose-organization` task.
pub fn select_organization(
    session: &mut Session,
    settings: &InstanceSettings,
    chosen: Option<OrganizationId>,
) -> Selection {
    if chosen.is_none() && selection_forced(settings) {
        return Selection::Unchanged;
    }
    session.last_active_organization_id = chosen;
    if session.status == SessionStatus::Pending {
        session.status = SessionStatus::Active;
        Selection::Activated
    } else {
        Selection::Unchanged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forced() -> InstanceSettings {
        InstanceSettings {
            organizations_enabled: true,
            force_organization_selection: true,
            ..Default::default()
        }
    }

    fn session(status: SessionStatus, org: Option<&str>) -> Session {
        Session {
            last_active_organization_id: org.map(OrganizationId::from_stored),
            ..crate::sessions::fixtures::session(status, 0, 1_000)
        }
    }

    #[test]
    fn forcing_needs_organizations() {
        let mut s = forced();
        assert_eq!(starting_status(&s, None), SessionStatus::Pending);
        let org = OrganizationId::from_stored("org_1");
        assert_eq!(starting_status(&s, Some(&org)), SessionStatus::Active);
        s.organizations_enabled = false;
        assert_eq!(starting_status(&s, None), SessionStatus::Active);
        assert_eq!(
            starting_status(&InstanceSettings::default(), None),
            SessionStatus::Active
        );
    }

    #[test]
    fn choosing_an_organization_activates_a_pending_session_once() {
        let mut s = session(SessionStatus::Pending, None);
        let org = OrganizationId::from_stored("org_1");
        assert_eq!(
            select_organization(&mut s, &forced(), Some(org.clone())),
            Selection::Activated
        );
        assert_eq!(s.status, SessionStatus::Active);
        assert_eq!(s.last_active_organization_id, Some(org));
        let other = OrganizationId::from_stored("org_2");
        assert_eq!(
            select_organization(&mut s, &forced(), Some(other.clone())),
            Selection::Unchanged
        );
        assert_eq!(s.last_active_organization_id, Some(other));
    }

    #[test]
    fn the_personal_account_is_no_choice_when_forced() {
        let mut pending = session(SessionStatus::Pending, None);
        assert_eq!(
            select_organization(&mut pending, &forced(), None),
            Selection::Unchanged
        );
        assert_eq!(pending.status, SessionStatus::Pending);
        let mut active = session(SessionStatus::Active, Some("org_1"));
        select_organization(&mut active, &forced(), None);
        assert_eq!(
            active.last_active_organization_id,
            Some(OrganizationId::from_stored("org_1"))
        );
        // Not forced (any more): the personal account resolves the task.
        let mut pending = session(SessionStatus::Pending, None);
        assert_eq!(
            select_organization(&mut pending, &InstanceSettings::default(), None),
            Selection::Activated
        );
    }

    #[test]
    fn an_active_session_without_its_organization_is_pending_when_forced() {
        let s = session(SessionStatus::Active, Some("org_1"));
        assert_eq!(
            effective_status(&s, &forced(), false, 0),
            SessionStatus::Pending
        );
        assert_eq!(
            effective_status(&s, &forced(), true, 0),
            SessionStatus::Active
        );
        assert_eq!(
            effective_status(&s, &InstanceSettings::default(), false, 0),
            SessionStatus::Active
        );
        // Time still ends it.
        assert_eq!(
            effective_status(&s, &forced(), false, 1_000),
            SessionStatus::Expired
        );
        assert_eq!(tasks(SessionStatus::Active), None);
        assert_eq!(
            tasks(SessionStatus::Pending),
            Some(vec![SessionTask::ChooseOrganization])
        );
    }
}
