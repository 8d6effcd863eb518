//! The storage contract. Implementations live in `usher-store` (SQLite, PostgreSQL); both pass the
//! same test suite. Every change is a [`Changeset`] committed in one transaction together with the
//! events (the outbox) and audit entries it causes.

/// Declares a storage sub-trait. Every storage method is async, reads through `&self` and
/// answers a [`StoreResult`], so each is written as what differs — one line per method, its docs
/// kept: `get_user(instance_id: &InstanceId, id: &UserId) -> Option<User>;` declares
/// `async fn get_user(&self, instance_id: &InstanceId, id: &UserId) -> StoreResult<Option<User>>`,
/// and a method without `-> T` answers `StoreResult<()>`.
/// The trait is `Send + Sync` and `#[async_trait]`, as `usher-store`'s impls expect.
macro_rules! store_trait {
    (@answer) => { () };
    (@answer $ret:ty) => { $ret };
    (
        pub trait $area:ident {
            $(
                $(#[$meta:meta])*
                $name:ident($($arg:ident: $arg_ty:ty),* $(,)?) $(-> $ret:ty)?;
            )*
        }
    ) => {
        #[async_trait::async_trait]
        pub trait $area: Send + Sync {
            $(
                $(#[$meta])*
                async fn $name(&self, $($arg: $arg_ty),*)
                    -> $crate::store::StoreResult<store_trait!(@answer $($ret)?)>;
            )*
        }
    };
}

mod activity;
mod api_keys;
mod billing;
mod changes;
mod commit;
mod dashboard;
mod domains;
mod error;
mod instance;
mod lifecycle;
mod machines;
mod mail;
mod message_templates;
mod oauth;
mod operators;
mod ops;
mod organizations;
mod passkeys;
mod redirect_urls;
mod roles;
mod sessions;
mod sign_up_rules;
mod sms;
mod token_reads;
mod tokens;
mod users;
mod waitlist;
mod webhooks;

pub use changes::{Changeset, Write};
pub use dashboard::SECURITY_EVENT_PREFIX;
pub use error::{StoreError, StoreResult};
pub use ops::AttemptHour;
pub use token_reads::{ActiveMembership, DomainPendingCount, SessionForToken};

/// The sub-traits, for `use usher_core::store::prelude::*;`: a method called on a `dyn Store`
/// needs its sub-trait in scope.
pub mod prelude {
    pub use super::Store;
    pub use super::activity::ActivityStore;
    pub use super::api_keys::ApiKeyStore;
    pub use super::billing::BillingStore;
    pub use super::commit::CommitStore;
    pub use super::dashboard::DashboardStore;
    pub use super::domains::DomainStore;
    pub use super::instance::InstanceStore;
    pub use super::lifecycle::LifecycleStore;
    pub use super::machines::MachineStore;
    pub use super::mail::MailStore;
    pub use super::message_templates::TemplateStore;
    pub use super::oauth::OAuthStore;
    pub use super::operators::OperatorStore;
    pub use super::ops::OpsStore;
    pub use super::organizations::OrganizationStore;
    pub use super::passkeys::PasskeyStore;
    pub use super::redirect_urls::RedirectUrlStore;
    pub use super::roles::RoleStore;
    pub use super::sessions::SessionStore;
    pub use super::sign_up_rules::SignUpRulesStore;
    pub use super::sms::SmsStore;
    pub use super::tokens::TokenStore;
    pub use super::users::UserStore;
    pub use super::waitlist::WaitlistStore;
    pub use super::webhooks::WebhookStore;
}

pub use prelude::*;

/// Declares `Store` as the sum of the given sub-traits, with the blanket impl that makes any type
/// implementing them all a `Store`, so the list is written once.
macro_rules! storage_contract {
    ($($area:ident),+ $(,)?) => {
        /// The whole storage contract: every sub-trait, so `Arc<dyn Store>` reaches them all.
        pub trait Store: $($area +)+ Send + Sync + 'static {}
        impl<T> Store for T where T: $($area +)+ Send + Sync + 'static {}
    };
}

// A new storage area adds its sub-trait here.
storage_contract!(
    InstanceStore,
    UserStore,
    SessionStore,
    OrganizationStore,
    RoleStore,
    TokenStore,
    ApiKeyStore,
    MachineStore,
    BillingStore,
    OperatorStore,
    CommitStore,
    WebhookStore,
    MailStore,
    SmsStore,
    LifecycleStore,
    ActivityStore,
    OAuthStore,
    PasskeyStore,
    SignUpRulesStore,
    RedirectUrlStore,
    WaitlistStore,
    OpsStore,
    DashboardStore,
    TemplateStore,
    DomainStore,
);
