//! `/sign-in?__clerk_ticket=…`: an invitation's link for an address that has an account (the
//! sign-up page sends it here). The ticket was emailed to that address, so, as the Frontend
//! API's `strategy=ticket` sign-in, it is the first factor: one confirming POST signs the
//! account in (a second factor is still asked for when the user has one) and accepts the
//! invitation in the same transaction.

use axum::extract::State;
use axum::response::Response;
use usher_core::clients::Strategy;

use super::{start, status_of};
use crate::app::frontend::invitations;
use crate::app::frontend::sign_ins::CreateSignIn;
use crate::pages::html::{self, Html};
use crate::pages::sign_up::ticket_path;
use crate::pages::{Failure, Page, PageForm, general_alert, skip_if_signed_in};
use crate::state::AppState;

const NO_FIELDS: &[(&str, &str)] = &[];

fn render(
    state: &AppState,
    page: &mut Page,
    ticket: &str,
    email: &str,
    organization: &str,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let mut h = Html::new();
    general_alert(&mut h, failure);
    h.open("p", &[])
        .text("You were invited to join ")
        .el("strong", &[], organization)
        .text(" as ")
        .el("strong", &[], email)
        .text(", which already has an account.")
        .close("p");
    html::form_open(&mut h, &page.link("/sign-in/ticket"), &csrf, None);
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some("ticket")),
            ("value", Some(ticket)),
        ],
    );
    html::submit_and_close(&mut h, "Sign in and accept the invitation");
    html::link_para(&mut h, &page.link("/sign-in"), "Sign in without accepting");
    page.html(status_of(failure), "Sign in", false, h)
}

/// The ticket's form, or the plain sign-in form with the ticket's error when it cannot be
/// redeemed (used, revoked, expired, unknown).
async fn render_for(
    state: &AppState,
    page: &mut Page,
    ticket: &str,
    failure: Option<&Failure>,
) -> Response {
    let checked = match invitations::by_ticket(state, ticket).await {
        Ok(inv) => invitations::still_redeemable(state, inv.id.as_str()).await,
        Err(e) => Err(e),
    };
    match checked {
        Ok((inv, org)) => render(state, page, ticket, &inv.email_address, &org.name, failure),
        Err(e) => {
            let f = Failure::from_core(e, NO_FIELDS);
            super::render_sign_in(state, page, "", Some(&f))
        }
    }
}

/// `GET /sign-in?__clerk_ticket=…` (the caller has checked the browser is signed out). A ticket
/// for an address without an account goes to the sign-up page, which makes one.
pub async fn page_with_ticket(state: &AppState, page: &mut Page, ticket: &str) -> Response {
    if let Ok(inv) = invitations::by_ticket(state, ticket).await {
        match invitations::invitee_has_account(state, &inv).await {
            Ok(false) => {
                let to = page.link(&ticket_path("/sign-up", ticket));
                return page.redirect(&to);
            }
            Ok(true) => {}
            Err(e) => return page.failure_page(state, e),
        }
    }
    render_for(state, page, ticket, None).await
}

/// `POST /sign-in/ticket`.
pub async fn submit(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let ticket = form.trimmed("ticket").to_owned();
    if !page.csrf_ok(&state, &form) {
        return render_for(&state, &mut page, &ticket, Some(&Failure::forged())).await;
    }
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    let req = CreateSignIn {
        strategy: Some(Strategy::Ticket),
        ticket: Some(ticket.clone()),
        ..CreateSignIn::default()
    };
    let result = start(&state, &mut page, req).await;
    match result {
        Ok(r) => r,
        Err(e) => {
            let f = page.step_failure(&state, e, NO_FIELDS).await;
            render_for(&state, &mut page, &ticket, Some(&f)).await
        }
    }
}
