//! Users and the identifiers that find them. Written through `commit`.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::{InstanceId, UserId};
use crate::users::User;
use crate::users::identifiers::IdentifierKind;
use crate::users::query::{Page, UserFilter, UserOrder};

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn get_user(&self, instance_id: &InstanceId, id: &UserId) -> StoreResult<Option<User>>;

    /// The users with these ids, in no particular order (unknown ids are left out): one read for
    /// a page of records that name users.
    async fn users_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[UserId],
    ) -> StoreResult<Vec<User>>;

    async fn list_users(
        &self,
        instance_id: &InstanceId,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>>;

    async fn count_users(&self, instance_id: &InstanceId, filter: &UserFilter) -> StoreResult<i64>;

    /// How many users match, counting no further than `cap + 1`: a number above `cap` means
    /// "more than `cap`". A page that says so reads only that many matches, not every one (a
    /// text common to most users would otherwise be a read of every user).
    async fn count_users_up_to(
        &self,
        instance_id: &InstanceId,
        filter: &UserFilter,
        cap: i64,
    ) -> StoreResult<i64>;

    /// The user owning an identifier (compared in its normalised form).
    async fn user_id_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<UserId>>;

    /// The user holding the email address or phone number `id` (`idn_…`), if any.
    async fn user_by_identification_id(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::IdentificationId,
    ) -> StoreResult<Option<User>>;

    /// The user owning an identifier, read in one query (a sign-in's first step).
    async fn user_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<User>>;
}
