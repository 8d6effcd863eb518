//! Users and the identifiers that find them. Written through `commit`.

use crate::ids::{InstanceId, UserId};
use crate::users::User;
use crate::users::identifiers::IdentifierKind;
use crate::users::query::{Page, UserFilter, UserOrder};

store_trait! {
    pub trait UserStore {
        get_user(instance_id: &InstanceId, id: &UserId) -> Option<User>;

        /// The users with these ids, in no particular order (unknown ids are left out): one read
        /// for a page of records that name users.
        users_by_ids(instance_id: &InstanceId, ids: &[UserId]) -> Vec<User>;

        list_users(instance_id: &InstanceId, filter: &UserFilter, order: UserOrder, page: &Page)
            -> Vec<User>;

        count_users(instance_id: &InstanceId, filter: &UserFilter) -> i64;

        /// How many users match, counting no further than `cap + 1`: a number above `cap` means
        /// "more than `cap`". A page that says so reads only that many matches, not every one (a
        /// text common to most users would otherwise be a read of every user).
        count_users_up_to(instance_id: &InstanceId, filter: &UserFilter, cap: i64) -> i64;

        /// The user owning an identifier (compared in its normalised form).
        user_id_by_identifier(instance_id: &InstanceId, kind: IdentifierKind, value: &str)
            -> Option<UserId>;

        /// The user holding the email address or phone number `id` (`idn_…`), if any.
        user_by_identification_id(instance_id: &InstanceId, id: &crate::ids::IdentificationId)
            -> Option<User>;

        /// The user owning an identifier, read in one query (a sign-in's first step).
        user_by_identifier(instance_id: &InstanceId, kind: IdentifierKind, value: &str)
            -> Option<User>;
    }
}
