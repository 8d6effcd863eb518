//! Plans and features (Clerk Billing's entitlement side): plans for users or organizations, the
//! features they include, the subscription items that assign a plan to a payer, and what a
//! session token says of them (`pla`, `fea`). Usher takes no payments: a plan is assigned by the
//! operator, and a payer with none holds its payer type's default plan.

pub mod claims;
pub mod model;
pub mod rules;

pub use claims::{Entitlement, Entitlements};
pub use model::{Feature, ItemStatus, PayerType, Plan, PlanQuery, SubscriptionItem};
