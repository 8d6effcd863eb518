// The Store's implementation, one sub-trait a file, included by both backends after they define
// `Backend`. A new storage area adds one line here (and its trait to `usher_core::store::Store`).
include!("delegate.rs");
include!("instance.rs");
include!("users.rs");
include!("sessions.rs");
include!("organizations.rs");
include!("roles.rs");
include!("tokens.rs");
include!("api_keys.rs");
include!("machines.rs");
include!("billing.rs");
include!("operators.rs");
include!("commit.rs");
include!("webhooks.rs");
include!("mail.rs");
include!("sms.rs");
include!("lifecycle.rs");
include!("activity.rs");
include!("oauth.rs");
include!("sign_up_rules.rs");
include!("redirect_urls.rs");
include!("waitlist.rs");
include!("passkeys.rs");
include!("ops.rs");
include!("dashboard.rs");
include!("message_templates.rs");
