//! A template's token claims: the template's claims rendered over what is known of the signed-in
//! user, then the default claims, which a template cannot set.
//!
//! Clerk's rules, as its documentation states them: a string that is exactly one expression takes
//! the value's own type (`{{user.public_metadata}}` is an object); a missing value is `null` and
//! the claim stays (`"surname": null`); interpolated expressions always give a string, a missing
//! value written `null` (`"null John"`), and the result trimmed; static values are kept as they are.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::model::{JwtTemplate, pieces_of};
use super::shortcodes::{Piece, evaluate};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::random_hex;
use crate::organizations::{Organization, OrganizationMembership};
use crate::sessions::Session;
use crate::users::User;
use crate::users::model::Verification;

/// The organization a token is minted in: the organization, the user's membership, and its image
/// as the wire shows it.
pub struct OrgFacts<'a> {
    pub organization: &'a Organization,
    pub membership: &'a OrganizationMembership,
    pub image_url: &'a str,
}

fn secs(ms: Millis) -> i64 {
    ms / 1000
}

/// The values shortcodes read: `user`, `org` (when an organization is active), `org_membership`
/// and `session`.
pub fn context(
    user: &User,
    user_image_url: &str,
    org: Option<&OrgFacts<'_>>,
    session: &Session,
) -> Map<String, Value> {
    let email = user.primary_email();
    let phone = user
        .primary_phone_number_id
        .as_deref()
        .and_then(|id| user.phone_numbers.iter().find(|p| p.id == id));
    let full_name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut ctx = Map::new();
    ctx.insert(
        "user".into(),
        json!({
            "id": user.id,
            "external_id": user.external_id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "full_name": (!full_name.is_empty()).then_some(full_name),
            "username": user.username,
            "primary_email_address": email.map(|e| &e.email_address),
            "primary_phone_address": phone.map(|p| &p.phone_number),
            "email_verified": email.is_some_and(|e| e.verification != Verification::Unverified),
            "phone_number_verified": phone.is_some_and(|p| p.verification != Verification::Unverified),
            "two_factor_enabled": user.two_factor_enabled(),
            "image_url": user_image_url,
            "has_image": false,
            "public_metadata": user.public_metadata,
            "unsafe_metadata": user.unsafe_metadata,
            "created_at": secs(user.created_at),
            "updated_at": secs(user.updated_at),
            "last_sign_in_at": user.last_sign_in_at.map(secs),
        }),
    );
    if let Some(o) = org {
        ctx.insert(
            "org".into(),
            json!({
                "id": o.organization.id,
                "name": o.organization.name,
                "slug": o.organization.slug,
                "image_url": o.image_url,
                "role": o.membership.role,
                "public_metadata": o.organization.public_metadata,
            }),
        );
        ctx.insert(
            "org_membership".into(),
            json!({ "public_metadata": o.membership.public_metadata }),
        );
    }
    ctx.insert("session".into(), json!({ "actor": session.actor }));
    ctx
}

fn interpolate(pieces: &[Piece], ctx: &Map<String, Value>) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => match evaluate(e, ctx) {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            },
        }
    }
    out.trim().to_owned()
}

pub fn render_value(value: &Value, ctx: &Map<String, Value>) -> Value {
    render_shortcodes(value, &|s| match pieces_of(s).as_slice() {
        [Piece::Expr(e)] => evaluate(e, ctx),
        pieces => Value::String(interpolate(pieces, ctx)),
    })
}

/// `value` rebuilt with each string that holds a shortcode (`{{…}}`) replaced by what `render`
/// makes of it, through arrays and objects; every other value is kept as it is. The walk both
/// a JWT template and the session-token claims render with.
pub fn render_shortcodes(value: &Value, render: &impl Fn(&str) -> Value) -> Value {
    match value {
        Value::String(s) if s.contains("{{") => render(s),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| render_shortcodes(v, render)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), render_shortcodes(v, render)))
                .collect(),
        ),
        other => other.clone(),
    }
}

pub struct TokenRequest<'a> {
    pub template: &'a JwtTemplate,
    pub context: &'a Map<String, Value>,
    pub issuer: &'a str,
    pub subject: &'a str,
    /// The origin a browser asked from (`azp`); none from the Backend API.
    pub authorized_party: Option<&'a str>,
    /// The Backend API's `expires_in_seconds`, in place of the template's lifetime.
    pub lifetime_override: Option<i64>,
    pub now: Millis,
}

#[derive(Serialize)]
struct DefaultClaims<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    azp: Option<&'a str>,
    exp: i64,
    iat: i64,
    iss: &'a str,
    jti: String,
    nbf: i64,
    sub: &'a str,
}

/// The token's claims as JSON: the template's rendered, the default ones over them.
pub fn claims_json(req: &TokenRequest<'_>) -> CoreResult<Vec<u8>> {
    if let Some(l) = req.lifetime_override
        && !(super::model::MIN_LIFETIME_SECS..=super::model::MAX_LIFETIME_SECS).contains(&l)
    {
        return Err(CoreError::value(
            "expires_in_seconds",
            format!(
                "must be between {} and {}",
                super::model::MIN_LIFETIME_SECS,
                super::model::MAX_LIFETIME_SECS
            ),
        ));
    }
    let iat = req.now / 1000;
    let defaults = DefaultClaims {
        azp: req.authorized_party,
        exp: iat + req.lifetime_override.unwrap_or(req.template.lifetime),
        iat,
        iss: req.issuer,
        jti: random_hex(10),
        nbf: iat - req.template.allowed_clock_skew,
        sub: req.subject,
    };
    let mut claims: Map<String, Value> = req
        .template
        .claims
        .iter()
        .map(|(k, v)| (k.clone(), render_value(v, req.context)))
        .collect();
    if let Value::Object(d) =
        serde_json::to_value(&defaults).map_err(|e| CoreError::Crypto(e.to_string()))?
    {
        claims.extend(d);
    }
    serde_json::to_vec(&claims).map_err(|e| CoreError::Crypto(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::JwtTemplateId;

    fn ctx() -> Map<String, Value> {
        json!({
            "user": {"id": "user_1", "first_name": "Maria", "last_name": null, "full_name": "Maria",
                     "email_verified": false, "phone_number_verified": true,
                     "public_metadata": {"profile": {"interests": ["reading"]}, "age": 41}},
            "session": {"actor": null}
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    fn render(template: Value) -> Value {
        render_value(&template, &ctx())
    }

    #[test]
    fn one_shortcode_keeps_its_type_and_a_missing_value_is_a_null_claim() {
        let out = render(json!({
            "likes": "{{user.public_metadata.profile.interests}}",
            "age": "{{user.public_metadata.age}}",
            "surname": "{{user.last_name}}",
            "invalid": "{{user.i_dont_exist}}",
            "org": "{{org.id}}",
            "verified": "{{user.email_verified || user.phone_number_verified}}",
            "static": [1, {"nested": "{{user.id}}"}],
        }));
        assert_eq!(
            out,
            json!({"likes": ["reading"], "age": 41, "surname": null, "invalid": null, "org": null,
                   "verified": true, "static": [1, {"nested": "user_1"}]})
        );
    }

    #[test]
    fn interpolation_gives_a_trimmed_string_with_null_written_out() {
        let out = render(json!({
            "full": "{{user.last_name}} {{user.first_name}}",
            "greeting": " Hi {{user.first_name}}! ",
            "role": "{{user.public_metadata.role || 'user'}}",
            "age_text": "age {{user.public_metadata.age}}",
        }));
        assert_eq!(
            out,
            json!({"full": "null Maria", "greeting": "Hi Maria!", "role": "user", "age_text": "age 41"})
        );
    }

    #[test]
    fn default_claims_are_added_and_nbf_is_backdated_by_the_skew() {
        let template = JwtTemplate {
            id: JwtTemplateId::from_stored("jtmp_1"),
            version: 0,
            name: "t".into(),
            claims: json!({"aud": "authenticated", "role": "authenticated"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            lifetime: 3600,
            allowed_clock_skew: 7,
            signing: None,
            created_at: 0,
            updated_at: 0,
        };
        let context = ctx();
        let req = TokenRequest {
            template: &template,
            context: &context,
            issuer: "https://issuer.test",
            subject: "user_1",
            authorized_party: None,
            lifetime_override: None,
            now: 1_000_000,
        };
        let claims: Value = serde_json::from_slice(&claims_json(&req).unwrap()).unwrap();
        assert_eq!(claims["iat"], 1000);
        assert_eq!(claims["exp"], 4600);
        assert_eq!(claims["nbf"], 993);
        assert_eq!(claims["aud"], "authenticated");
        assert_eq!(claims["sub"], "user_1");
        assert!(claims.get("azp").is_none() && claims.get("sid").is_none());
        let short = TokenRequest {
            lifetime_override: Some(30),
            ..req
        };
        let claims: Value = serde_json::from_slice(&claims_json(&short).unwrap()).unwrap();
        assert_eq!(claims["exp"], 1030);
        let bad = TokenRequest {
            lifetime_override: Some(29),
            ..short
        };
        assert!(claims_json(&bad).is_err());
    }
}
