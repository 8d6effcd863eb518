//! Clerk's `template` shape, and the preview's.

use serde_json::{Value, json};
use usher_core::message_templates::{Template, TemplateType};

use crate::app::message_templates::{Preview, template_id};

/// `instance_id` is the instance's; `from_email_name` the stored one or the server's sender.
pub fn template_json(t: &Template, instance_id: &str, default_from: &str) -> Value {
    let b = t.builtin;
    let is_email = b.template_type == TemplateType::Email;
    let stored = t.stored.as_ref();
    let created = stored.map_or(0, |s| s.created_at);
    let updated = stored.map_or(0, |s| s.updated_at);
    json!({
        "object": "template",
        "id": template_id(t),
        "instance_id": instance_id,
        "resource_type": if t.is_custom() { "user" } else { "system" },
        "template_type": b.template_type.as_str(),
        "name": b.name,
        "slug": b.slug,
        "position": b.position,
        "can_revert": t.is_custom(),
        "can_delete": false,
        "can_edit_body": true,
        "can_toggle": true,
        "subject": if is_email { t.subject().map(Value::from).unwrap_or(Value::Null) } else { Value::Null },
        "markup": t.markup(),
        "body": t.body(),
        "available_variables": b.available_variables,
        "required_variables": b.required_variables,
        "from_email_name": if is_email {
            stored.and_then(|s| s.from_email_name.as_deref()).unwrap_or(default_from)
        } else {
            ""
        },
        "reply_to_email_name": stored.and_then(|s| s.reply_to_email_name.as_deref()).unwrap_or(""),
        "delivered_by_clerk": t.delivered_by_clerk(),
        "enabled": true,
        "flagged_as_suspicious": false,
        "created_at": created,
        "updated_at": updated,
    })
}

/// The rendered subject and body, and the sender's local parts.
pub fn preview_json(p: &Preview) -> Value {
    json!({
        "subject": p.rendered.subject,
        "body": p.rendered.body,
        "body_plain": p.rendered.body_plain,
        "from_email_name": p.from_email_name,
        "reply_to_email_name": p.reply_to_email_name,
    })
}
