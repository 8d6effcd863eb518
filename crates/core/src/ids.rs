//! Clerk-shaped identifiers: a prefix and a 27-character, time-sortable base62 KSUID.
//!
//! Each kind of record has its own id type (`UserId`, `SessionId`, …), made by [`id_type!`], so
//! a session id cannot be passed where a user id is meant. An id from outside (a path, a body,
//! an import) is checked when parsed or deserialized; the store rebuilds the ids of its own rows
//! with `from_stored`, unchecked.

use rand::RngCore;
use svix_ksuid::{Ksuid, KsuidLike};
use thiserror::Error;

pub mod prefix {
    pub const INSTANCE: &str = "ins_";
    pub const USER: &str = "user_";
    pub const EMAIL: &str = "idn_";
    pub const PHONE: &str = "idn_";
    pub const SESSION: &str = "sess_";
    pub const CLIENT: &str = "client_";
    pub const EVENT: &str = "msg_";
    pub const AUDIT: &str = "aud_";
    pub const SECRET_KEY: &str = "sk_id_";
    pub const WEBHOOK_ENDPOINT: &str = "ep_";
    pub const WEBHOOK_ATTEMPT: &str = "atmpt_";
    pub const SIGNING_KEY: &str = "key_";
    /// An email message (not an email address: those are `idn_`).
    pub const EMAIL_MESSAGE: &str = "ema_";
    pub const SIGN_IN: &str = "sia_";
    pub const SIGN_UP: &str = "sua_";
    pub const VERIFICATION: &str = "ver_";
    pub const TOTP: &str = "totp_";
    pub const BACKUP_CODE: &str = "bcode_";
    pub const ORGANIZATION: &str = "org_";
    pub const ORGANIZATION_MEMBERSHIP: &str = "orgmem_";
    pub const ORGANIZATION_DOMAIN: &str = "orgdmn_";
    pub const ORGANIZATION_INVITATION: &str = "orginv_";
    /// An invitation to sign up to the instance.
    pub const INVITATION: &str = "inv_";
    /// An allowlist entry (Clerk's `alid_`) and a blocklist entry (`blid_`): one id type.
    pub const ALLOWLIST_IDENTIFIER: &str = "alid_";
    pub const BLOCKLIST_IDENTIFIER: &str = "blid_";
    pub const ORGANIZATION_SUGGESTION: &str = "orgsugg_";
    pub const ORGANIZATION_MEMBERSHIP_REQUEST: &str = "orgmbrreq_";
    pub const ROLE: &str = "role_";
    pub const PERMISSION: &str = "perm_";
    pub const IMAGE: &str = "img_";
    pub const SMS_MESSAGE: &str = "sms_";
    pub const ROLE_SET: &str = "rs_";
    pub const SIGN_IN_TOKEN: &str = "sit_";
    pub const ACTOR_TOKEN: &str = "act_";
    pub const JWT_TEMPLATE: &str = "jtmp_";
    /// An API key: Clerk's ids are `ak_` and 32 hex digits (see `api_keys::model`).
    pub const API_KEY: &str = "ak_";
    pub const BILLING_PLAN: &str = "cplan_";
    pub const BILLING_FEATURE: &str = "feat_";
    pub const SUBSCRIPTION_ITEM: &str = "csubi_";
    /// A payer's subscription and the payer itself are named after the user or organization
    /// (see `billing::model`), so these have no id type of their own.
    pub const SUBSCRIPTION: &str = "csub_";
    pub const PAYER: &str = "cpayer_";
    pub const MACHINE: &str = "mch_";
    /// An M2M token: Clerk's ids are `mt_` and 32 hex digits (see `machines::model`).
    pub const M2M_TOKEN: &str = "mt_";
    /// A dashboard operator and an operator's dashboard session.
    pub const OPERATOR: &str = "op_";
    pub const OPERATOR_SESSION: &str = "opsess_";
}

/// Text that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a valid {kind} id")]
pub struct InvalidId {
    pub kind: &'static str,
}

/// Defines an id type: `new()` mints one, `parse`/`FromStr`/`Deserialize` accept only text with
/// the right prefix and a plausible suffix (see [`looks_like`]), `Serialize` writes the plain
/// string, and the id reads as `&str` (`as_str`, `AsRef`, `Deref`, `Display`).
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $prefix:expr, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh id: the prefix and a new KSUID.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self($crate::ids::new_id(Self::PREFIX))
            }

            /// Checks `s` (from a request, a file, a command line).
            pub fn parse(s: &str) -> Result<Self, $crate::ids::InvalidId> {
                if $crate::ids::looks_like(s, Self::PREFIX) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err($crate::ids::InvalidId { kind: $kind })
                }
            }

            /// An id read back from the store, which only ever wrote checked ones.
            pub fn from_stored(s: impl Into<String>) -> Self {
                Self(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ids::InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        // An id is text everywhere it is shown, compared or bound; only its construction is typed.
        impl ::std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl ::std::cmp::PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl ::std::cmp::PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl ::std::cmp::PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl ::std::cmp::PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl ::std::cmp::PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl ::std::convert::From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).map_err(::serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// An instance (`ins_`).
    InstanceId, prefix::INSTANCE, "instance"
);
id_type!(UserId, prefix::USER, "user");
id_type!(
    /// An email address or phone number of a user (`idn_`, shared by both kinds).
    IdentificationId, prefix::EMAIL, "identification"
);
id_type!(SessionId, prefix::SESSION, "session");
id_type!(ClientId, prefix::CLIENT, "client");
id_type!(
    /// An outbox event, which webhooks deliver as a message (`msg_`).
    EventId, prefix::EVENT, "message"
);
id_type!(AuditId, prefix::AUDIT, "audit entry");
id_type!(SecretKeyId, prefix::SECRET_KEY, "secret key");
id_type!(
    WebhookEndpointId,
    prefix::WEBHOOK_ENDPOINT,
    "webhook endpoint"
);
id_type!(WebhookAttemptId, prefix::WEBHOOK_ATTEMPT, "webhook attempt");
id_type!(EmailMessageId, prefix::EMAIL_MESSAGE, "email");
id_type!(SmsMessageId, prefix::SMS_MESSAGE, "sms message");
id_type!(SignInId, prefix::SIGN_IN, "sign-in");
id_type!(SignUpId, prefix::SIGN_UP, "sign-up");
id_type!(VerificationId, prefix::VERIFICATION, "verification");
id_type!(OrganizationId, prefix::ORGANIZATION, "organization");
id_type!(
    OrganizationMembershipId,
    prefix::ORGANIZATION_MEMBERSHIP,
    "organization membership"
);
id_type!(
    OrganizationDomainId,
    prefix::ORGANIZATION_DOMAIN,
    "organization domain"
);
id_type!(InvitationId, prefix::INVITATION, "invitation");

id_type!(
    OrganizationInvitationId,
    prefix::ORGANIZATION_INVITATION,
    "organization invitation"
);
id_type!(
    OrganizationSuggestionId,
    prefix::ORGANIZATION_SUGGESTION,
    "organization suggestion"
);
id_type!(
    OrganizationMembershipRequestId,
    prefix::ORGANIZATION_MEMBERSHIP_REQUEST,
    "organization membership request"
);
id_type!(
    /// An organization role (`role_`).
    RoleId, prefix::ROLE, "role"
);
id_type!(
    /// An organization permission (`perm_`).
    PermissionId, prefix::PERMISSION, "permission"
);
id_type!(
    /// An API key (`ak_` and 32 hex digits, minted by `ApiKeyId::mint`).
    ApiKeyId, prefix::API_KEY, "api key"
);

id_type!(
    /// A dashboard operator (`op_`): a person who runs the instance, not one of its users.
    OperatorId, prefix::OPERATOR, "operator"
);
id_type!(
    /// An operator's signed-in dashboard session (`opsess_`).
    OperatorSessionId, prefix::OPERATOR_SESSION, "operator session"
);

id_type!(
    /// A machine (`mch_`): a service that mints M2M tokens with its own secret key.
    MachineId, prefix::MACHINE, "machine"
);
id_type!(
    /// An M2M token (`mt_` and 32 hex digits, minted by `M2mTokenId::mint`).
    M2mTokenId, prefix::M2M_TOKEN, "m2m token"
);

id_type!(
    /// An uploaded image: an organization's logo or a user's profile image (`img_`).
    ImageId, prefix::IMAGE, "image"
);

id_type!(
    /// A role set (`rs_`).
    RoleSetId, prefix::ROLE_SET, "role set"
);

id_type!(
    /// A sign-in token (`sit_`).
    SignInTokenId, prefix::SIGN_IN_TOKEN, "sign-in token"
);

id_type!(
    /// An actor token (`act_`): a sign-in ticket that starts an impersonation session.
    ActorTokenId, prefix::ACTOR_TOKEN, "actor token"
);

id_type!(
    /// A JWT template (`jtmp_`).
    JwtTemplateId, prefix::JWT_TEMPLATE, "JWT template"
);

id_type!(
    /// A billing plan (`cplan_`).
    PlanId, prefix::BILLING_PLAN, "plan"
);

id_type!(
    /// A feature of a billing plan (`feat_`).
    FeatureId, prefix::BILLING_FEATURE, "feature"
);

id_type!(
    /// A subscription item (`csubi_`): a plan held by a user or an organization.
    SubscriptionItemId, prefix::SUBSCRIPTION_ITEM, "subscription item"
);

pub fn new_id(prefix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + 27);
    id.push_str(prefix);
    id.push_str(&Ksuid::new(None::<std::time::SystemTime>, None).to_base62());
    id
}

/// Random lowercase hex, for `jti` and other opaque values.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Random alphanumeric text, as Clerk's secret keys use.
pub fn random_alphanumeric(len: usize) -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// Whether `id` has `prefix` and a plausible suffix: what every id type's `parse` requires.
pub fn looks_like(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 64 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_27_base62_chars() {
        let id = new_id(prefix::USER);
        assert!(id.starts_with("user_"));
        assert_eq!(id.len(), 5 + 27);
        assert!(looks_like(&id, prefix::USER));
        assert!(!looks_like("user_", prefix::USER));
        assert!(!looks_like("sess_abc", prefix::USER));
        assert!(!looks_like("user_a/b", prefix::USER));
    }

    #[test]
    fn typed_ids_parse_only_their_own_kind() {
        let user = UserId::new();
        assert_eq!(user.len(), 5 + 27);
        assert_eq!(UserId::parse(user.as_str()), Ok(user.clone()));
        assert_eq!(user.to_string().parse::<UserId>(), Ok(user));
        assert!(UserId::parse("sess_abc").is_err());
        assert!(UserId::parse("user_").is_err());
        assert!(UserId::parse("user_a-b").is_err());
        assert!(UserId::parse(&format!("user_{}", "a".repeat(65))).is_err());
        assert!(SessionId::parse("sess_abc").is_ok());
        // `idn_` names email addresses and phone numbers alike.
        assert!(IdentificationId::parse("idn_abc").is_ok());
        assert_eq!(
            SessionId::parse("user_abc").unwrap_err().to_string(),
            "not a valid session id"
        );
    }

    #[test]
    fn typed_ids_are_plain_strings_in_json() {
        let id = ClientId::parse("client_abc").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), r#""client_abc""#);
        let back: ClientId = serde_json::from_str(r#""client_abc""#).unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<ClientId>(r#""sess_abc""#).is_err());
        assert!(
            serde_json::from_str::<Option<ClientId>>("null")
                .unwrap()
                .is_none()
        );
        // The store's own rows are taken as they are.
        assert_eq!(ClientId::from_stored("legacy-id").as_str(), "legacy-id");
    }
}
