// Every query module, shared by both backends: each backend includes this file after defining
// `Db` (its sqlx database), `SKIP_LOCKED` and `BEGIN_WRITE`. A new query file adds one line here.

mod query {
    type Db = super::Db;
    use super::BEGIN_WRITE;
    include!("query.rs");
}
mod filters {
    type Db = super::Db;
    include!("filters.rs");
}
mod reads {
    type Db = super::Db;
    include!("reads.rs");
}
mod writes {
    type Db = super::Db;
    include!("writes.rs");
}
mod webhooks {
    type Db = super::Db;
    use super::SKIP_LOCKED;
    include!("webhooks.rs");
}
mod clients {
    type Db = super::Db;
    include!("clients.rs");
}
mod images {
    type Db = super::Db;
    include!("images.rs");
}
mod instance_documents {
    type Db = super::Db;
    include!("instance_documents.rs");
}
mod jwt_templates {
    type Db = super::Db;
    include!("jwt_templates.rs");
}
mod roles {
    type Db = super::Db;
    include!("roles.rs");
}
mod outbound {
    type Db = super::Db;
    include!("outbound.rs");
}
mod emails {
    type Db = super::Db;
    include!("emails.rs");
}
mod sms {
    type Db = super::Db;
    include!("sms.rs");
}
mod lifecycle {
    type Db = super::Db;
    include!("lifecycle.rs");
}
mod identifier_lists {
    type Db = super::Db;
    include!("identifier_lists.rs");
}
mod redirect_urls {
    type Db = super::Db;
    include!("redirect_urls.rs");
}
mod waitlist {
    type Db = super::Db;
    include!("waitlist.rs");
}
mod invitations {
    type Db = super::Db;
    include!("invitations.rs");
}
mod organization_invitations {
    type Db = super::Db;
    include!("organization_invitations.rs");
}
mod organizations {
    type Db = super::Db;
    include!("organizations.rs");
}
mod role_sets {
    type Db = super::Db;
    include!("role_sets.rs");
}
mod sign_in_tokens {
    type Db = super::Db;
    include!("sign_in_tokens.rs");
}
mod organization_domains {
    type Db = super::Db;
    include!("organization_domains.rs");
}
mod passkeys {
    type Db = super::Db;
    include!("passkeys.rs");
}
mod api_keys {
    type Db = super::Db;
    include!("api_keys.rs");
}
mod activity {
    type Db = super::Db;
    include!("activity.rs");
}
mod operators {
    type Db = super::Db;
    include!("operators.rs");
}
mod billing {
    type Db = super::Db;
    include!("billing.rs");
}
mod machines {
    type Db = super::Db;
    include!("machines.rs");
}
mod m2m_tokens {
    type Db = super::Db;
    include!("m2m_tokens.rs");
}
mod organization_suggestions {
    type Db = super::Db;
    include!("organization_suggestions.rs");
}
mod oauth {
    type Db = super::Db;
    include!("oauth.rs");
}
mod ops {
    type Db = super::Db;
    include!("ops.rs");
}
mod dashboard {
    type Db = super::Db;
    include!("dashboard.rs");
}
mod message_templates {
    type Db = super::Db;
    include!("message_templates.rs");
}
mod satellite_domains {
    type Db = super::Db;
    include!("satellite_domains.rs");
}
