//! Clerk's shortcode language. A claim's string holds `{{ … }}` expressions; an expression is one
//! or more operands joined by `||`, each a shortcode path (`user.public_metadata.a.b`) or a literal
//! (a single-quoted string, a number, `true`, `false`). The value is the first operand that is
//! neither null nor false, else the last operand's, whatever it is.

use serde_json::{Map, Number, Value};

use crate::error::{CoreError, CoreResult};

/// The namespaces a shortcode path may start with. A field they do not have renders null, as
/// Clerk's (its documented `{{user.i_dont_exist}}` is null); an unknown namespace is a mistake
/// that no token could ever fill, so it is refused on save.
pub const NAMESPACES: [&str; 4] = ["user", "org", "org_membership", "session"];

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Vec<String>),
    Literal(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expression(pub Vec<Operand>);

/// A piece of a claim's string: text as written, or an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Text(String),
    Expr(Expression),
}

fn invalid(reason: impl Into<String>) -> CoreError {
    CoreError::format("claims", reason)
}

/// Splits a claim's string into text and expressions. A string without `{{` is all text.
pub fn parse_pieces(s: &str) -> CoreResult<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Text(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| invalid(format!("has an unterminated shortcode in \"{s}\"")))?;
        pieces.push(Piece::Expr(parse_expression(&after[..end])?));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Ok(pieces)
}

/// Splits on `||` outside single-quoted literals.
fn split_operands(src: &str) -> CoreResult<Vec<&str>> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'|' if !quoted && bytes.get(i + 1) == Some(&b'|') => {
                parts.push(&src[start..i]);
                i += 2;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if quoted {
        return Err(invalid(format!(
            "has an unterminated string in {{{{{src}}}}}"
        )));
    }
    parts.push(&src[start..]);
    Ok(parts)
}

pub fn parse_expression(src: &str) -> CoreResult<Expression> {
    let operands = split_operands(src)?
        .into_iter()
        .map(|raw| parse_operand(raw.trim(), src))
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(Expression(operands))
}

fn parse_operand(raw: &str, expr: &str) -> CoreResult<Operand> {
    if raw.is_empty() {
        return Err(invalid(format!("has an empty operand in {{{{{expr}}}}}")));
    }
    if let Some(inner) = raw.strip_prefix('\'') {
        return match inner.strip_suffix('\'') {
            Some(text) if !text.contains('\'') => Ok(Operand::Literal(Value::String(text.into()))),
            _ => Err(invalid(format!("has a malformed string in {{{{{expr}}}}}"))),
        };
    }
    match raw {
        "true" => return Ok(Operand::Literal(Value::Bool(true))),
        "false" => return Ok(Operand::Literal(Value::Bool(false))),
        _ => {}
    }
    if raw.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        let number = raw
            .parse::<i64>()
            .ok()
            .map(Number::from)
            .or_else(|| raw.parse::<f64>().ok().and_then(Number::from_f64))
            .ok_or_else(|| invalid(format!("has a malformed number in {{{{{expr}}}}}")))?;
        return Ok(Operand::Literal(Value::Number(number)));
    }
    let segments: Vec<String> = raw.split('.').map(str::to_owned).collect();
    let well_formed = segments.iter().all(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    });
    if !well_formed {
        return Err(invalid(format!("has a malformed shortcode {{{{{expr}}}}}")));
    }
    if !NAMESPACES.contains(&segments[0].as_str()) || segments.len() < 2 {
        return Err(invalid(format!(
            "has an unknown shortcode {{{{{raw}}}}}: shortcodes start with user., org., org_membership. or session."
        )));
    }
    Ok(Operand::Path(segments))
}

/// A path's value in the context (`{user: {...}, org: {...}, ...}`): null when any step is absent.
pub fn lookup<'a>(context: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = context.get(first)?;
    for segment in rest {
        value = value.as_object()?.get(segment)?;
    }
    Some(value)
}

pub fn evaluate(expr: &Expression, context: &Map<String, Value>) -> Value {
    let mut last = Value::Null;
    for operand in &expr.0 {
        let value = match operand {
            Operand::Literal(v) => v.clone(),
            Operand::Path(p) => lookup(context, p).cloned().unwrap_or(Value::Null),
        };
        if !matches!(value, Value::Null | Value::Bool(false)) {
            return value;
        }
        last = value;
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Map<String, Value> {
        json!({"user": {"id": "user_1", "first_name": "Ada", "last_name": null,
                        "email_verified": false, "public_metadata": {"a": {"b": 7}}}})
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    fn eval(src: &str) -> Value {
        evaluate(&parse_expression(src).unwrap(), &ctx())
    }

    #[test]
    fn the_first_operand_neither_null_nor_false_wins_else_the_last() {
        assert_eq!(eval("user.last_name || 'Doe'"), json!("Doe"));
        assert_eq!(eval("user.email_verified || user.first_name"), json!("Ada"));
        assert_eq!(eval("user.last_name || user.email_verified"), json!(false));
        assert_eq!(eval("user.public_metadata.a.b || 30"), json!(7));
        assert_eq!(eval("user.public_metadata.x || 30"), json!(30));
    }

    #[test]
    fn literals_are_strings_numbers_and_booleans() {
        assert_eq!(eval("user.last_name || 2.5"), json!(2.5));
        assert_eq!(eval("user.last_name || true"), json!(true));
        assert_eq!(eval("user.last_name || 'a || b'"), json!("a || b"));
    }

    #[test]
    fn unknown_namespaces_and_malformed_expressions_are_refused() {
        for bad in [
            "usr.id",
            "user",
            "user.",
            "user..id",
            "'open",
            "user.id ||",
            "1x",
            "user.id name",
            "'it''s'",
        ] {
            assert!(parse_expression(bad).is_err(), "{bad}");
        }
        assert!(parse_pieces("{{user.id").is_err());
        assert!(parse_pieces("{{user.unknown_field}}").is_ok());
    }
}
