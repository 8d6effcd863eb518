//! `/`: what someone who opens the Frontend API's address in a browser finds — the instance's
//! name and the way to its hosted pages. Nothing about keys or configuration is shown.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::Page;
use super::html::Html;
use crate::state::AppState;

pub async fn page(State(state): State<AppState>, mut page: Page) -> Response {
    let signed_in = match page.session(&state).await {
        Ok(s) => s.is_some(),
        Err(e) => return page.failure_page(&state, e),
    };
    let name = page.branding().application_name().to_owned();
    let mut h = Html::new();
    h.el("p", &[], &format!("This is the sign-in service of {name}."));
    h.open("ul", &[]);
    let links: &[(&str, &str)] = if signed_in {
        &[("/user", "Your account")]
    } else {
        &[("/sign-in", "Sign in"), ("/sign-up", "Create an account")]
    };
    for (path, text) in links {
        h.open("li", &[])
            .el("a", &[("href", Some(&page.path(path)))], text)
            .close("li");
    }
    h.close("ul");
    page.html(StatusCode::OK, &format!("Welcome to {name}"), signed_in, h)
}
