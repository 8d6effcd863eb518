use serde::Serialize;
use serde_json::Value;
use usher_core::clock::Millis;
use usher_core::ids::{ClientId, SessionId, UserId};
use usher_core::sessions::Session;

#[derive(Debug, Serialize)]
pub struct SessionJson {
    pub object: &'static str,
    pub id: SessionId,
    pub user_id: UserId,
    pub client_id: ClientId,
    pub actor: Option<Value>,
    pub status: &'static str,
    pub last_active_organization_id: Option<usher_core::ids::OrganizationId>,
    pub last_active_at: Millis,
    pub latest_activity: Option<Value>,
    pub expire_at: Millis,
    pub abandon_at: Millis,
    pub updated_at: Millis,
    pub created_at: Millis,
    pub tasks: Option<Vec<Value>>,
}

impl SessionJson {
    pub fn new(s: &Session, now: Millis) -> Self {
        Self {
            object: "session",
            id: s.id.clone(),
            user_id: s.user_id.clone(),
            client_id: s.client_id.clone(),
            actor: s.actor.clone(),
            status: s.status_at(now).as_str(),
            last_active_organization_id: s.last_active_organization_id.clone(),
            last_active_at: s.last_active_at,
            latest_activity: None,
            expire_at: s.expire_at,
            abandon_at: s.abandon_at,
            updated_at: s.updated_at,
            created_at: s.created_at,
            tasks: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TokenJson {
    pub object: &'static str,
    pub jwt: String,
}
