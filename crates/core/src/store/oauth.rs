//! Storage for social and enterprise sign-in: configured providers, the pending states of
//! flows under way, and the look-up rows of external accounts. Providers and external accounts
//! are written through [`super::Write`] (with their events and audit entries); a state is
//! written and taken on its own.

use crate::clock::Millis;
use crate::ids::{InstanceId, UserId};
use crate::oauth::{OAuthProvider, PendingAuth, ProviderTokens};

store_trait! {
    pub trait OAuthStore {
        /// Every configured provider, oldest first.
        oauth_providers(instance_id: &InstanceId) -> Vec<OAuthProvider>;
        /// The provider named `provider` (`google`, `custom_acme`, …).
        oauth_provider(instance_id: &InstanceId, provider: &str) -> Option<OAuthProvider>;

        /// Keeps a flow's state until the browser comes back.
        insert_oauth_state(instance_id: &InstanceId, pending: &PendingAuth);
        /// Takes (reads and deletes, atomically) the state with this digest: a second take of the
        /// same state finds nothing.
        take_oauth_state(instance_id: &InstanceId, state_digest: &str) -> Option<PendingAuth>;
        /// Deletes states that expired before `now`; how many.
        prune_oauth_states(instance_id: &InstanceId, now: Millis) -> u64;

        /// The external account (provider, provider user id) names, if linked.
        external_account_by_subject(
            instance_id: &InstanceId,
            provider: &str,
            provider_user_id: &str,
        ) -> Option<ProviderTokens>;
        /// A user's external accounts' rows, oldest first.
        external_accounts_of(instance_id: &InstanceId, user_id: &UserId) -> Vec<ProviderTokens>;
    }
}
