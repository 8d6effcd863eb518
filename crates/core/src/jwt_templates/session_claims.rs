//! The instance's session token template (Clerk's "Customize session token"): claims written in
//! the shortcode language, rendered into every session token under the default claims.
//!
//! A session token travels in the `__session` cookie, which a browser caps at about 4 KB, so the
//! custom claims have a budget (Clerk's advice: about 1.2 KB). The budget is checked on save
//! against the template's worst case: every shortcode is given a bound ([`shortcode_bound`]), and
//! at mint a value larger than its bound renders `null`, so no user's data can push a token past
//! what was accepted.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::{RESERVED_CLAIMS, pieces_of, validate_claims};
use super::render::render_shortcodes;
use super::shortcodes::{Expression, Operand, Piece, evaluate};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

/// The most the rendered custom claims may take, as JSON bytes.
pub const BUDGET_BYTES: usize = 1200;
/// A minted session token this long is close to the 4 KB a cookie holds.
pub const LARGE_TOKEN_BYTES: usize = 3500;
/// The bound of a whole metadata shortcode (`{{user.public_metadata}}`), as JSON.
pub const METADATA_BOUND_BYTES: usize = 512;
/// The bound of a path into metadata (`{{user.public_metadata.role}}`), as JSON: a role, a tier or
/// an id, small enough that several fit in the budget.
pub const METADATA_PATH_BOUND_BYTES: usize = 128;
/// The bound of a shortcode no field answers: it renders `null`.
const NULL_BYTES: usize = 4;

/// A session token's own claims, beyond the ones every template's token has: a custom claim may
/// not take their names (Clerk's reserved claims).
pub const SESSION_RESERVED_CLAIMS: [&str; 7] = ["act", "fea", "fva", "o", "pla", "sts", "v"];
/// Clerk's v1 organization claims (`org_id`, `org_role`, …): the whole prefix is reserved.
pub const RESERVED_PREFIX: &str = "org_";

/// The template as stored: one per instance, empty until set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionClaimsTemplate {
    pub claims: Map<String, Value>,
    pub updated_at: Option<Millis>,
    /// The stored row's version (optimistic concurrency); 0 before the first change.
    #[serde(skip)]
    pub version: i64,
}

/// What rendering a template reads: the user, the active organization. A template that reads
/// neither renders from the session alone, with no read at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub user: bool,
    pub organization: bool,
}

impl SessionClaimsTemplate {
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    pub fn needs(&self) -> Needs {
        let mut needs = Needs::default();
        for v in self.claims.values() {
            visit_paths(v, &mut |path| match path.first().map(String::as_str) {
                Some("user") => needs.user = true,
                Some("org" | "org_membership") => needs.organization = true,
                _ => {}
            });
        }
        needs
    }
}

fn visit_paths(value: &Value, f: &mut impl FnMut(&[String])) {
    match value {
        Value::String(s) if s.contains("{{") => {
            for piece in pieces_of(s) {
                if let Piece::Expr(Expression(operands)) = piece {
                    for op in operands {
                        if let Operand::Path(p) = op {
                            f(&p);
                        }
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| visit_paths(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit_paths(v, f)),
        _ => {}
    }
}

fn is_reserved(name: &str) -> bool {
    RESERVED_CLAIMS.contains(&name)
        || SESSION_RESERVED_CLAIMS.contains(&name)
        || name.starts_with(RESERVED_PREFIX)
}

/// The rules on save: a template's rules (an object, shortcodes known), no claim a session token
/// sets itself, and a worst case within [`BUDGET_BYTES`]. Returns the claims and their worst case.
pub fn validate(claims: &Value) -> CoreResult<(Map<String, Value>, usize)> {
    let map = validate_claims(claims)?;
    if let Some(reserved) = map.keys().find(|k| is_reserved(k)) {
        return Err(CoreError::value(
            "claims",
            format!("cannot set the reserved claim '{reserved}': session tokens set it themselves"),
        ));
    }
    let worst = worst_case_bytes(&map);
    if worst > BUDGET_BYTES {
        return Err(CoreError::value(
            "claims",
            format!(
                "can render up to {worst} bytes, over the session token budget of {BUDGET_BYTES} bytes \
                 (a session token lives in a cookie of about 4 KB)"
            ),
        ));
    }
    Ok((map, worst))
}

/// The most a shortcode's value may take as JSON. A value over it renders `null` at mint.
pub fn shortcode_bound(path: &[String]) -> usize {
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["user" | "org", "public_metadata" | "unsafe_metadata"]
        | ["org_membership", "public_metadata"] => METADATA_BOUND_BYTES,
        ["user" | "org", "public_metadata" | "unsafe_metadata", _, ..]
        | ["org_membership", "public_metadata", _, ..] => METADATA_PATH_BOUND_BYTES,
        ["user" | "org", "id"] => 40,
        [
            "user",
            "external_id" | "first_name" | "last_name" | "username",
        ] => 130,
        ["user", "full_name"] => 260,
        ["user", "primary_email_address"] => 322,
        ["user", "primary_phone_address"] => 34,
        [
            "user",
            "email_verified" | "phone_number_verified" | "two_factor_enabled" | "has_image",
        ] => 5,
        ["user" | "org", "image_url"] => 300,
        ["user", "created_at" | "updated_at" | "last_sign_in_at"] => 20,
        ["org", "name"] => 260,
        ["org", "slug" | "role"] => 130,
        ["session", "actor"] => 256,
        _ => NULL_BYTES,
    }
}

fn operand_bound(op: &Operand) -> usize {
    match op {
        Operand::Path(p) => shortcode_bound(p),
        Operand::Literal(v) => v.to_string().len(),
    }
}

fn expression_bound(e: &Expression) -> usize {
    e.0.iter().map(operand_bound).max().unwrap_or(NULL_BYTES)
}

/// The JSON size of the string `"s"` with its escapes.
fn string_json_len(s: &str) -> usize {
    Value::String(s.to_owned()).to_string().len()
}

fn value_bound(value: &Value) -> usize {
    match value {
        Value::String(s) if s.contains("{{") => match pieces_of(s).as_slice() {
            [Piece::Expr(e)] => expression_bound(e),
            pieces => {
                // An interpolated value's text, escaped, is held to its bound (see `render_value`).
                2 + pieces
                    .iter()
                    .map(|p| match p {
                        Piece::Text(t) => string_json_len(t) - 2,
                        Piece::Expr(e) => expression_bound(e),
                    })
                    .sum::<usize>()
            }
        },
        Value::Array(items) => {
            2 + items.iter().map(value_bound).sum::<usize>() + items.len().saturating_sub(1)
        }
        Value::Object(map) => object_bound(map),
        other => other.to_string().len(),
    }
}

fn object_bound(map: &Map<String, Value>) -> usize {
    2 + map
        .iter()
        .map(|(k, v)| string_json_len(k) + 1 + value_bound(v))
        .sum::<usize>()
        + map.len().saturating_sub(1)
}

/// The largest the claims can render to, as the JSON they add to a token (their object's braces
/// included).
pub fn worst_case_bytes(claims: &Map<String, Value>) -> usize {
    object_bound(claims)
}

fn bounded(path: &[String], value: Value) -> Value {
    if value.is_null() || value.to_string().len() <= shortcode_bound(path) {
        value
    } else {
        Value::Null
    }
}

/// [`evaluate`], with every shortcode's value held to its bound.
fn evaluate_bounded(expr: &Expression, ctx: &Map<String, Value>) -> Value {
    let operands = expr
        .0
        .iter()
        .map(|op| match op {
            Operand::Path(p) => Operand::Literal(bounded(
                p,
                super::shortcodes::lookup(ctx, p)
                    .cloned()
                    .unwrap_or(Value::Null),
            )),
            literal => literal.clone(),
        })
        .collect();
    evaluate(&Expression(operands), ctx)
}

fn render_value(value: &Value, ctx: &Map<String, Value>) -> Value {
    render_shortcodes(value, &|s| match pieces_of(s).as_slice() {
        [Piece::Expr(e)] => evaluate_bounded(e, ctx),
        pieces => {
            let mut out = String::new();
            for piece in pieces {
                match piece {
                    Piece::Text(t) => out.push_str(t),
                    Piece::Expr(e) => {
                        let text = match evaluate_bounded(e, ctx) {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        // Held to its bound once escaped, as the budget counted it.
                        if string_json_len(&text) - 2 > expression_bound(e) {
                            out.push_str("null");
                        } else {
                            out.push_str(&text);
                        }
                    }
                }
            }
            Value::String(out.trim().to_owned())
        }
    })
}

/// The custom claims rendered over the context (`jwt_templates::render::context`), under Clerk's
/// rules for templates, each shortcode held to its bound.
pub fn render(template: &SessionClaimsTemplate, ctx: &Map<String, Value>) -> Map<String, Value> {
    template
        .claims
        .iter()
        .filter(|(k, _)| !is_reserved(k))
        .map(|(k, v)| (k.clone(), render_value(v, ctx)))
        .collect()
}

/// The token's claims: the custom ones, then the default ones over them (a default claim always
/// wins, whatever a stored template says).
pub fn merge(custom: Map<String, Value>, defaults: Map<String, Value>) -> Map<String, Value> {
    let mut claims = custom;
    claims.extend(defaults);
    claims
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(claims: Value) -> SessionClaimsTemplate {
        SessionClaimsTemplate {
            claims: claims.as_object().cloned().unwrap_or_default(),
            ..Default::default()
        }
    }

    fn err_message(claims: Value) -> String {
        match validate(&claims) {
            Err(CoreError::ParamValueInvalid { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reserved_and_session_claims_are_refused() {
        for name in [
            "sub", "sid", "sts", "v", "fva", "o", "fea", "pla", "act", "azp", "org_id",
        ] {
            let msg = err_message(json!({ name: "x" }));
            assert!(msg.contains(&format!("'{name}'")), "{name}: {msg}");
        }
        assert!(validate(&json!({"organization": "{{org.id}}", "role": "admin"})).is_ok());
        assert!(validate(&json!([1])).is_err());
        assert!(validate(&json!({"a": "{{nope.x}}"})).is_err());
    }

    #[test]
    fn the_worst_case_counts_each_shortcode_at_its_bound() {
        let (_, static_only) = validate(&json!({"role": "admin"})).unwrap();
        assert_eq!(static_only, r#"{"role":"admin"}"#.len());
        let (_, one) = validate(&json!({"uid": "{{user.id}}"})).unwrap();
        assert_eq!(one, r#"{"uid":}"#.len() + 40);
        let (_, fallback) =
            validate(&json!({"r": "{{user.public_metadata.role || 'member'}}"})).unwrap();
        assert_eq!(fallback, r#"{"r":}"#.len() + METADATA_PATH_BOUND_BYTES);
        let (_, whole) = validate(&json!({"m": "{{user.public_metadata}}"})).unwrap();
        assert_eq!(whole, r#"{"m":}"#.len() + METADATA_BOUND_BYTES);
        let (_, interpolated) = validate(&json!({"n": "Hi {{user.first_name}}"})).unwrap();
        assert_eq!(interpolated, r#"{"n":"Hi "}"#.len() + 130);
    }

    #[test]
    fn a_template_that_can_exceed_the_budget_is_refused_with_its_size() {
        let claims = json!({"a": "{{user.public_metadata}}", "b": "{{user.unsafe_metadata}}",
                            "c": "{{org.public_metadata}}"});
        let worst = worst_case_bytes(claims.as_object().unwrap());
        assert!(worst > BUDGET_BYTES);
        let msg = err_message(claims);
        assert!(msg.contains(&worst.to_string()), "{msg}");
        let long = "x".repeat(BUDGET_BYTES);
        assert!(err_message(json!({ "s": long })).contains("budget"));
    }

    #[test]
    fn values_over_their_bound_render_null_and_defaults_win() {
        let t = template(
            json!({"meta": "{{user.public_metadata}}", "uid": "{{user.id}}",
                                "greet": "hi {{user.first_name}}"}),
        );
        let ctx = json!({"user": {"id": "user_1", "first_name": "Ada",
                                  "public_metadata": {"blob": "x".repeat(600)}}})
        .as_object()
        .cloned()
        .unwrap_or_default();
        let out = render(&t, &ctx);
        assert_eq!(
            Value::Object(out.clone()),
            json!({"meta": null, "uid": "user_1", "greet": "hi Ada"})
        );
        let merged = merge(
            out,
            json!({"uid": "default"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        assert_eq!(merged["uid"], "default");
        assert_eq!(
            template(json!({"a": "{{org.role}}", "b": "{{session.actor}}"})).needs(),
            Needs {
                user: false,
                organization: true
            }
        );
        assert_eq!(template(json!({"r": "x"})).needs(), Needs::default());
    }
}
