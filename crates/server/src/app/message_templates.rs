//! Email and SMS templates (`/v1/templates`, the dashboard's templates page): the built-in ones
//! with what the instance stored. Each change is one write with its audit entry, held at once by
//! this server (the others reload it, `workers::message_templates`); messages queued afterwards
//! use it (`app::mail::queue`, `app::sms::queue`).

use usher_core::message_templates::{
    self as templates, Rendered, Template, TemplateOverride, TemplateType, catalog,
};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

pub const NOT_FOUND: CoreError = CoreError::NotFound {
    resource: "template",
};

/// What a `PUT` changes; absent fields stay as they are.
#[derive(Debug, Default, Clone)]
pub struct TemplateInput {
    pub subject: Option<String>,
    pub markup: Option<String>,
    pub body: Option<String>,
    pub delivered_by_clerk: Option<bool>,
    pub from_email_name: Option<String>,
    pub reply_to_email_name: Option<String>,
}

/// A preview: what the message would say, with sample values.
#[derive(Debug, Clone)]
pub struct Preview {
    pub rendered: Rendered,
    pub from_email_name: String,
    pub reply_to_email_name: Option<String>,
}

/// `email` or `sms`; anything else is 422 on `template_type`.
pub fn parse_type(raw: &str) -> CoreResult<TemplateType> {
    TemplateType::parse(raw)
        .ok_or_else(|| CoreError::value("template_type", "must be one of: email, sms"))
}

/// The templates of one type, in listing order.
pub async fn list(state: &AppState, template_type: &str) -> CoreResult<Vec<Template>> {
    let t = parse_type(template_type)?;
    let stored = state.store.message_templates(&state.instance.id).await?;
    Ok(catalog::of_type(t)
        .map(|b| Template::resolve(b, &stored))
        .collect())
}

pub async fn get(state: &AppState, template_type: &str, slug: &str) -> CoreResult<Template> {
    let t = parse_type(template_type)?;
    let b = catalog::find(t, slug).ok_or(NOT_FOUND)?;
    let stored = state.store.message_templates(&state.instance.id).await?;
    Ok(Template::resolve(b, &stored))
}

/// The id the API shows for a template: one per type and slug.
pub fn template_id(t: &Template) -> String {
    format!(
        "tmpl_{}_{}",
        t.builtin.template_type.as_str(),
        t.builtin.slug
    )
}

/// Checks and stores a template's new text, sender names or delivery.
pub async fn upsert(
    state: &AppState,
    ctx: &RequestContext,
    template_type: &str,
    slug: &str,
    input: TemplateInput,
) -> CoreResult<Template> {
    let current = get(state, template_type, slug).await?;
    let b = current.builtin;
    let is_email = b.template_type == TemplateType::Email;
    if !is_email {
        for (param, given) in [
            ("subject", input.subject.is_some()),
            ("from_email_name", input.from_email_name.is_some()),
            ("reply_to_email_name", input.reply_to_email_name.is_some()),
        ] {
            if given {
                return Err(CoreError::value(param, "applies to email templates only"));
            }
        }
    }
    if let Some(subject) = &input.subject {
        if subject.trim().is_empty() {
            return Err(CoreError::missing("subject"));
        }
        templates::check_text(b, "subject", subject, false)?;
    }
    if let Some(body) = &input.body {
        if body.trim().is_empty() {
            return Err(CoreError::missing("body"));
        }
        templates::check_text(b, "body", body, true)?;
    }
    if let Some(markup) = &input.markup {
        templates::check_text(b, "markup", markup, false)?;
    }
    for (param, name) in [
        ("from_email_name", &input.from_email_name),
        ("reply_to_email_name", &input.reply_to_email_name),
    ] {
        if let Some(n) = name {
            templates::check_local_part(param, n)?;
        }
    }
    let now = state.now();
    let mut o = current
        .stored
        .clone()
        .unwrap_or_else(|| TemplateOverride::empty(b, now));
    o.subject = input.subject.or(o.subject);
    o.body = input.body.or(o.body);
    o.markup = input.markup.or(o.markup);
    o.from_email_name = input.from_email_name.or(o.from_email_name);
    o.reply_to_email_name = input.reply_to_email_name.or(o.reply_to_email_name);
    o.delivered_by_clerk = input.delivered_by_clerk.unwrap_or(o.delivered_by_clerk);
    o.updated_at = now;
    save(state, ctx, b, o, "template.update").await
}

/// Back to the built-in text (the delivery setting stays).
pub async fn revert(
    state: &AppState,
    ctx: &RequestContext,
    template_type: &str,
    slug: &str,
) -> CoreResult<Template> {
    let current = get(state, template_type, slug).await?;
    let Some(mut o) = current.stored.clone() else {
        return Ok(current);
    };
    o.subject = None;
    o.body = None;
    o.markup = None;
    o.from_email_name = None;
    o.reply_to_email_name = None;
    o.updated_at = state.now();
    save(state, ctx, current.builtin, o, "template.revert").await
}

/// Turns the server's delivery of the template's messages on or off; off, only the
/// `email.created`/`sms.created` webhook carries them.
pub async fn toggle_delivery(
    state: &AppState,
    ctx: &RequestContext,
    template_type: &str,
    slug: &str,
    delivered_by_clerk: Option<bool>,
) -> CoreResult<Template> {
    let current = get(state, template_type, slug).await?;
    let now = state.now();
    let mut o = current
        .stored
        .clone()
        .unwrap_or_else(|| TemplateOverride::empty(current.builtin, now));
    // Without a value the setting flips, as the dashboard's switch does.
    o.delivered_by_clerk = delivered_by_clerk.unwrap_or(!o.delivered_by_clerk);
    o.updated_at = now;
    save(state, ctx, current.builtin, o, "template.toggle_delivery").await
}

/// Writes `o` (or drops it when it holds nothing but the defaults) with its audit entry, and
/// holds the new list at once.
async fn save(
    state: &AppState,
    ctx: &RequestContext,
    b: &'static catalog::BuiltIn,
    o: TemplateOverride,
    action: &str,
) -> CoreResult<Template> {
    let keep = o.has_text()
        || !o.delivered_by_clerk
        || o.from_email_name.is_some()
        || o.reply_to_email_name.is_some();
    let t = Template {
        builtin: b,
        stored: keep.then(|| o.clone()),
    };
    let mut change = Change::new(state, ctx);
    change.write(if keep {
        Write::PutMessageTemplate(o)
    } else {
        Write::DeleteMessageTemplate {
            template_type: b.template_type,
            slug: b.slug.to_owned(),
        }
    });
    change.commit(action, Some(&template_id(&t))).await?;
    if let Err(e) = crate::workers::message_templates::refresh_once(state).await {
        tracing::warn!(error = %format!("{e:#}"), "could not reload the templates");
    }
    Ok(t)
}

/// Renders the template (the given subject and body, else the stored ones) with sample values
/// and the instance's application name, sending nothing. Unknown variables are refused as in
/// [`upsert`].
pub async fn preview(
    state: &AppState,
    template_type: &str,
    slug: &str,
    subject: Option<String>,
    body: Option<String>,
    from_email_name: Option<String>,
    reply_to_email_name: Option<String>,
) -> CoreResult<Preview> {
    let current = get(state, template_type, slug).await?;
    let b = current.builtin;
    let is_email = b.template_type == TemplateType::Email;
    if let Some(s) = &subject {
        if !is_email {
            return Err(CoreError::value(
                "subject",
                "applies to email templates only",
            ));
        }
        templates::check_text(b, "subject", s, false)?;
    }
    if let Some(body) = &body {
        templates::check_text(b, "body", body, false)?;
    }
    for (param, name) in [
        ("from_email_name", &from_email_name),
        ("reply_to_email_name", &reply_to_email_name),
    ] {
        if let Some(n) = name {
            templates::check_local_part(param, n)?;
        }
    }
    let mut data = catalog::sample_data();
    let branding = state.branding();
    data["app"]["name"] = serde_json::Value::String(branding.application_name().to_owned());
    let subject = subject.or_else(|| current.subject().map(str::to_owned));
    let body = body.unwrap_or_else(|| current.body().to_owned());
    let stored = current.stored.as_ref();
    Ok(Preview {
        rendered: templates::render_with(b.template_type, subject.as_deref(), &body, &data),
        from_email_name: from_email_name
            .or_else(|| stored.and_then(|s| s.from_email_name.clone()))
            .unwrap_or_else(|| state.mail.from_email_name().to_owned()),
        reply_to_email_name: reply_to_email_name
            .or_else(|| stored.and_then(|s| s.reply_to_email_name.clone())),
    })
}
