//! Webhooks, the Svix way Clerk sends them: endpoints with their own signing secrets, the event
//! catalog, the retry schedule, the destination (SSRF) policy, and the delivery decisions the
//! worker applies. No HTTP here: the server's worker does the sending.

pub mod catalog;
pub mod delivery;
pub mod endpoint;
pub mod policy;
pub mod retry;
pub mod signing;

pub use delivery::{
    Attempt, AttemptRecord, ClaimedEndpoint, Decision, Delivery, DeliveryFilter, DeliveryQuery,
    DeliveryStatus, EndpointStats, PendingDelivery, decide,
};
pub use endpoint::{EndpointPatch, EndpointStatus, NewEndpoint, WebhookEndpoint};
pub use policy::DestinationPolicy;
pub use retry::{Jitter, RandomJitter, RetrySchedule};
pub use signing::Secret;
