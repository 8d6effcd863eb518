//! Who the provider says the user is, from the ID token's claims (and userinfo), or from
//! GitHub's user and emails API.

use serde_json::{Map, Value};

/// The provider's account, normalized.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `sub`, or GitHub's numeric `id`.
    pub provider_user_id: String,
    pub email_address: Option<String>,
    /// Only when the provider says so explicitly.
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub image_url: Option<String>,
    pub username: Option<String>,
}

fn text(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty() && s.len() <= 512)
        .map(str::to_owned)
}

/// `email_verified` as `true` or the string `"true"` (Apple sends a string); anything else is
/// unverified.
fn verified(m: &Map<String, Value>) -> bool {
    match m.get("email_verified") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "true",
        _ => false,
    }
}

impl Profile {
    /// From OpenID claims (the ID token's, with userinfo's merged over them by the caller).
    /// `None` without a subject.
    pub fn from_oidc_claims(claims: &Map<String, Value>) -> Option<Self> {
        let sub = text(claims, "sub")?;
        Some(Self {
            provider_user_id: sub,
            email_address: text(claims, "email").map(|e| e.to_ascii_lowercase()),
            email_verified: verified(claims),
            first_name: text(claims, "given_name"),
            last_name: text(claims, "family_name"),
            image_url: text(claims, "picture"),
            username: text(claims, "preferred_username"),
        })
    }

    /// From GitHub's `GET /user` and `GET /user/emails`: the primary address, verified only
    /// when GitHub marks it so; the display name split on its last space.
    pub fn from_github(user: &Map<String, Value>, emails: &[Value]) -> Option<Self> {
        let id = match user.get("id") {
            Some(Value::Number(n)) => n.to_string(),
            _ => return None,
        };
        let primary = emails
            .iter()
            .filter_map(Value::as_object)
            .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true));
        let (email, email_verified) = match primary {
            Some(e) => (
                text(e, "email"),
                e.get("verified").and_then(Value::as_bool) == Some(true),
            ),
            None => (text(user, "email"), false),
        };
        let (first, last) = match text(user, "name") {
            Some(n) => match n.rsplit_once(' ') {
                Some((f, l)) => (Some(f.trim().to_owned()), Some(l.to_owned())),
                None => (Some(n), None),
            },
            None => (None, None),
        };
        Some(Self {
            provider_user_id: id,
            email_address: email.map(|e| e.to_ascii_lowercase()),
            email_verified,
            first_name: first,
            last_name: last,
            image_url: text(user, "avatar_url"),
            username: text(user, "login"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn oidc_claims_map_and_only_explicit_verification_counts() {
        let p = Profile::from_oidc_claims(&obj(json!({
            "sub": "248289761001", "email": "Jane@Example.com", "email_verified": true,
            "given_name": "Jane", "family_name": "Doe", "picture": "https://x/p.png",
        })))
        .unwrap();
        assert_eq!(p.email_address.as_deref(), Some("jane@example.com"));
        assert!(p.email_verified);
        assert_eq!(p.first_name.as_deref(), Some("Jane"));
        let apple = Profile::from_oidc_claims(&obj(json!({"sub": "a", "email_verified": "true"})));
        assert!(apple.unwrap().email_verified);
        let missing = Profile::from_oidc_claims(&obj(json!({"sub": "a", "email": "a@b.c"})));
        assert!(!missing.unwrap().email_verified);
        let odd = Profile::from_oidc_claims(&obj(json!({"sub": "a", "email_verified": 1})));
        assert!(!odd.unwrap().email_verified);
        assert!(Profile::from_oidc_claims(&obj(json!({"email": "a@b.c"}))).is_none());
    }

    #[test]
    fn github_takes_the_primary_address_and_its_flag() {
        let user = obj(
            json!({"id": 583231, "login": "octocat", "name": "The Octo Cat",
            "avatar_url": "https://a/o.png", "email": "public@example.com"}),
        );
        let emails = [
            json!({"email": "other@example.com", "primary": false, "verified": true}),
            json!({"email": "Octo@Example.com", "primary": true, "verified": false}),
        ];
        let p = Profile::from_github(&user, &emails).unwrap();
        assert_eq!(p.provider_user_id, "583231");
        assert_eq!(p.email_address.as_deref(), Some("octo@example.com"));
        assert!(!p.email_verified);
        assert_eq!(p.first_name.as_deref(), Some("The Octo"));
        assert_eq!(p.last_name.as_deref(), Some("Cat"));
        assert_eq!(p.username.as_deref(), Some("octocat"));
        let no_emails = Profile::from_github(&user, &[]).unwrap();
        assert_eq!(
            no_emails.email_address.as_deref(),
            Some("public@example.com")
        );
        assert!(!no_emails.email_verified);
    }
}
