//! `{{variable}}` substitution: a variable is a dotted path into the message's data
//! (`app.name`, `otp_code`). In an HTML body every value is escaped; a missing value is empty.

use serde_json::Value;

use crate::mail::templates::escape_html;

/// The variables `text` names, in order, each once.
pub fn variables(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !out.contains(&name) {
            out.push(name);
        }
        rest = &after[end + 2..];
    }
    out
}

fn lookup<'a>(data: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(data, |v, key| v.get(key))
}

fn value_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
    }
}

/// `text` with each `{{variable}}` replaced by its value in `data`, HTML-escaped when `html`.
pub fn render(text: &str, data: &Value, html: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push_str(&rest[..start]);
        let value = value_text(lookup(data, after[..end].trim()));
        if html {
            out.push_str(&escape_html(&value));
        } else {
            out.push_str(&value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A plain-text version of an HTML body: tags dropped (a paragraph or line break ends a line),
/// the five escapes undone.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = rest[lt + 1..lt + gt].to_ascii_lowercase();
        if tag.starts_with("/p") || tag.starts_with("br") {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    let text = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut plain = lines.join("\n\n");
    plain.push('\n');
    plain
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_each_variable_once() {
        assert_eq!(
            variables("{{ a.b }} {{c}} {{a.b}} {{unclosed"),
            vec!["a.b".to_owned(), "c".to_owned()]
        );
    }

    #[test]
    fn renders_with_escaping_in_html_only() {
        let data = json!({"app": {"name": "<script>x</script>"}, "n": 10});
        assert_eq!(
            render("<p>{{app.name}} {{n}}{{missing}}</p>", &data, true),
            "<p>&lt;script&gt;x&lt;/script&gt; 10</p>"
        );
        assert_eq!(render("{{ app.name }}", &data, false), "<script>x</script>");
    }

    #[test]
    fn html_becomes_paragraphs_of_text() {
        assert_eq!(
            html_to_text("<p>a &amp; b</p>\n<p><a href=\"x\">c</a></p>"),
            "a & b\n\nc\n"
        );
    }
}
