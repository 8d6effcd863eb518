//! Sessions and the browser clients they start on. Written through `commit`.

use async_trait::async_trait;

use super::{SessionForToken, StoreResult};
use crate::ids::{ClientId, InstanceId, SessionId, UserId};
use crate::sessions::query::SessionQuery;
use crate::sessions::{Client, Session};

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn get_session(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<Session>>;

    async fn session_for_token(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<SessionForToken>>;

    /// Returns the page and the total matching the filter.
    async fn list_sessions(
        &self,
        instance_id: &InstanceId,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)>;

    async fn live_sessions_of_user(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<Session>>;

    async fn get_client(
        &self,
        instance_id: &InstanceId,
        id: &ClientId,
    ) -> StoreResult<Option<Client>>;

    /// The client whose browser secret hashes to `token_hash`.
    async fn client_by_token(
        &self,
        instance_id: &InstanceId,
        token_hash: &str,
    ) -> StoreResult<Option<Client>>;

    /// Every session started on the client, oldest first, whatever its status.
    async fn sessions_of_client(
        &self,
        instance_id: &InstanceId,
        client_id: &ClientId,
    ) -> StoreResult<Vec<Session>>;
}
