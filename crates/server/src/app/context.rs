//! What a use case is told about its caller: who, from where, under which trace id.

/// Who made a request and from where: recorded in the audit log and in event attributes.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// `secret_key:<id>` for Backend API calls.
    pub actor: String,
    pub trace_id: Option<String>,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestContext {
    pub fn system(actor: &str) -> Self {
        Self {
            actor: actor.to_owned(),
            trace_id: None,
            client_ip: None,
            user_agent: None,
        }
    }
}
