//! A sign-up's phone number verification (`phone_code`): counted against the SMS caps, then the
//! code texted with the sign-up's step. With enumeration protection a number that has an account
//! is texted nothing and answered as any other.

use usher_core::clients::Client;
use usher_core::sms::SmsMessage;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::{CoreError, CoreResult};

use super::ClientKey;
use super::prepare_steps;
use super::sign_ups::load_attempt;
use crate::app::context::RequestContext;
use crate::app::{identifiers, sms};
use crate::state::AppState;

/// `prepare_verification` with `phone_code`.
pub async fn prepare(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
) -> CoreResult<Client> {
    let number = load_attempt(state, key, id)
        .await?
        .1
        .phone_number
        .ok_or_else(|| CoreError::missing("phone_number"))?;
    // Who owns the number is read whether or not anyone does, so both cost the same.
    let owner = state
        .store
        .user_id_by_identifier(&state.instance.id, IdentifierKind::Phone, &number)
        .await?;
    let taken = owner.is_some() && state.settings().enumeration_protection;
    if !identifiers::is_test_number(state, &number) {
        sms::count_code(state, ctx, &number).await?;
    }
    prepare_steps::sign_up(state, ctx, key, id, |sign_up, _, change| {
        let code =
            sign_up.prepare_phone_verification(taken, state.instance.environment, state.now())?;
        if let Some(code) = code {
            let msg = SmsMessage::verification_code(
                &number,
                None,
                None,
                state.branding().application_name(),
                &code,
                state.now(),
            );
            sms::queue(change, msg);
        }
        Ok(())
    })
    .await
}
