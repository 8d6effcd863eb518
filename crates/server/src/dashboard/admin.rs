//! What every write on the instance's own configuration (webhook endpoints, keys, settings,
//! JWT templates) checks first: a valid CSRF token from this origin, then a role that may
//! configure (admin). Support operators see these pages but cannot change them. Other writes
//! (on users and sessions) check the same, with the action they need.

use axum::response::Response;
use usher_core::operators::Action;

use super::view::Nav;
use super::{Desk, forbidden, forged};
use crate::pages::PageForm;
use crate::state::AppState;

/// The chrome of the page answering the POST, or the refusal to send instead.
pub fn may_configure(desk: &Desk, state: &AppState, form: &PageForm) -> Result<Nav, Box<Response>> {
    may_act(desk, state, form, Action::Configure)
}

/// The same checks for any write of the dashboard: a valid CSRF token from this origin, then a
/// role that allows `action`.
pub fn may_act(
    desk: &Desk,
    state: &AppState,
    form: &PageForm,
    action: Action,
) -> Result<Nav, Box<Response>> {
    let nav = desk.nav(state);
    if !desk.csrf_ok(state, form) {
        return Err(Box::new(forged(Some(&nav))));
    }
    if !desk.may(action) {
        return Err(Box::new(forbidden(&nav)));
    }
    Ok(nav)
}

/// A submit button in a form of its own carrying `fields` as hidden inputs.
pub fn button_form(
    h: &mut super::view::Html,
    action: &str,
    csrf: &str,
    fields: &[(&'static str, &str)],
    label: &str,
    danger: bool,
) {
    super::view::form_open(h, action, csrf, Some(label));
    for (name, value) in fields {
        h.open(
            "input",
            &[
                ("type", Some("hidden")),
                ("name", Some(name)),
                ("value", Some(value)),
            ],
        );
    }
    h.el(
        "button",
        &[
            ("type", Some("submit")),
            ("class", danger.then_some("danger")),
        ],
        label,
    )
    .close("form");
}

/// A share as a whole percentage, or a dash when there is nothing to count.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".into()
    } else {
        format!("{}%", (part * 100) / whole)
    }
}
