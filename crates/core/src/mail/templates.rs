//! The messages' texts: short, plain, one table of strings per language. The language is the
//! locale's prefix (`fr-FR` → French); an unknown or missing one falls back to English. The
//! HTML body is the plain text, escaped, one paragraph per block, in a minimal document.

use serde_json::json;

use super::{EmailMessage, EmailStatus};
use crate::branding::Branding;
use crate::ids::{EmailMessageId, IdentificationId, UserId};

/// What to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTemplate {
    /// A one-time code proving the address (sign-up, sign-in by email code, adding an address).
    VerificationCode { code: String },
    /// A one-time code that lets its holder set a new password.
    ResetPasswordCode { code: String },
    /// Someone tried to sign up with an address that already has an account (enumeration
    /// protection answers the sign-up as for any address, and tells the owner instead).
    SignUpAttempt,
    /// A link that signs its holder in (`email_link`), valid ten minutes.
    EmailLinkSignIn { url: String },
    /// A link that verifies a sign-up's email address (`email_link`), valid ten minutes.
    EmailLinkSignUp { url: String },
    /// A link that verifies an address the user added to their profile (`email_link`).
    EmailLinkUserProfile { url: String },
}

impl MailTemplate {
    /// Clerk's template slug.
    pub fn slug(&self) -> &'static str {
        match self {
            MailTemplate::VerificationCode { .. } => "verification_code",
            MailTemplate::ResetPasswordCode { .. } => "reset_password_code",
            MailTemplate::SignUpAttempt => "sign_up_attempt",
            // Clerk's slug for its sign-in link ("magic link").
            MailTemplate::EmailLinkSignIn { .. } => "magic_link_sign_in",
            MailTemplate::EmailLinkSignUp { .. } => "magic_link_sign_up",
            MailTemplate::EmailLinkUserProfile { .. } => "magic_link_user_profile",
        }
    }

    fn code(&self) -> Option<&str> {
        match self {
            MailTemplate::VerificationCode { code } | MailTemplate::ResetPasswordCode { code } => {
                Some(code)
            }
            MailTemplate::SignUpAttempt
            | MailTemplate::EmailLinkSignIn { .. }
            | MailTemplate::EmailLinkSignUp { .. }
            | MailTemplate::EmailLinkUserProfile { .. } => None,
        }
    }

    fn link(&self) -> Option<&str> {
        match self {
            MailTemplate::EmailLinkSignIn { url }
            | MailTemplate::EmailLinkSignUp { url }
            | MailTemplate::EmailLinkUserProfile { url } => Some(url),
            _ => None,
        }
    }
}

/// One language's strings. `{code}` and `{app}` are replaced.
struct Texts {
    lang: &'static str,
    verification_subject: &'static str,
    verification_body: &'static [&'static str],
    reset_subject: &'static str,
    reset_body: &'static [&'static str],
    sign_up_attempt_subject: &'static str,
    sign_up_attempt_body: &'static [&'static str],
    link_sign_in_subject: &'static str,
    /// `{link}` is the link.
    link_sign_in_body: &'static [&'static str],
    link_sign_up_subject: &'static str,
    link_sign_up_body: &'static [&'static str],
    /// An address added to a profile, verified by link (the sign-up subject).
    link_profile_body: &'static [&'static str],
}

const EN: Texts = Texts {
    lang: "en",
    verification_subject: "{code} is your verification code",
    verification_body: &[
        "{code} is your verification code for {app}.",
        "Do not share this code with anyone.",
        "If you did not request this code, you can ignore this email.",
    ],
    reset_subject: "{code} is your password reset code",
    reset_body: &[
        "{code} is your code to reset your {app} password.",
        "Do not share this code with anyone.",
        "If you did not ask to reset your password, you can ignore this email: your password has not changed.",
    ],
    sign_up_attempt_subject: "Someone tried to sign up to {app} with your email address",
    sign_up_attempt_body: &[
        "Someone tried to create a new {app} account with this email address, which already has an account.",
        "If it was you, sign in instead. If you forgot your password, you can reset it from the sign-in page.",
        "If it was not you, you can ignore this email: nothing has changed on your account.",
    ],
    link_sign_in_subject: "Your {app} sign-in link",
    link_sign_in_body: &[
        "Open this link to sign in to {app}: {link}",
        "The link works once and expires in 10 minutes. Do not share it with anyone.",
        "If you did not ask to sign in, you can ignore this email.",
    ],
    link_sign_up_subject: "Verify your email address for {app}",
    link_sign_up_body: &[
        "Open this link to verify your email address and finish signing up to {app}: {link}",
        "The link works once and expires in 10 minutes. Do not share it with anyone.",
        "If you did not sign up, you can ignore this email.",
    ],
    link_profile_body: &[
        "Open this link to verify the email address you added to your {app} account: {link}",
        "The link works once and expires in 10 minutes. Do not share it with anyone.",
        "If you did not add this address, you can ignore this email.",
    ],
};

const FR: Texts = Texts {
    lang: "fr",
    verification_subject: "{code} est votre code de vérification",
    verification_body: &[
        "{code} est votre code de vérification pour {app}.",
        "Ne communiquez ce code à personne.",
        "Si vous n'avez pas demandé ce code, vous pouvez ignorer cet e-mail.",
    ],
    reset_subject: "{code} est votre code de réinitialisation du mot de passe",
    reset_body: &[
        "{code} est votre code pour réinitialiser votre mot de passe {app}.",
        "Ne communiquez ce code à personne.",
        "Si vous n'avez pas demandé à réinitialiser votre mot de passe, vous pouvez ignorer cet e-mail : votre mot de passe n'a pas changé.",
    ],
    sign_up_attempt_subject: "Quelqu'un a essayé de s'inscrire à {app} avec votre adresse e-mail",
    sign_up_attempt_body: &[
        "Quelqu'un a essayé de créer un nouveau compte {app} avec cette adresse e-mail, qui a déjà un compte.",
        "Si c'était vous, connectez-vous plutôt. Si vous avez oublié votre mot de passe, vous pouvez le réinitialiser depuis la page de connexion.",
        "Si ce n'était pas vous, vous pouvez ignorer cet e-mail : rien n'a changé sur votre compte.",
    ],
    link_sign_in_subject: "Votre lien de connexion à {app}",
    link_sign_in_body: &[
        "Ouvrez ce lien pour vous connecter à {app} : {link}",
        "Le lien ne fonctionne qu'une fois et expire dans 10 minutes. Ne le communiquez à personne.",
        "Si vous n'avez pas demandé à vous connecter, vous pouvez ignorer cet e-mail.",
    ],
    link_sign_up_subject: "Vérifiez votre adresse e-mail pour {app}",
    link_sign_up_body: &[
        "Ouvrez ce lien pour vérifier votre adresse e-mail et terminer votre inscription à {app} : {link}",
        "Le lien ne fonctionne qu'une fois et expire dans 10 minutes. Ne le communiquez à personne.",
        "Si vous ne vous êtes pas inscrit, vous pouvez ignorer cet e-mail.",
    ],
    link_profile_body: &[
        "Ouvrez ce lien pour vérifier l'adresse e-mail ajoutée à votre compte {app} : {link}",
        "Le lien ne fonctionne qu'une fois et expire dans 10 minutes. Ne le communiquez à personne.",
        "Si vous n'avez pas ajouté cette adresse, vous pouvez ignorer cet e-mail.",
    ],
};

const DE: Texts = Texts {
    lang: "de",
    verification_subject: "{code} ist Ihr Bestätigungscode",
    verification_body: &[
        "{code} ist Ihr Bestätigungscode für {app}.",
        "Geben Sie diesen Code an niemanden weiter.",
        "Wenn Sie diesen Code nicht angefordert haben, können Sie diese E-Mail ignorieren.",
    ],
    reset_subject: "{code} ist Ihr Code zum Zurücksetzen des Passworts",
    reset_body: &[
        "{code} ist Ihr Code zum Zurücksetzen Ihres Passworts für {app}.",
        "Geben Sie diesen Code an niemanden weiter.",
        "Wenn Sie das Zurücksetzen Ihres Passworts nicht angefordert haben, können Sie diese E-Mail ignorieren: Ihr Passwort wurde nicht geändert.",
    ],
    sign_up_attempt_subject: "Jemand hat versucht, sich mit Ihrer E-Mail-Adresse bei {app} zu registrieren",
    sign_up_attempt_body: &[
        "Jemand hat versucht, mit dieser E-Mail-Adresse ein neues Konto bei {app} anzulegen. Zu dieser Adresse gibt es bereits ein Konto.",
        "Wenn Sie das waren, melden Sie sich stattdessen an. Falls Sie Ihr Passwort vergessen haben, können Sie es auf der Anmeldeseite zurücksetzen.",
        "Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren: An Ihrem Konto hat sich nichts geändert.",
    ],
    link_sign_in_subject: "Ihr Anmeldelink für {app}",
    link_sign_in_body: &[
        "Öffnen Sie diesen Link, um sich bei {app} anzumelden: {link}",
        "Der Link funktioniert einmal und läuft in 10 Minuten ab. Geben Sie ihn an niemanden weiter.",
        "Wenn Sie keine Anmeldung angefordert haben, können Sie diese E-Mail ignorieren.",
    ],
    link_sign_up_subject: "Bestätigen Sie Ihre E-Mail-Adresse für {app}",
    link_sign_up_body: &[
        "Öffnen Sie diesen Link, um Ihre E-Mail-Adresse zu bestätigen und die Registrierung bei {app} abzuschließen: {link}",
        "Der Link funktioniert einmal und läuft in 10 Minuten ab. Geben Sie ihn an niemanden weiter.",
        "Wenn Sie sich nicht registriert haben, können Sie diese E-Mail ignorieren.",
    ],
    link_profile_body: &[
        "Öffnen Sie diesen Link, um die zu Ihrem Konto bei {app} hinzugefügte E-Mail-Adresse zu bestätigen: {link}",
        "Der Link funktioniert einmal und läuft in 10 Minuten ab. Geben Sie ihn an niemanden weiter.",
        "Wenn Sie diese Adresse nicht hinzugefügt haben, können Sie diese E-Mail ignorieren.",
    ],
};

/// The languages with their own texts.
pub const LANGUAGES: &[&str] = &["en", "fr", "de"];

fn texts_for(locale: Option<&str>) -> &'static Texts {
    let lang = locale
        .and_then(|l| l.trim().split(['-', '_']).next())
        .map(str::to_ascii_lowercase);
    match lang.as_deref() {
        Some("fr") => &FR,
        Some("de") => &DE,
        _ => &EN,
    }
}

fn fill(s: &str, code: &str, app: &str, link: &str) -> String {
    s.replace("{code}", code)
        .replace("{app}", app)
        .replace("{link}", link)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds the message, queued, with a new `ema_` id, naming the application `app_name`.
pub fn compose(
    template: &MailTemplate,
    locale: Option<&str>,
    app_name: &str,
    to_email_address: &str,
    email_address_id: Option<&IdentificationId>,
    user_id: Option<&UserId>,
    now_ms: i64,
) -> EmailMessage {
    let branding = Branding {
        application_name: Some(app_name.to_owned()),
        ..Branding::default()
    };
    compose_branded(
        template,
        locale,
        &branding,
        to_email_address,
        email_address_id,
        user_id,
        now_ms,
    )
}

/// Builds the message with the instance's branding: its application name in the text, and
/// its logo above the HTML body when one is set.
pub fn compose_branded(
    template: &MailTemplate,
    locale: Option<&str>,
    branding: &Branding,
    to_email_address: &str,
    email_address_id: Option<&IdentificationId>,
    user_id: Option<&UserId>,
    now_ms: i64,
) -> EmailMessage {
    let app_name = branding.application_name();
    let logo = branding.logo_image_url();
    let t = texts_for(locale);
    let otp = template.code();
    let code = otp.unwrap_or_default();
    let (subject, paragraphs) = match template {
        MailTemplate::VerificationCode { .. } => (t.verification_subject, t.verification_body),
        MailTemplate::ResetPasswordCode { .. } => (t.reset_subject, t.reset_body),
        MailTemplate::SignUpAttempt => (t.sign_up_attempt_subject, t.sign_up_attempt_body),
        MailTemplate::EmailLinkSignIn { .. } => (t.link_sign_in_subject, t.link_sign_in_body),
        MailTemplate::EmailLinkSignUp { .. } => (t.link_sign_up_subject, t.link_sign_up_body),
        MailTemplate::EmailLinkUserProfile { .. } => (t.link_sign_up_subject, t.link_profile_body),
    };
    let link = template.link();
    let subject = fill(subject, code, app_name, "");
    let paragraphs: Vec<String> = paragraphs
        .iter()
        .map(|p| fill(p, code, app_name, link.unwrap_or_default()))
        .collect();
    let mut body_plain = paragraphs.join("\n\n");
    body_plain.push('\n');
    let mut body_html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n",
        t.lang,
        escape_html(&subject)
    );
    if let Some(url) = logo {
        // The URL was checked to be http(s) when it was set; escaping keeps it one attribute.
        body_html.push_str(&format!(
            "<p><img src=\"{}\" alt=\"{}\" height=\"48\"></p>\n",
            escape_html(url),
            escape_html(app_name)
        ));
    }
    for p in &paragraphs {
        body_html.push_str("<p>");
        body_html.push_str(&escape_html(p));
        body_html.push_str("</p>\n");
    }
    body_html.push_str("</body>\n</html>\n");
    EmailMessage {
        id: EmailMessageId::new(),
        to_email_address: to_email_address.to_owned(),
        email_address_id: email_address_id.cloned(),
        user_id: user_id.cloned(),
        slug: template.slug().to_owned(),
        subject,
        body_plain,
        body_html,
        data: match link {
            // Clerk's magic-link email data: the link and how long it lasts.
            Some(url) => json!({
                "magic_link": url,
                "ttl_minutes": 10,
                "app": {"name": app_name, "logo_image_url": logo},
                "locale": t.lang,
            }),
            None => json!({
                "otp_code": otp,
                "app": {"name": app_name, "logo_image_url": logo},
                "locale": t.lang,
            }),
        },
        status: EmailStatus::Queued,
        attempts: 0,
        last_error: None,
        from_email_name: String::new(),
        delivered_by_server: false,
        created_at: now_ms,
        updated_at: now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verification(locale: Option<&str>) -> EmailMessage {
        compose(
            &MailTemplate::VerificationCode {
                code: "123456".into(),
            },
            locale,
            "Acme <Dev>",
            "jane@example.com",
            Some(&IdentificationId::from_stored("idn_1")),
            Some(&UserId::from_stored("user_1")),
            42,
        )
    }

    #[test]
    fn a_verification_code_message() {
        let m = verification(None);
        assert!(m.id.starts_with("ema_"));
        assert_eq!(m.slug, "verification_code");
        assert_eq!(m.subject, "123456 is your verification code");
        assert!(
            m.body_plain
                .starts_with("123456 is your verification code for Acme <Dev>.\n\n")
        );
        assert!(m.body_plain.ends_with("ignore this email.\n"));
        assert_eq!(m.to_email_address, "jane@example.com");
        assert_eq!(m.email_address_id.as_deref(), Some("idn_1"));
        assert_eq!(m.user_id.as_deref(), Some("user_1"));
        assert_eq!(m.status, EmailStatus::Queued);
        assert_eq!((m.attempts, m.created_at, m.updated_at), (0, 42, 42));
        assert_eq!(m.data["otp_code"], "123456");
        assert_eq!(m.data["app"]["name"], "Acme <Dev>");
    }

    #[test]
    fn the_logo_heads_the_html_body_when_set() {
        let branding = Branding {
            application_name: Some("Acme".into()),
            logo_image_url: Some("https://cdn.acme.test/logo.png?a=1&b=2".into()),
            ..Branding::default()
        };
        let code = MailTemplate::VerificationCode {
            code: "123456".into(),
        };
        let m = compose_branded(&code, None, &branding, "j@x.test", None, None, 1);
        assert!(m.body_html.contains(
            "<img src=\"https://cdn.acme.test/logo.png?a=1&amp;b=2\" alt=\"Acme\" height=\"48\">"
        ));
        assert!(m.body_plain.contains("for Acme."));
        assert_eq!(
            m.data["app"]["logo_image_url"],
            "https://cdn.acme.test/logo.png?a=1&b=2"
        );
        let plain = compose_branded(&code, None, &Branding::default(), "j@x.test", None, None, 1);
        assert!(!plain.body_html.contains("<img"));
        assert!(plain.body_plain.contains("for Usher."));
    }

    #[test]
    fn the_html_body_is_the_text_escaped() {
        let m = verification(None);
        assert!(m.body_html.starts_with("<!DOCTYPE html>"));
        assert!(m.body_html.contains("<html lang=\"en\">"));
        assert!(
            m.body_html
                .contains("<p>123456 is your verification code for Acme &lt;Dev&gt;.</p>")
        );
        assert!(!m.body_html.contains("<Dev>"));
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_language_follows_the_locale_prefix_with_english_as_fallback() {
        let fr = verification(Some("fr-FR"));
        assert_eq!(fr.subject, "123456 est votre code de vérification");
        assert!(fr.body_html.contains("lang=\"fr\""));
        assert_eq!(fr.data["locale"], "fr");
        assert_eq!(
            verification(Some("de")).subject,
            "123456 ist Ihr Bestätigungscode"
        );
        assert_eq!(
            verification(Some("DE_at")).subject,
            "123456 ist Ihr Bestätigungscode"
        );
        for other in [Some("es-ES"), Some(""), Some("en-GB"), None] {
            assert_eq!(
                verification(other).subject,
                "123456 is your verification code"
            );
        }
    }

    #[test]
    fn a_link_in_every_language_carries_the_link_as_clerk_names_it() {
        let url = "https://auth.example.com/v1/verify?token=a.b.c";
        for (lang, up) in LANGUAGES.iter().flat_map(|l| [(l, false), (l, true)]) {
            let template = if up {
                MailTemplate::EmailLinkSignUp { url: url.into() }
            } else {
                MailTemplate::EmailLinkSignIn { url: url.into() }
            };
            let m = compose(
                &template,
                Some(lang),
                "Acme",
                "owner@example.com",
                Some(&IdentificationId::from_stored("idn_1")),
                Some(&UserId::from_stored("user_1")),
                1,
            );
            let slug = if up {
                "magic_link_sign_up"
            } else {
                "magic_link_sign_in"
            };
            assert_eq!(m.slug, slug);
            assert!(m.subject.contains("Acme"), "{}", m.subject);
            assert!(!m.subject.contains(url));
            assert!(m.body_plain.contains(url), "{}", m.body_plain);
            assert!(m.body_html.contains(&escape_html(url)));
            assert_eq!(m.data["magic_link"], url);
            assert_eq!(m.data["ttl_minutes"], 10);
            assert!(m.data.get("otp_code").is_none());
        }
    }

    #[test]
    fn a_sign_up_attempt_notice_in_every_language_carries_no_code() {
        let mut subjects = Vec::new();
        for lang in LANGUAGES {
            let m = compose(
                &MailTemplate::SignUpAttempt,
                Some(lang),
                "Acme",
                "owner@example.com",
                Some(&IdentificationId::from_stored("idn_1")),
                Some(&UserId::from_stored("user_1")),
                1,
            );
            assert_eq!(m.slug, "sign_up_attempt");
            assert!(m.subject.contains("Acme"), "{}", m.subject);
            assert!(m.body_plain.contains("Acme"));
            assert!(m.body_html.contains(&format!("lang=\"{lang}\"")));
            assert!(m.data["otp_code"].is_null());
            assert!(!m.body_plain.contains("{code}"));
            subjects.push(m.subject);
        }
        subjects.dedup();
        assert_eq!(
            subjects.len(),
            LANGUAGES.len(),
            "each language has its own text"
        );
    }

    #[test]
    fn a_password_reset_code_message_in_every_language() {
        for lang in LANGUAGES {
            let m = compose(
                &MailTemplate::ResetPasswordCode {
                    code: "987654".into(),
                },
                Some(lang),
                "Acme",
                "jane@example.com",
                None,
                None,
                7,
            );
            assert_eq!(m.slug, "reset_password_code");
            assert!(m.subject.starts_with("987654 "), "{lang}: {}", m.subject);
            assert!(m.body_plain.contains("987654"), "{lang}");
            assert!(m.body_plain.contains("Acme"), "{lang}");
            assert!(m.body_html.contains(&format!("lang=\"{lang}\"")));
            assert_eq!(m.email_address_id, None);
            assert_eq!(m.user_id, None);
        }
    }
}
