//! What a template ships that an operator should look at twice: personal data (addresses,
//! phone numbers, names) in a token any holder can read, and a lifetime over a minute without an
//! `aud` to bind the token to its receiver. Reported, never refused: both can be intended.

use serde_json::Value;

use super::JwtTemplate;
use super::shortcodes::{Operand, Piece, parse_pieces};

/// The shortcodes that carry personal data.
pub const PII_SHORTCODES: [&str; 6] = [
    "user.primary_email_address",
    "user.primary_phone_address",
    "user.first_name",
    "user.last_name",
    "user.full_name",
    "user.username",
];

/// Tokens that live longer than this should name their audience.
pub const SHORT_LIFETIME_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The claim (a JSON pointer into the claims) renders this personal-data shortcode.
    Pii { claim: String, shortcode: String },
    /// The lifetime exceeds [`SHORT_LIFETIME_SECS`] and no `aud` claim is set.
    LongLivedWithoutAudience { lifetime: i64 },
}

impl Finding {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pii { .. } => "template_ships_pii",
            Self::LongLivedWithoutAudience { .. } => "template_long_lived_without_aud",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Pii { claim, shortcode } => {
                format!("claim {claim} carries personal data ({{{{{shortcode}}}}})")
            }
            Self::LongLivedWithoutAudience { lifetime } => format!(
                "tokens live {lifetime} s (over {SHORT_LIFETIME_SECS} s) and name no audience (aud)"
            ),
        }
    }
}

fn walk(value: &Value, pointer: &str, out: &mut Vec<Finding>) {
    match value {
        Value::String(s) => {
            for piece in parse_pieces(s).unwrap_or_default() {
                let Piece::Expr(expr) = piece else { continue };
                for operand in expr.0 {
                    let Operand::Path(path) = operand else {
                        continue;
                    };
                    let joined = path.join(".");
                    if PII_SHORTCODES.contains(&joined.as_str()) {
                        out.push(Finding::Pii {
                            claim: pointer.to_owned(),
                            shortcode: joined,
                        });
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                walk(v, &format!("{pointer}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// The personal-data findings of a set of claims (a template's, or the session token template's).
pub fn claim_findings(claims: &serde_json::Map<String, Value>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (k, v) in claims {
        let key = k.replace('~', "~0").replace('/', "~1");
        walk(v, &format!("/{key}"), &mut out);
    }
    out
}

pub fn findings(template: &JwtTemplate) -> Vec<Finding> {
    let mut out = claim_findings(&template.claims);
    if template.lifetime > SHORT_LIFETIME_SECS && !template.claims.contains_key("aud") {
        out.push(Finding::LongLivedWithoutAudience {
            lifetime: template.lifetime,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::JwtTemplateId;
    use serde_json::json;

    fn template(claims: Value, lifetime: i64) -> JwtTemplate {
        JwtTemplate {
            id: JwtTemplateId::from_stored("jtmp_1"),
            version: 0,
            name: "t".into(),
            claims: claims.as_object().cloned().unwrap_or_default(),
            lifetime,
            allowed_clock_skew: 5,
            signing: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn personal_data_and_long_lives_without_aud_are_found() {
        let t = template(
            json!({"a/b": {"who": "{{user.first_name}} {{user.id}}"},
                   "list": ["{{user.public_metadata.x || user.primary_email_address}}"],
                   "static": "user.primary_email_address"}),
            3600,
        );
        assert_eq!(
            findings(&t),
            vec![
                Finding::Pii {
                    claim: "/a~1b/who".into(),
                    shortcode: "user.first_name".into()
                },
                Finding::Pii {
                    claim: "/list/0".into(),
                    shortcode: "user.primary_email_address".into()
                },
                Finding::LongLivedWithoutAudience { lifetime: 3600 },
            ]
        );
    }

    #[test]
    fn a_short_or_addressed_template_without_pii_is_clean() {
        assert!(findings(&template(json!({"sub_id": "{{user.id}}"}), 60)).is_empty());
        assert!(findings(&template(json!({"aud": "x", "o": "{{org.id}}"}), 3600)).is_empty());
    }
}
