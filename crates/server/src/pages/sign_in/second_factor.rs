//! The second step: an authenticator app, a backup code, or the emailed code that confirms a
//! new device.

use axum::extract::State;
use axum::response::Response;
use usher_core::clients::Strategy;
use usher_core::clients::sign_ins::{SignIn, SignInStatus};
use usher_core::ids::UserId;
use usher_core::users::User;

use super::codes::{CodePage, render_code};
use super::{Factor, email_of, open_sign_in, submit_code};
use crate::app::frontend::get_user;
use crate::app::frontend::sign_ins;
use crate::pages::{Failure, Page, PageForm, skip_if_signed_in};
use crate::state::AppState;

/// What the second step asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Second {
    Totp,
    BackupCode,
    /// Client Trust: the emailed code confirming a device new to the user.
    DeviceCode,
}

impl Second {
    fn strategy(self) -> Strategy {
        match self {
            Second::Totp => Strategy::Totp,
            Second::BackupCode => Strategy::BackupCode,
            Second::DeviceCode => Strategy::EmailCode,
        }
    }
}

/// The sign-in waiting for a second step, its user, and which step to show (`wanted`: the
/// strategy the browser asked for).
async fn second_attempt(
    state: &AppState,
    page: &Page,
    wanted: Option<&str>,
) -> Option<(SignIn, User, Second)> {
    let si = open_sign_in(state, page).filter(|s| {
        matches!(
            s.status,
            SignInStatus::NeedsSecondFactor | SignInStatus::NeedsClientTrust
        )
    })?;
    let user = get_user(state, &UserId::from_stored(si.user_id.clone()?))
        .await
        .ok()?;
    let second = if si.status == SignInStatus::NeedsClientTrust {
        Second::DeviceCode
    } else if wanted.is_some_and(|w| w.parse() == Ok(Strategy::BackupCode)) || !user.totp_enabled()
    {
        Second::BackupCode
    } else {
        Second::Totp
    };
    Some((si, user, second))
}

fn second_page(page: &Page, si: &SignIn, user: &User, second: Second) -> CodePage<'static> {
    let action = page.link("/sign-in/factor-two");
    match second {
        Second::Totp => CodePage {
            title: "Two-step verification",
            intro: "Enter the code from your authenticator app.".into(),
            action,
            resend: None,
            strategy: Some(Strategy::Totp),
            label: "Authentication code",
            hint: "Six digits, from your authenticator app.",
            numeric: true,
            links: {
                let mut l = Vec::new();
                if user.backup_code_enabled() {
                    l.push((
                        page.link("/sign-in/factor-two?method=backup_code"),
                        "Use a backup code instead",
                    ));
                }
                l.push((page.link("/sign-in"), "Start over"));
                l
            },
        },
        Second::BackupCode => CodePage {
            title: "Two-step verification",
            intro: "Enter one of your backup codes. Each code works once.".into(),
            action,
            resend: None,
            strategy: Some(Strategy::BackupCode),
            label: "Backup code",
            hint: "Eight letters and digits, as you saved them.",
            numeric: false,
            links: {
                let mut l = Vec::new();
                if user.totp_enabled() {
                    l.push((
                        page.link("/sign-in/factor-two"),
                        "Use your authenticator app instead",
                    ));
                }
                l.push((page.link("/sign-in"), "Start over"));
                l
            },
        },
        Second::DeviceCode => {
            let to = email_of(
                user,
                si.second_factor
                    .as_ref()
                    .and_then(|f| f.email_address_id.as_deref()),
            )
            .unwrap_or_else(|| "your email address".into());
            CodePage {
                title: "Confirm it's you",
                intro: format!(
                    "You are signing in on a new device. Enter the code we sent to {to} to confirm it."
                ),
                action,
                resend: Some(page.link("/sign-in/factor-two/resend")),
                strategy: Some(Strategy::EmailCode),
                label: "Code from the email",
                hint: "Six digits.",
                numeric: true,
                links: vec![(page.link("/sign-in"), "Start over")],
            }
        }
    }
}

pub async fn factor_two_page(State(state): State<AppState>, mut page: Page) -> Response {
    let wanted = page.query("method").map(str::to_owned);
    match second_attempt(&state, &page, wanted.as_deref()).await {
        Some((si, user, second)) => {
            let c = second_page(&page, &si, &user, second);
            render_code(&state, &mut page, c, None)
        }
        None => {
            if let Some(r) = skip_if_signed_in(&state, &mut page).await {
                return r;
            }
            let to = page.link("/sign-in");
            page.redirect(&to)
        }
    }
}

pub async fn factor_two_submit(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let Some((si, user, second)) = second_attempt(&state, &page, form.get("strategy")).await else {
        let to = page.link("/sign-in");
        return page.redirect(&to);
    };
    let failure = match submit_code(
        &state,
        &mut page,
        &form,
        Factor::Second,
        &si.id,
        &second.strategy(),
    )
    .await
    {
        Ok(r) => return r,
        Err(f) => f,
    };
    let c = second_page(&page, &si, &user, second);
    render_code(&state, &mut page, c, Some(&failure))
}

pub async fn factor_two_resend(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let Some((si, user, second)) = second_attempt(&state, &page, None).await else {
        let to = page.link("/sign-in");
        return page.redirect(&to);
    };
    let failure = if !page.csrf_ok(&state, &form) {
        Failure::forged()
    } else if second != Second::DeviceCode {
        let to = page.link("/sign-in/factor-two");
        return page.redirect(&to);
    } else {
        match sign_ins::prepare_second_factor(
            &state,
            &page.browser.ctx,
            &page.browser.key,
            &si.id,
            &Strategy::EmailCode,
            None,
        )
        .await
        {
            Ok(_) => {
                let to = page.link("/sign-in/factor-two?notice=code_sent");
                return page.redirect(&to);
            }
            Err(e) => Failure::from_core(e, &[]),
        }
    };
    let c = second_page(&page, &si, &user, second);
    render_code(&state, &mut page, c, Some(&failure))
}
