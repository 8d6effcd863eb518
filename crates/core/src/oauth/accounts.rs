//! External accounts: a provider's account connected to a user. What the user JSON shows lives
//! in the user's document ([`ExternalAccount`]); what finds the user again and the provider's
//! tokens (sealed) live apart ([`ProviderTokens`]), written in the same transaction.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::profile::Profile;
use crate::clock::Millis;
use crate::ids::new_id;

/// Prefix of an external account's id, as on Clerk.
pub const ID_PREFIX: &str = "eac_";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalAccount {
    pub id: String,
    /// `google`, `custom_acme`, …: the strategy without its `oauth_`.
    pub provider: String,
    pub provider_user_id: String,
    /// The user's email address record it verified or brought, if any.
    #[serde(default)]
    pub identification_id: Option<String>,
    pub email_address: String,
    pub email_verified: bool,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    /// Space-separated, as granted.
    pub approved_scopes: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub public_metadata: Map<String, Value>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl ExternalAccount {
    pub fn new(provider: &str, profile: &Profile, scopes: &str, now: Millis) -> Self {
        Self {
            id: new_id(ID_PREFIX),
            provider: provider.to_owned(),
            provider_user_id: profile.provider_user_id.clone(),
            identification_id: None,
            email_address: profile.email_address.clone().unwrap_or_default(),
            email_verified: profile.email_verified,
            first_name: profile.first_name.clone(),
            last_name: profile.last_name.clone(),
            image_url: profile.image_url.clone(),
            username: profile.username.clone(),
            approved_scopes: scopes.to_owned(),
            label: None,
            public_metadata: Map::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// The identification the account is shown under: the user's email address record it verified
    /// or brought, else one named after the account itself (`idn_…`), since Clerk's wire always
    /// has one.
    pub fn shown_identification_id(&self) -> String {
        match &self.identification_id {
            Some(id) => id.clone(),
            None => format!(
                "idn_{}",
                self.id.strip_prefix(ID_PREFIX).unwrap_or(&self.id)
            ),
        }
    }

    /// Refreshed from the provider's latest profile at a sign-in.
    pub fn refresh(&mut self, profile: &Profile, scopes: &str, now: Millis) {
        if let Some(e) = &profile.email_address {
            self.email_address = e.clone();
        }
        self.email_verified = profile.email_verified;
        self.first_name = profile.first_name.clone().or(self.first_name.take());
        self.last_name = profile.last_name.clone().or(self.last_name.take());
        self.image_url = profile.image_url.clone().or(self.image_url.take());
        self.username = profile.username.clone().or(self.username.take());
        self.approved_scopes = scopes.to_owned();
        self.updated_at = now;
    }
}

/// The row that finds the user by (provider, provider user id) and holds the provider's tokens,
/// sealed (authenticated encryption under an instance key, bound to the account's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderTokens {
    pub external_account_id: String,
    pub user_id: String,
    pub provider: String,
    pub provider_user_id: String,
    #[serde(default)]
    pub access_token_sealed: Option<String>,
    #[serde(default)]
    pub refresh_token_sealed: Option<String>,
    /// When the access token expires, if the provider said.
    #[serde(default)]
    pub expires_at: Option<Millis>,
    pub scopes: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The associated data a token is sealed under: it opens for that account only.
pub fn seal_context(external_account_id: &str, which: &str) -> String {
    format!("oauth-{which}:{external_account_id}")
}

/// What a transferable social sign-in carries to the sign-up that creates its user: the
/// external account as the provider described it, and its row (tokens sealed; its `user_id`
/// set when the user is created).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    pub account: ExternalAccount,
    pub tokens: ProviderTokens,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> ExternalAccount {
        let profile = Profile {
            provider_user_id: "p-1".into(),
            email_address: Some("other@example.com".into()),
            email_verified: true,
            first_name: None,
            last_name: None,
            image_url: None,
            username: None,
        };
        ExternalAccount::new("google", &profile, "openid email", 1)
    }

    #[test]
    fn an_account_is_always_shown_under_an_identification() {
        let mut a = account();
        let own = a.shown_identification_id();
        assert!(own.starts_with("idn_"), "{own}");
        assert_eq!(own, a.shown_identification_id(), "stable");
        assert_ne!(own, account().shown_identification_id(), "one per account");

        a.identification_id = Some("idn_address".into());
        assert_eq!(a.shown_identification_id(), "idn_address");
    }
}
