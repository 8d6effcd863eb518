//! Listing sessions: `GET /v1/sessions` filters.

use super::model::SessionStatus;
use crate::ids::{ClientId, UserId};
use crate::users::query::Page;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct SessionFilter {
    pub user_id: Option<UserId>,
    pub client_id: Option<ClientId>,
    pub status: Option<SessionStatus>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct SessionQuery {
    pub filter: SessionFilter,
    pub page: Page,
    /// Statuses depend on time: a stored `active` session past `expire_at` is `expired`.
    pub now: crate::clock::Millis,
}
