//! Tickets as clerk-js spends them on the Frontend API (`strategy=ticket`) and as emails carry
//! them (a link's `__clerk_ticket=`): invitations, organization invitations, sign-in tokens and
//! actor tokens are all redeemed by the same two requests.

use serde_json::Value;

use super::{Browser, PASSWORD, Res};

impl Browser {
    /// `POST /v1/client/sign_ins` with `strategy=ticket` and the ticket alone.
    pub async fn sign_in_with_ticket(&mut self, ticket: &str) -> Res {
        self.post(
            "/v1/client/sign_ins",
            &[("strategy", "ticket"), ("ticket", ticket)],
        )
        .await
    }

    /// `POST /v1/client/sign_ups` with `strategy=ticket`, the ticket and [`PASSWORD`]: a
    /// sign-up from an invitation in one request.
    pub async fn sign_up_with_ticket(&mut self, ticket: &str) -> Res {
        self.post(
            "/v1/client/sign_ups",
            &[
                ("strategy", "ticket"),
                ("ticket", ticket),
                ("password", PASSWORD),
            ],
        )
        .await
    }
}

/// The ticket the `__clerk_ticket=` link in `mail`'s plain-text body carries.
pub fn ticket_in(mail: &Value) -> String {
    let text = mail["body_plain"].as_str().unwrap();
    let start = text.find("__clerk_ticket=").unwrap() + "__clerk_ticket=".len();
    text[start..]
        .split(|c: char| c == '&' || c.is_whitespace())
        .next()
        .unwrap()
        .to_owned()
}
