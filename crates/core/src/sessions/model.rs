use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::ids::{ClientId, SessionId, UserId};

/// Clerk's session statuses, a closed set (the Python SDK rejects anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Active,
    Pending,
    Ended,
    Expired,
    Removed,
    Replaced,
    Revoked,
    Abandoned,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Active => "active",
            SessionStatus::Pending => "pending",
            SessionStatus::Ended => "ended",
            SessionStatus::Expired => "expired",
            SessionStatus::Removed => "removed",
            SessionStatus::Replaced => "replaced",
            SessionStatus::Revoked => "revoked",
            SessionStatus::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "active" => SessionStatus::Active,
            "pending" => SessionStatus::Pending,
            "ended" => SessionStatus::Ended,
            "expired" => SessionStatus::Expired,
            "removed" => SessionStatus::Removed,
            "replaced" => SessionStatus::Replaced,
            "revoked" => SessionStatus::Revoked,
            "abandoned" => SessionStatus::Abandoned,
            _ => return None,
        })
    }

    /// Whether the session can still mint tokens (pending ones mint `sts: pending` tokens).
    pub fn is_live(self) -> bool {
        matches!(self, SessionStatus::Active | SessionStatus::Pending)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    #[serde(default)]
    pub version: i64,
    pub client_id: ClientId,
    pub user_id: UserId,
    /// The stored status; time-based endings are applied by [`Session::status_at`].
    pub status: SessionStatus,
    pub last_active_organization_id: Option<crate::ids::OrganizationId>,
    pub actor: Option<serde_json::Value>,
    pub last_active_at: Millis,
    pub expire_at: Millis,
    pub abandon_at: Millis,
    /// When the first factor was verified: the first entry of the token's `fva` claim.
    pub first_factor_verified_at: Millis,
    pub second_factor_verified_at: Option<Millis>,
    /// The browser's `User-Agent` when the session started (the user's list of devices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The address the session was started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Session {
    /// The status as of `now`: a live session past its expiry or abandonment time has ended.
    pub fn status_at(&self, now: Millis) -> SessionStatus {
        if self.status.is_live() {
            if now >= self.expire_at {
                return SessionStatus::Expired;
            }
            if now >= self.abandon_at {
                return SessionStatus::Abandoned;
            }
        }
        self.status
    }

    /// The status as of `now` when the session is live (active or pending); otherwise the
    /// refusal every use of a session answers with (`session_not_active`, naming the status).
    pub fn live_status_at(&self, now: Millis) -> crate::CoreResult<SessionStatus> {
        let status = self.status_at(now);
        if status.is_live() {
            Ok(status)
        } else {
            Err(crate::CoreError::SessionNotActive {
                status: status.as_str(),
            })
        }
    }
}
