//! Storage of who may sign up: the instance's invitations and its allowlist and blocklist
//! (written through [`super::Write`] with their audit entries).

use crate::identifier_lists::{ListKind, ListedIdentifier};
use crate::ids::{InstanceId, InvitationId};
use crate::invitations::{Invitation, InvitationQuery};

store_trait! {
    pub trait SignUpRulesStore {
        get_invitation(instance_id: &InstanceId, id: &InvitationId) -> Option<Invitation>;
        /// The invitation whose ticket's SHA-256 (hex) is `ticket_digest`, whatever its status.
        invitation_by_ticket(instance_id: &InstanceId, ticket_digest: &str) -> Option<Invitation>;
        /// Newest first, with the total; `query.organization_id` and `any_email_address` are not
        /// used.
        list_invitations(instance_id: &InstanceId, query: &InvitationQuery)
            -> (Vec<Invitation>, i64);
        /// Every entry of `list` (`None`: of both), oldest first.
        identifier_list(instance_id: &InstanceId, list: Option<ListKind>) -> Vec<ListedIdentifier>;
    }
}
