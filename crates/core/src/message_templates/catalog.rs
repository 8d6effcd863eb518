//! The messages the server sends, as Clerk's templates name them: each one's slug, the variables
//! its text may use and must use, and its built-in (English) text in `{{variable}}` form.

use super::TemplateType;

/// One built-in template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltIn {
    pub template_type: TemplateType,
    pub slug: &'static str,
    pub name: &'static str,
    pub position: i64,
    pub available_variables: &'static [&'static str],
    pub required_variables: &'static [&'static str],
    /// Emails only.
    pub subject: Option<&'static str>,
    /// HTML for emails, text for SMS.
    pub body: &'static str,
}

const CODE_VARS: &[&str] = &["app.name", "app.logo_image_url", "otp_code"];
const LINK_VARS: &[&str] = &[
    "app.name",
    "app.logo_image_url",
    "magic_link",
    "ttl_minutes",
];

/// Every template, email first, in listing order.
pub const CATALOG: &[BuiltIn] = &[
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "verification_code",
        name: "Verification code",
        position: 0,
        available_variables: CODE_VARS,
        required_variables: &["otp_code"],
        subject: Some("{{otp_code}} is your verification code"),
        body: "<p>{{otp_code}} is your verification code for {{app.name}}.</p>\n<p>Do not share this code with anyone.</p>\n<p>If you did not request this code, you can ignore this email.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "reset_password_code",
        name: "Reset password code",
        position: 1,
        available_variables: CODE_VARS,
        required_variables: &["otp_code"],
        subject: Some("{{otp_code}} is your password reset code"),
        body: "<p>{{otp_code}} is your code to reset your {{app.name}} password.</p>\n<p>Do not share this code with anyone.</p>\n<p>If you did not ask to reset your password, you can ignore this email: your password has not changed.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "magic_link_sign_in",
        name: "Magic link (sign in)",
        position: 2,
        available_variables: LINK_VARS,
        required_variables: &["magic_link"],
        subject: Some("Your {{app.name}} sign-in link"),
        body: "<p>Open this link to sign in to {{app.name}}: {{magic_link}}</p>\n<p>The link works once and expires in {{ttl_minutes}} minutes. Do not share it with anyone.</p>\n<p>If you did not ask to sign in, you can ignore this email.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "magic_link_sign_up",
        name: "Magic link (sign up)",
        position: 3,
        available_variables: LINK_VARS,
        required_variables: &["magic_link"],
        subject: Some("Verify your email address for {{app.name}}"),
        body: "<p>Open this link to verify your email address and finish signing up to {{app.name}}: {{magic_link}}</p>\n<p>The link works once and expires in {{ttl_minutes}} minutes. Do not share it with anyone.</p>\n<p>If you did not sign up, you can ignore this email.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "sign_up_attempt",
        name: "Sign up attempt",
        position: 4,
        available_variables: &["app.name", "app.logo_image_url"],
        required_variables: &[],
        subject: Some("Someone tried to sign up to {{app.name}} with your email address"),
        body: "<p>Someone tried to create a new {{app.name}} account with this email address, which already has an account.</p>\n<p>If it was you, sign in instead. If you forgot your password, you can reset it from the sign-in page.</p>\n<p>If it was not you, you can ignore this email: nothing has changed on your account.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "invitation",
        name: "Invitation",
        position: 5,
        available_variables: &["app.name", "action_url", "inviter_name"],
        required_variables: &["action_url"],
        subject: Some("You have been invited to join {{app.name}}"),
        body: "<p>You have been invited to create an account on {{app.name}}.</p>\n<p><a href=\"{{action_url}}\">Accept the invitation</a></p>\n<p>If you were not expecting this invitation, you can ignore this email.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Email,
        slug: "organization_invitation",
        name: "Organization invitation",
        position: 6,
        available_variables: &["app.name", "org.name", "action_url", "inviter_name"],
        required_variables: &["action_url"],
        subject: Some("You have been invited to join {{org.name}}"),
        body: "<p>You have been invited to join {{org.name}} on {{app.name}}.</p>\n<p><a href=\"{{action_url}}\">Accept the invitation</a></p>\n<p>If you were not expecting this invitation, you can ignore this email.</p>\n",
    },
    BuiltIn {
        template_type: TemplateType::Sms,
        slug: "verification_code",
        name: "Verification code",
        position: 0,
        available_variables: &["app.name", "otp_code"],
        required_variables: &["otp_code"],
        subject: None,
        body: "{{otp_code}} is your {{app.name}} verification code.",
    },
];

/// The built-in template of that type and slug.
pub fn find(template_type: TemplateType, slug: &str) -> Option<&'static BuiltIn> {
    CATALOG
        .iter()
        .find(|b| b.template_type == template_type && b.slug == slug)
}

/// The built-in templates of one type, in listing order.
pub fn of_type(template_type: TemplateType) -> impl Iterator<Item = &'static BuiltIn> {
    CATALOG
        .iter()
        .filter(move |b| b.template_type == template_type)
}

/// Values for every variable, for previews: made up, never a real user's.
pub fn sample_data() -> serde_json::Value {
    serde_json::json!({
        "app": {"name": "Acme", "logo_image_url": "https://example.com/logo.png"},
        "otp_code": "123456",
        "magic_link": "https://example.com/v1/verify?token=sample",
        "ttl_minutes": 10,
        "action_url": "https://example.com/sign-up?__clerk_ticket=sample",
        "inviter_name": "Jane Doe",
        "org": {"name": "Acme Inc."},
    })
}
