//! Which fields a sign-up asks for and which it needs, from the instance's settings: the one
//! rule behind a sign-up's `required_fields`, `optional_fields` and `missing_fields`, and the
//! refusal of a field the instance does not take.

use super::sign_ups::{SignUp, SignUpFields};
use crate::error::{CoreError, CoreResult};
use crate::instance::{FieldRule, InstanceSettings};

/// The fields with a rule of their own, by name.
fn rules(s: &InstanceSettings) -> [(&'static str, FieldRule); 3] {
    [
        ("first_name", s.first_name_field),
        ("last_name", s.last_name_field),
        ("username", s.username_field),
    ]
}

/// The fields a sign-up must have before the user is created (`required_fields`).
pub fn required_fields(s: &InstanceSettings) -> Vec<&'static str> {
    let mut out = vec!["email_address"];
    if s.phone_numbers_enabled && s.phone_number_required {
        out.push("phone_number");
    }
    if s.password_required {
        out.push("password");
    }
    out.extend(
        rules(s)
            .into_iter()
            .filter(|(_, r)| r.required())
            .map(|(f, _)| f),
    );
    if s.legal_consent_enabled {
        out.push("legal_accepted");
    }
    out
}

/// The fields a sign-up may have (`optional_fields`).
pub fn optional_fields(s: &InstanceSettings) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = rules(s)
        .into_iter()
        .filter(|(_, r)| *r == FieldRule::Optional)
        .map(|(f, _)| f)
        .collect();
    if s.phone_numbers_enabled && !s.phone_number_required {
        out.push("phone_number");
    }
    out
}

/// Refuses a field the instance has turned off (Clerk's `form_param_unknown`).
pub fn check_allowed(s: &InstanceSettings, f: &SignUpFields) -> CoreResult<()> {
    let given = [
        f.first_name.is_some(),
        f.last_name.is_some(),
        f.username.is_some(),
    ];
    for ((field, rule), given) in rules(s).into_iter().zip(given) {
        if given && !rule.enabled() {
            return Err(CoreError::ParamUnknown {
                param: field.to_owned(),
            });
        }
    }
    Ok(())
}

impl SignUp {
    /// The required fields of [`required_fields`] this sign-up lacks (`missing_fields`); an
    /// empty value counts as none.
    pub fn missing_fields(&self, s: &InstanceSettings) -> Vec<&'static str> {
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        required_fields(s)
            .into_iter()
            .filter(|field| match *field {
                "email_address" => self.email_address.is_none(),
                "phone_number" => self.phone_number.is_none(),
                // A social account is the way in: no password is asked for.
                "password" => self.password.is_none() && self.oauth_transfer.is_none(),
                "first_name" => blank(&self.first_name),
                "last_name" => blank(&self.last_name),
                "username" => blank(&self.username),
                "legal_accepted" => self.legal_accepted_at.is_none(),
                _ => false,
            })
            .collect()
    }

    /// Refuses to create the user while a required field is missing (`form_param_missing`).
    pub fn ensure_complete(&self, s: &InstanceSettings) -> CoreResult<()> {
        match self.missing_fields(s).first() {
            Some(field) => Err(CoreError::missing(*field)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::model::PasswordDigest;

    fn settings() -> InstanceSettings {
        InstanceSettings {
            first_name_field: FieldRule::Required,
            last_name_field: FieldRule::Off,
            legal_consent_enabled: true,
            ..Default::default()
        }
    }

    #[test]
    fn required_fields_follow_the_settings() {
        let s = settings();
        assert_eq!(
            required_fields(&s),
            ["email_address", "password", "first_name", "legal_accepted"]
        );
        assert_eq!(optional_fields(&s), ["username"]);
        let d = InstanceSettings::default();
        assert_eq!(required_fields(&d), ["email_address", "password"]);
        assert_eq!(optional_fields(&d), ["first_name", "last_name", "username"]);
    }

    #[test]
    fn missing_fields_until_given_and_off_fields_refused() {
        let s = settings();
        let mut su = SignUp::start(0);
        let f = SignUpFields {
            email_address: Some("a@b.co".into()),
            first_name: Some(" ".into()),
            ..Default::default()
        };
        su.apply(f, Some(PasswordDigest("$argon2id$x".into())), 1)
            .unwrap();
        assert_eq!(su.missing_fields(&s), ["first_name", "legal_accepted"]);
        assert_eq!(
            su.ensure_complete(&s),
            Err(CoreError::missing("first_name"))
        );
        let f = SignUpFields {
            first_name: Some("Ada".into()),
            legal_accepted: true,
            ..Default::default()
        };
        su.apply(f, None, 2).unwrap();
        assert!(su.missing_fields(&s).is_empty());
        assert_eq!(su.legal_accepted_at, Some(2));
        assert!(su.ensure_complete(&s).is_ok());
        let last = SignUpFields {
            last_name: Some("Lovelace".into()),
            ..Default::default()
        };
        assert_eq!(
            check_allowed(&s, &last),
            Err(CoreError::ParamUnknown {
                param: "last_name".into()
            })
        );
        assert!(check_allowed(&InstanceSettings::default(), &last).is_ok());
    }
}
