//! Email and SMS templates (Clerk's `/v1/templates`): every message the server sends has a slug
//! and a built-in text ([`catalog`]); an instance may store its own subject and body for one, or
//! turn off its delivery (the `email.created`/`sms.created` webhook still carries it, and the
//! application sends it itself). A stored override is applied to a message as it is queued,
//! filled from the message's own data ([`render`]).

pub mod catalog;
pub mod render;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use catalog::BuiltIn;

/// `email` or `sms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateType {
    Email,
    Sms,
}

impl TemplateType {
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateType::Email => "email",
            TemplateType::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(TemplateType::Email),
            "sms" => Some(TemplateType::Sms),
            _ => None,
        }
    }
}

/// What an instance stored for one template: its own text (none: the built-in one) and whether
/// the server delivers the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateOverride {
    pub template_type: TemplateType,
    pub slug: String,
    /// Emails only; `None` keeps the built-in subject.
    pub subject: Option<String>,
    /// `None` keeps the built-in body.
    pub body: Option<String>,
    pub markup: Option<String>,
    pub from_email_name: Option<String>,
    pub reply_to_email_name: Option<String>,
    pub delivered_by_clerk: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl TemplateOverride {
    /// Nothing stored yet for `b`.
    pub fn empty(b: &BuiltIn, now: Millis) -> Self {
        Self {
            template_type: b.template_type,
            slug: b.slug.to_owned(),
            subject: None,
            body: None,
            markup: None,
            from_email_name: None,
            reply_to_email_name: None,
            delivered_by_clerk: true,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whether it changes the text (and so can be reverted).
    pub fn has_text(&self) -> bool {
        self.subject.is_some() || self.body.is_some() || self.markup.is_some()
    }
}

/// A template as the API shows it: the built-in one with what the instance stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub builtin: &'static BuiltIn,
    pub stored: Option<TemplateOverride>,
}

impl Template {
    pub fn resolve(builtin: &'static BuiltIn, stored: &[TemplateOverride]) -> Self {
        Self {
            builtin,
            stored: stored
                .iter()
                .find(|o| o.template_type == builtin.template_type && o.slug == builtin.slug)
                .cloned(),
        }
    }

    pub fn subject(&self) -> Option<&str> {
        self.stored
            .as_ref()
            .and_then(|s| s.subject.as_deref())
            .or(self.builtin.subject)
    }

    pub fn body(&self) -> &str {
        self.stored
            .as_ref()
            .and_then(|s| s.body.as_deref())
            .unwrap_or(self.builtin.body)
    }

    pub fn markup(&self) -> &str {
        self.stored
            .as_ref()
            .and_then(|s| s.markup.as_deref())
            .unwrap_or_default()
    }

    /// `user` once the instance changed its text, else `system`.
    pub fn is_custom(&self) -> bool {
        self.stored.as_ref().is_some_and(TemplateOverride::has_text)
    }

    pub fn delivered_by_clerk(&self) -> bool {
        self.stored.as_ref().is_none_or(|s| s.delivered_by_clerk)
    }
}

/// Checks a new subject or body: every variable it names is one the template offers, and the
/// body names every required one. Refusals are 422 on `param`.
pub fn check_text(b: &BuiltIn, param: &str, text: &str, is_body: bool) -> CoreResult<()> {
    if text.len() > 100_000 {
        return Err(CoreError::value(param, "is too long"));
    }
    for v in render::variables(text) {
        if !b.available_variables.contains(&v.as_str()) {
            return Err(CoreError::value(
                param,
                format!(
                    "uses the unknown variable {{{{{v}}}}}; available: {}",
                    b.available_variables.join(", ")
                ),
            ));
        }
    }
    if is_body {
        let used = render::variables(text);
        if let Some(missing) = b
            .required_variables
            .iter()
            .find(|r| !used.iter().any(|u| u == *r))
        {
            return Err(CoreError::value(
                param,
                format!("must contain the variable {{{{{missing}}}}}"),
            ));
        }
    }
    Ok(())
}

/// Checks a sender's local part (`from_email_name`, `reply_to_email_name`).
pub fn check_local_part(param: &str, name: &str) -> CoreResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".-_+".contains(&c))
        && !name.starts_with('.')
        && !name.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(CoreError::format(
            param,
            "must be the local part of an email address (letters, digits, . - _ +)",
        ))
    }
}

/// What a template renders to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    /// HTML for emails (values escaped), text for SMS.
    pub body: String,
    /// Emails only: the body as plain text.
    pub body_plain: Option<String>,
}

/// Renders `subject` and `body` with `data`.
pub fn render_with(
    template_type: TemplateType,
    subject: Option<&str>,
    body: &str,
    data: &serde_json::Value,
) -> Rendered {
    match template_type {
        TemplateType::Email => {
            let html = render::render(body, data, true);
            Rendered {
                subject: subject.map(|s| render::render(s, data, false)),
                body_plain: Some(render::html_to_text(&html)),
                body: html,
            }
        }
        TemplateType::Sms => Rendered {
            subject: None,
            body: render::render(body, data, false),
            body_plain: None,
        },
    }
}

/// Wraps a rendered HTML body in the document the built-in emails use.
pub fn html_document(subject: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{}</body>\n</html>\n",
        crate::mail::templates::escape_html(subject),
        body
    )
}

/// Applies the instance's stored text for `msg`'s template, if any, to the email about to be
/// queued; returns whether the server delivers it.
pub fn apply_to_email(stored: &[TemplateOverride], msg: &mut crate::mail::EmailMessage) -> bool {
    let Some(o) = stored
        .iter()
        .find(|o| o.template_type == TemplateType::Email && o.slug == msg.slug)
    else {
        return true;
    };
    if let Some(b) = catalog::find(TemplateType::Email, &msg.slug)
        && o.has_text()
    {
        let t = Template {
            builtin: b,
            stored: Some(o.clone()),
        };
        let r = render_with(TemplateType::Email, t.subject(), t.body(), &msg.data);
        msg.subject = r.subject.unwrap_or_default();
        msg.body_html = html_document(&msg.subject, &r.body);
        msg.body_plain = r.body_plain.unwrap_or_default();
    }
    o.delivered_by_clerk
}

/// The sender's local part stored for an email template, if any.
pub fn from_email_name<'a>(stored: &'a [TemplateOverride], slug: &str) -> Option<&'a str> {
    stored
        .iter()
        .find(|o| o.template_type == TemplateType::Email && o.slug == slug)
        .and_then(|o| o.from_email_name.as_deref())
}

/// Applies the instance's stored text for `msg`'s template, if any, to the text message about
/// to be sent; returns whether the server delivers it.
pub fn apply_to_sms(stored: &[TemplateOverride], msg: &mut crate::sms::SmsMessage) -> bool {
    let Some(o) = stored
        .iter()
        .find(|o| o.template_type == TemplateType::Sms && o.slug == msg.slug)
    else {
        return true;
    };
    if let Some(body) = &o.body {
        let data = serde_json::Value::Object(msg.data.clone());
        msg.message = render::render(body, &data, false);
    }
    o.delivered_by_clerk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_missing_variables_are_refused() {
        let b = catalog::find(TemplateType::Email, "verification_code").unwrap();
        assert!(check_text(b, "body", "{{otp_code}} for {{app.name}}", true).is_ok());
        assert!(check_text(b, "body", "{{otp_code}} {{user.password}}", true).is_err());
        assert!(check_text(b, "body", "no code", true).is_err());
        assert!(check_text(b, "subject", "no code", false).is_ok());
    }

    #[test]
    fn a_stored_body_rewrites_the_email() {
        let mut msg = crate::mail::compose(
            &crate::mail::MailTemplate::VerificationCode {
                code: "654321".into(),
            },
            None,
            "<b>Acme</b>",
            "a@example.com",
            None,
            None,
            1,
        );
        let b = catalog::find(TemplateType::Email, "verification_code").unwrap();
        let mut o = TemplateOverride::empty(b, 1);
        o.subject = Some("Code {{otp_code}}".into());
        o.body = Some("<p>{{app.name}}: {{otp_code}}</p>".into());
        assert!(apply_to_email(&[o], &mut msg));
        assert_eq!(msg.subject, "Code 654321");
        assert!(
            msg.body_html
                .contains("<p>&lt;b&gt;Acme&lt;/b&gt;: 654321</p>")
        );
        assert_eq!(msg.body_plain, "<b>Acme</b>: 654321\n");
    }
}
