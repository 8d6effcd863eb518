//! Clerk's verification strategies, as one type. Every strategy Clerk names parses, so a
//! request naming one Usher does not verify is refused here, in one place, with the answer a
//! strategy the account cannot use gets.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{CoreError, CoreResult};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Strategy {
    Password,
    EmailCode,
    PhoneCode,
    EmailLink,
    Totp,
    BackupCode,
    Passkey,
    ResetPasswordEmailCode,
    ResetPasswordPhoneCode,
    Ticket,
    Saml,
    EnterpriseSso,
    GoogleOneTap,
    /// `web3_{wallet}_signature`, e.g. `web3_metamask_signature`.
    Web3(String),
    /// `oauth_{provider}`, e.g. `oauth_google`.
    Oauth(String),
}

/// A name that is none of Clerk's strategies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a verification strategy: {0:?}")]
pub struct UnknownStrategy(pub String);

impl Strategy {
    /// Clerk's name for it.
    pub fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Strategy::Password => "password",
            Strategy::EmailCode => "email_code",
            Strategy::PhoneCode => "phone_code",
            Strategy::EmailLink => "email_link",
            Strategy::Totp => "totp",
            Strategy::BackupCode => "backup_code",
            Strategy::Passkey => "passkey",
            Strategy::ResetPasswordEmailCode => "reset_password_email_code",
            Strategy::ResetPasswordPhoneCode => "reset_password_phone_code",
            Strategy::Ticket => "ticket",
            Strategy::Saml => "saml",
            Strategy::EnterpriseSso => "enterprise_sso",
            Strategy::GoogleOneTap => "google_one_tap",
            Strategy::Web3(wallet) => return Cow::Owned(format!("web3_{wallet}_signature")),
            Strategy::Oauth(provider) => return Cow::Owned(format!("oauth_{provider}")),
        })
    }

    /// Whether Usher verifies it. The others are Clerk's, refused by [`Strategy::requested`].
    pub fn is_supported(&self) -> bool {
        matches!(
            self,
            Strategy::Password
                | Strategy::EmailCode
                | Strategy::PhoneCode
                | Strategy::EmailLink
                | Strategy::ResetPasswordEmailCode
                | Strategy::Totp
                | Strategy::BackupCode
        )
    }

    /// A strategy a request names: one Usher verifies, or Clerk's `strategy_for_user_invalid`
    /// (the answer a strategy the account cannot use gets, whether Clerk knows the name or not).
    pub fn requested(name: &str) -> CoreResult<Strategy> {
        name.parse::<Strategy>()
            .ok()
            .filter(Strategy::is_supported)
            .ok_or(CoreError::StrategyInvalid { param: "strategy" })
    }

    /// An emailed one-time code (sign-in, reset, sign-up verification, Client Trust).
    pub fn is_emailed_code(&self) -> bool {
        matches!(self, Strategy::EmailCode | Strategy::ResetPasswordEmailCode)
    }
}

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "password" => Strategy::Password,
            "email_code" => Strategy::EmailCode,
            "phone_code" => Strategy::PhoneCode,
            "email_link" => Strategy::EmailLink,
            "totp" => Strategy::Totp,
            "backup_code" => Strategy::BackupCode,
            "passkey" => Strategy::Passkey,
            "reset_password_email_code" => Strategy::ResetPasswordEmailCode,
            "reset_password_phone_code" => Strategy::ResetPasswordPhoneCode,
            "ticket" => Strategy::Ticket,
            "saml" => Strategy::Saml,
            "enterprise_sso" => Strategy::EnterpriseSso,
            "google_one_tap" => Strategy::GoogleOneTap,
            other => {
                let named = |rest: &str| {
                    (!rest.is_empty()
                        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                    .then(|| rest.to_owned())
                };
                // Any provider: Clerk's custom providers are `oauth_custom_…`.
                if let Some(p) = other.strip_prefix("oauth_") {
                    Strategy::Oauth(p.to_owned())
                } else if let Some(w) = other
                    .strip_prefix("web3_")
                    .and_then(|r| r.strip_suffix("_signature"))
                    .and_then(named)
                {
                    Strategy::Web3(w)
                } else {
                    return Err(UnknownStrategy(other.to_owned()));
                }
            }
        })
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl PartialEq<str> for Strategy {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl Serialize for Strategy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Strategy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = Cow::<'de, str>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clerk_names_round_trip() {
        for name in [
            "password",
            "email_code",
            "phone_code",
            "email_link",
            "totp",
            "backup_code",
            "passkey",
            "reset_password_email_code",
            "reset_password_phone_code",
            "ticket",
            "saml",
            "enterprise_sso",
            "google_one_tap",
            "oauth_google",
            "oauth_custom_acme",
            "web3_metamask_signature",
        ] {
            let s: Strategy = name.parse().unwrap();
            assert_eq!(s.name(), name);
            assert_eq!(serde_json::to_value(&s).unwrap(), name);
            assert_eq!(serde_json::from_value::<Strategy>(name.into()).unwrap(), s);
        }
        assert_eq!(
            "oauth_github".parse::<Strategy>(),
            Ok(Strategy::Oauth("github".into()))
        );
        for bad in ["", "Password", "web3_x", "web3__signature", "sms", "oauth"] {
            assert!(bad.parse::<Strategy>().is_err(), "{bad:?}");
        }
        assert!(serde_json::from_value::<Strategy>("nope".into()).is_err());
    }

    #[test]
    fn clerk_strategies_usher_does_not_verify_are_refused_like_unknown_ones() {
        let refused = Err(CoreError::StrategyInvalid { param: "strategy" });
        for name in [
            "reset_password_phone_code",
            "passkey",
            "oauth_google",
            "ticket",
            "bogus",
            "",
        ] {
            assert_eq!(Strategy::requested(name), refused, "{name}");
        }
        for name in [
            "password",
            "email_code",
            "phone_code",
            "email_link",
            "reset_password_email_code",
            "totp",
            "backup_code",
        ] {
            assert_eq!(Strategy::requested(name).unwrap().name(), name);
        }
    }
}
