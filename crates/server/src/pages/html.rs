//! A small HTML builder: tag and attribute names are static, every text and attribute value is
//! escaped, so nothing a user typed (or a query string carried) can become markup. On top of it,
//! the pieces every page uses: the document, forms with their CSRF field, labelled fields with
//! their error, alerts and notices.

use std::fmt::Write as _;

use usher_core::branding::{Branding, DEFAULT_PRIMARY_COLOR, validate_color};

/// The one stylesheet, embedded in every page (`style-src 'unsafe-inline'`; no external asset).
const CSS: &str = r#"
*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;line-height:1.5;color:#1a1a1a;background:#f4f4f5}
body{margin:0}
.skip{position:absolute;left:-10000px;top:auto}
.skip:focus{position:static;display:block;padding:.5rem 1rem;background:#fff}
header.site{background:#18181b;color:#fff;padding:.75rem 1rem}
header.site a{color:#fff}
main{max-width:40rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border:1px solid #d4d4d8;border-radius:8px}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.2rem;margin:2rem 0 .75rem;padding-top:1rem;border-top:1px solid #e4e4e7}
a{color:#1d4ed8}
a:hover{text-decoration-thickness:2px}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{margin:.1rem 0 .35rem;color:#52525b;font-size:.95rem}
input[type=text],input[type=email],input[type=password]{display:block;width:100%;padding:.55rem .6rem;font:inherit;border:2px solid #52525b;border-radius:4px;background:#fff;color:inherit}
input[aria-invalid=true]{border-color:#b91c1c;border-width:3px}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:0 0 1rem}
.check input{width:1.25rem;height:1.25rem;margin-top:.15rem}
.check label{font-weight:400;margin:0}
button{font:inherit;font-weight:600;padding:.55rem 1.1rem;border-radius:4px;border:2px solid var(--primary);background:var(--primary);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--primary)}
header.site img{height:2rem;width:auto;vertical-align:middle}
button.danger{background:#fff;color:#b91c1c;border-color:#b91c1c}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.error{color:#b91c1c;font-weight:600;margin:.35rem 0 0}
.alert{border:3px solid #b91c1c;border-left-width:8px;padding:.75rem 1rem;margin:0 0 1rem;background:#fef2f2}
.notice{border:2px solid #15803d;border-left-width:8px;padding:.75rem 1rem;margin:0 0 1rem;background:#f0fdf4}
.badge{display:inline-block;font-size:.8rem;font-weight:700;border:2px solid currentColor;border-radius:999px;padding:0 .5rem;margin-left:.5rem}
.secret{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;background:#f4f4f5;border:1px solid #d4d4d8;padding:.5rem;border-radius:4px}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain>li{border:1px solid #e4e4e7;border-radius:6px;padding:.75rem;margin:0 0 .75rem}
ol.codes{columns:2;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1.1rem}
.row{display:flex;gap:1rem;flex-wrap:wrap;align-items:center}
.meta{color:#52525b;font-size:.95rem;margin:.25rem 0}
ul.plain h3{font-size:1.05rem;margin:0 0 .25rem}
"#;

/// Escapes text for element content and quoted attribute values: the escaping the emails use.
pub use usher_core::mail::templates::escape_html as escape;

/// Markup under construction. Only `&'static str` is ever written unescaped.
#[derive(Default)]
pub struct Html(String);

impl Html {
    pub fn new() -> Self {
        Self::default()
    }

    /// `<tag a="v" …>`; an attribute whose value is `None` is left out, `Some("")` is written
    /// bare (`required`).
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, Option<&str>)]) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            match value {
                None => {}
                Some("") => {
                    self.0.push(' ');
                    self.0.push_str(name);
                }
                Some(v) => {
                    let _ = write!(self.0, " {name}=\"{}\"", escape(v));
                }
            }
        }
        self.0.push('>');
        self
    }

    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        let _ = write!(self.0, "</{tag}>");
        self
    }

    pub fn text(&mut self, s: &str) -> &mut Self {
        self.0.push_str(&escape(s));
        self
    }

    /// Trusted, constant markup.
    pub fn raw(&mut self, s: &'static str) -> &mut Self {
        self.0.push_str(s);
        self
    }

    /// `<tag …>text</tag>`.
    pub fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, Option<&str>)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    pub fn append(&mut self, other: Html) -> &mut Self {
        self.0.push_str(&other.0);
        self
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What every page shows around its content.
pub struct Chrome<'a> {
    pub branding: &'a Branding,
    /// The prefix the pages were reached under (`""` at the root).
    pub base: &'a str,
    pub signed_in: bool,
}

/// The whole document: language, title, the stylesheet, a skip link, the application's name
/// (and logo), one `<main>` whose `<h1>` is the page title.
pub fn document(title: &str, chrome: &Chrome<'_>, body: Html) -> String {
    let name = chrome.branding.application_name();
    // Checked as #rrggbb when set; checked again here because it lands inside <style>.
    let color = validate_color(chrome.branding.primary_color())
        .unwrap_or_else(|_| DEFAULT_PRIMARY_COLOR.to_owned());
    let mut h = Html::new();
    h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .raw("<meta name=\"referrer\" content=\"same-origin\">")
        .open("title", &[])
        .text(title)
        .text(" – ")
        .text(name)
        .close("title")
        .raw("<style>:root{--primary:")
        .text(&color)
        .raw("}")
        .raw(CSS)
        .raw("</style></head><body>")
        .raw("<a class=\"skip\" href=\"#main\">Skip to main content</a>")
        .raw("<header class=\"site\"><div class=\"row\">");
    if let Some(logo) = chrome.branding.logo_image_url() {
        // The name follows as text, so the logo itself needs no alternative text.
        h.open(
            "img",
            &[
                ("src", Some(logo)),
                ("alt", Some("")),
                ("height", Some("32")),
            ],
        );
    }
    h.el("strong", &[], name);
    if chrome.signed_in {
        let account = format!("{}/user", chrome.base);
        h.el("a", &[("href", Some(&account))], "Your account");
    }
    h.raw("</div></header><main id=\"main\" tabindex=\"-1\">")
        .el("h1", &[], title)
        .append(body)
        .raw("</main></body></html>");
    h.into_string()
}

/// A form-level error (not tied to one field), announced at once.
pub fn alert(h: &mut Html, message: &str) {
    h.open("div", &[("class", Some("alert")), ("role", Some("alert"))])
        .raw("<strong>Error:</strong> ")
        .text(message)
        .close("div");
}

/// A field's error, under the field that points at it by `id` (`aria-describedby`).
pub fn field_error(h: &mut Html, id: &str, message: &str) {
    h.open(
        "p",
        &[
            ("class", Some("error")),
            ("id", Some(id)),
            ("role", Some("alert")),
        ],
    )
    .raw("<strong>Error:</strong> ")
    .text(message)
    .close("p");
}

/// A confirmation after a change (polite, not interrupting).
pub fn notice(h: &mut Html, message: &str) {
    h.open(
        "div",
        &[("class", Some("notice")), ("role", Some("status"))],
    )
    .text(message)
    .close("div");
}

/// `<form method="post" action=…>` with the CSRF token; close it with `h.close("form")`.
pub fn form_open(h: &mut Html, action: &str, csrf: &str, label: Option<&str>) {
    h.open(
        "form",
        &[
            ("method", Some("post")),
            ("action", Some(action)),
            ("aria-label", label),
        ],
    );
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some(super::CSRF_FIELD)),
            ("value", Some(csrf)),
        ],
    );
}

/// One labelled input.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub autocomplete: Option<&'a str>,
    pub required: bool,
    pub hint: Option<&'a str>,
    /// The error shown under the field (and announced).
    pub error: Option<&'a str>,
    pub autofocus: bool,
    /// `numeric` for codes.
    pub inputmode: Option<&'a str>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, kind: &'a str) -> Self {
        Self {
            name,
            label,
            kind,
            value: "",
            autocomplete: None,
            required: true,
            hint: None,
            error: None,
            autofocus: false,
            inputmode: None,
        }
    }

    /// The focused `code` field of a page that asks for a six-digit code sent or shown elsewhere.
    pub fn six_digit_code(label: &'a str, error: Option<&'a str>) -> Self {
        Self::new("code", label, "text")
            .code()
            .hint("Six digits.")
            .error(error)
            .autofocus(true)
    }

    pub fn value(mut self, v: &'a str) -> Self {
        self.value = v;
        self
    }
    pub fn autocomplete(mut self, v: &'a str) -> Self {
        self.autocomplete = Some(v);
        self
    }
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }
    pub fn hint(mut self, v: &'a str) -> Self {
        self.hint = Some(v);
        self
    }
    pub fn error(mut self, e: Option<&'a str>) -> Self {
        self.error = e;
        self
    }
    pub fn autofocus(mut self, yes: bool) -> Self {
        self.autofocus = yes;
        self
    }
    pub fn code(mut self) -> Self {
        self.inputmode = Some("numeric");
        self.autocomplete = Some("one-time-code");
        self
    }

    pub fn render(&self, h: &mut Html) {
        let id = format!("f-{}", self.name);
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let mut described = Vec::new();
        if self.hint.is_some() {
            described.push(hint_id.as_str());
        }
        if self.error.is_some() {
            described.push(error_id.as_str());
        }
        let described = described.join(" ");
        h.open("div", &[("class", Some("field"))]);
        h.el("label", &[("for", Some(&id))], self.label);
        if let Some(hint) = self.hint {
            h.el(
                "p",
                &[("class", Some("hint")), ("id", Some(&hint_id))],
                hint,
            );
        }
        // Passwords are never echoed back.
        let value = (self.kind != "password" && !self.value.is_empty()).then_some(self.value);
        h.open(
            "input",
            &[
                ("id", Some(&id)),
                ("name", Some(self.name)),
                ("type", Some(self.kind)),
                ("value", value),
                ("autocomplete", self.autocomplete),
                ("inputmode", self.inputmode),
                ("required", self.required.then_some("")),
                ("aria-invalid", self.error.is_some().then_some("true")),
                (
                    "aria-describedby",
                    (!described.is_empty()).then_some(&described),
                ),
                ("autofocus", self.autofocus.then_some("")),
                ("spellcheck", (self.kind == "text").then_some("false")),
                (
                    "autocapitalize",
                    (self.kind != "password").then_some("none"),
                ),
            ],
        );
        if let Some(e) = self.error {
            field_error(h, &error_id, e);
        }
        h.close("div");
    }
}

pub fn checkbox(h: &mut Html, name: &str, label: &str, checked: bool) {
    let id = format!("f-{name}");
    h.open("div", &[("class", Some("check"))])
        .open(
            "input",
            &[
                ("type", Some("checkbox")),
                ("id", Some(&id)),
                ("name", Some(name)),
                ("value", Some("true")),
                ("checked", checked.then_some("")),
            ],
        )
        .el("label", &[("for", Some(&id))], label)
        .close("div");
}

pub fn button(h: &mut Html, label: &str, class: Option<&str>) {
    h.el(
        "button",
        &[("type", Some("submit")), ("class", class)],
        label,
    );
}

/// The form's (primary) submit button, and the end of the form.
pub fn submit_and_close(h: &mut Html, label: &str) {
    button(h, label, None);
    h.close("form");
}

/// `<p><a href=…>text</a></p>`.
pub fn link_para(h: &mut Html, href: &str, text: &str) {
    h.open("p", &[])
        .el("a", &[("href", Some(href))], text)
        .close("p");
}
