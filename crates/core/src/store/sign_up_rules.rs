//! Storage of who may sign up: the instance's invitations and its allowlist and blocklist
//! (written through [`super::Write`] with their audit entries).

use async_trait::async_trait;

use super::StoreResult;
use crate::identifier_lists::{ListKind, ListedIdentifier};
use crate::ids::{InstanceId, InvitationId};
use crate::invitations::{Invitation, InvitationQuery};

#[async_trait]
pub trait SignUpRulesStore: Send + Sync {
    async fn get_invitation(
        &self,
        instance_id: &InstanceId,
        id: &InvitationId,
    ) -> StoreResult<Option<Invitation>>;
    /// The invitation whose ticket's SHA-256 (hex) is `ticket_digest`, whatever its status.
    async fn invitation_by_ticket(
        &self,
        instance_id: &InstanceId,
        ticket_digest: &str,
    ) -> StoreResult<Option<Invitation>>;
    /// Newest first, with the total; `query.organization_id` and `any_email_address` are not
    /// used.
    async fn list_invitations(
        &self,
        instance_id: &InstanceId,
        query: &InvitationQuery,
    ) -> StoreResult<(Vec<Invitation>, i64)>;
    /// Every entry of `list` (`None`: of both), oldest first.
    async fn identifier_list(
        &self,
        instance_id: &InstanceId,
        list: Option<ListKind>,
    ) -> StoreResult<Vec<ListedIdentifier>>;
}
