//! Texted codes in a sign-in (`phone_code`): prepared as a first factor to the number the user
//! signs in with, or as a second factor to a number kept for one. Each send is counted against
//! the SMS caps before anything is written; the message is recorded and handed to the sender
//! with the sign-in's step, or (with enumeration protection) just after the answer, as emailed
//! codes are, so a real account and a decoy cost the same.

use usher_core::CoreResult;
use usher_core::clients::Client;
use usher_core::clients::phone_codes::SmsToSend;
use usher_core::ids::IdentificationId;
use usher_core::sms::SmsMessage;
use usher_core::users::User;

use super::ClientKey;
use super::prepare_steps;
use crate::app::context::RequestContext;
use crate::app::{Change, sms};
use crate::state::AppState;

/// Adds the text carrying `to.code` to the change.
pub fn send(state: &AppState, change: &mut Change<'_>, to: &SmsToSend, user: &User) {
    let msg = SmsMessage::verification_code(
        &to.phone_number,
        Some(IdentificationId::from_stored(to.phone_number_id.clone())),
        Some(user.id.clone()),
        state.branding().application_name(),
        &to.code,
        state.now(),
    );
    sms::queue(change, msg);
}

/// [`send`] in a write of its own, just after the answer has gone out.
fn send_later(state: &AppState, ctx: &RequestContext, to: SmsToSend, user: User, id: &str) {
    let (state, ctx, id) = (state.clone(), ctx.clone(), id.to_owned());
    tokio::spawn(async move {
        let jitter = rand::random_range(0..=super::SEND_LATER_JITTER_MS);
        tokio::time::sleep(super::SEND_LATER_DELAY + std::time::Duration::from_millis(jitter))
            .await;
        let mut change = Change::new(&state, &ctx);
        send(&state, &mut change, &to, &user);
        if let Err(e) = change.commit("sign_in.send_code", Some(&id)).await {
            tracing::warn!(error = %e, sign_in = %id, "the code text was not queued");
        }
    });
}

/// The number a first-factor code would go to, counted against the caps before the step (a
/// test number on a development instance costs nothing and is not counted).
pub async fn count_first_factor(
    state: &AppState,
    ctx: &RequestContext,
    user: &User,
    sign_in_identifier: Option<&str>,
    phone_number_id: Option<&str>,
) -> CoreResult<()> {
    let mut probe = usher_core::clients::sign_ins::SignIn::start(
        sign_in_identifier.map(str::to_owned),
        Some(user),
        state.now(),
    );
    probe.prepare_phone_code(
        user,
        phone_number_id,
        state.instance.environment,
        state.now(),
    )?;
    count_for(
        state,
        ctx,
        user,
        probe.first_factor.and_then(|v| v.phone_number_id),
    )
    .await
}

async fn count_for(
    state: &AppState,
    ctx: &RequestContext,
    user: &User,
    phone_number_id: Option<String>,
) -> CoreResult<()> {
    let Some(number) = user
        .phone_numbers
        .iter()
        .find(|p| Some(p.id.as_str()) == phone_number_id.as_deref())
    else {
        return Ok(());
    };
    if crate::app::identifiers::is_test_number(state, &number.phone_number) {
        return Ok(());
    }
    sms::count_code(state, ctx, &number.phone_number).await
}

/// `prepare_first_factor` with `phone_code` for a real account.
pub async fn prepare_first_factor(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    phone_number_id: Option<&str>,
) -> CoreResult<Client> {
    {
        let (_, sign_in, user) = super::sign_ins::load_attempt(state, key, id).await?;
        count_first_factor(
            state,
            ctx,
            &user,
            sign_in.identifier.as_deref(),
            phone_number_id,
        )
        .await?;
    }
    let (client, sent) = prepare_steps::first_factor(
        state,
        ctx,
        key,
        id,
        |sign_in, _, user| {
            sign_in.prepare_phone_code(
                user,
                phone_number_id,
                state.instance.environment,
                state.now(),
            )
        },
        |change, to, user| send(state, change, to, user),
    )
    .await?;
    if let Some((to, user)) = sent {
        send_later(state, ctx, to, user, id);
    }
    Ok(client)
}

/// `prepare_second_factor` with `phone_code`: a code to a number kept for a second factor.
pub async fn prepare_second_factor(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    phone_number_id: Option<&str>,
) -> CoreResult<Client> {
    {
        let (_, mut sign_in, user) = super::sign_ins::load_attempt(state, key, id).await?;
        sign_in.prepare_second_factor_phone_code(
            &user,
            phone_number_id,
            state.instance.environment,
            state.now(),
        )?;
        let to = sign_in.second_factor.and_then(|v| v.phone_number_id);
        count_for(state, ctx, &user, to).await?;
    }
    prepare_steps::second_factor(
        state,
        ctx,
        key,
        id,
        |sign_in, user| {
            sign_in.prepare_second_factor_phone_code(
                user,
                phone_number_id,
                state.instance.environment,
                state.now(),
            )
        },
        |change, to, user| send(state, change, to, user),
    )
    .await
}
