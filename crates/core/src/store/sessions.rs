//! Sessions and the browser clients they start on. Written through `commit`.

use super::SessionForToken;
use crate::ids::{ClientId, InstanceId, SessionId, UserId};
use crate::sessions::query::SessionQuery;
use crate::sessions::{Client, Session};

store_trait! {
    pub trait SessionStore {
        get_session(instance_id: &InstanceId, id: &SessionId) -> Option<Session>;

        session_for_token(instance_id: &InstanceId, id: &SessionId) -> Option<SessionForToken>;

        /// Returns the page and the total matching the filter.
        list_sessions(instance_id: &InstanceId, query: &SessionQuery) -> (Vec<Session>, i64);

        live_sessions_of_user(instance_id: &InstanceId, user_id: &UserId) -> Vec<Session>;

        get_client(instance_id: &InstanceId, id: &ClientId) -> Option<Client>;

        /// The client whose browser secret hashes to `token_hash`.
        client_by_token(instance_id: &InstanceId, token_hash: &str) -> Option<Client>;

        /// Every session started on the client, oldest first, whatever its status.
        sessions_of_client(instance_id: &InstanceId, client_id: &ClientId) -> Vec<Session>;
    }
}
