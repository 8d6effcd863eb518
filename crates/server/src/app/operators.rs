//! Dashboard operators: created, reset and removed by `usher operators` (each write with its audit
//! entry, in one transaction), and signed in to `/dashboard` with a password, then a TOTP code.
//!
//! The TOTP secret is sealed with the instance's API-key sealing key (AES-256-GCM) under the
//! associated data `operator-totp:<operator id>`, so it opens for that operator only and never
//! as an API key's secret. Failed steps are counted per email address (known or not) in the
//! shared counters; past [`MAX_FAILURES`] the address is locked out for the window. They are
//! counted per client address too: past [`MAX_ADDRESS_FAILURES`] every sign-in from it is
//! refused for the window, whichever email addresses it tries.

use usher_core::CoreResult;
use usher_core::ids::OperatorId;
use usher_core::mfa::totp;
use usher_core::operators::{
    ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, LOCKOUT_WINDOW_MS, MAX_ADDRESS_FAILURES, MAX_FAILURES,
    Operator, OperatorCredentials, OperatorSession, Role, check_password, generate_password,
    new_token, normalize_email, token_digest,
};
use usher_core::ratelimit::Counters as _;
use usher_core::store::Write;
use usher_core::users::model::PasswordDigest;

use crate::app::Change;
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const OPERATOR: &str = "operator";
/// How often a verified session's `last_seen` is written (well inside the idle timeout).
const TOUCH_EVERY_MS: i64 = 60_000;
const _: () = assert!(TOUCH_EVERY_MS < IDLE_TIMEOUT_MS);

/// What `usher operators add|reset` shows once: the password (when generated) and the TOTP
/// enrolment.
pub struct Enrolment {
    pub operator: Operator,
    /// Set when the password was generated (not given).
    pub generated_password: Option<String>,
    pub totp_secret: String,
    pub otpauth_uri: String,
}

fn seal_context(id: &OperatorId) -> String {
    format!("operator-totp:{id}")
}

async fn seal_totp(state: &AppState, id: &OperatorId, secret: &str) -> CoreResult<String> {
    Ok(state
        .api_key_keys()
        .await?
        .seal(&seal_context(id), secret)?
        .0)
}

async fn open_totp(state: &AppState, c: &OperatorCredentials) -> CoreResult<String> {
    let sealed = usher_core::api_keys::SealedSecret(c.totp_sealed.clone());
    state
        .api_key_keys()
        .await?
        .open(&seal_context(&c.operator.id), &sealed)
}

/// New credentials for `operator`: the password given (checked) or a generated one, and a new
/// TOTP secret.
async fn credentials(
    state: &AppState,
    operator: Operator,
    password: Option<String>,
) -> CoreResult<(OperatorCredentials, Enrolment)> {
    let (password, generated) = match password {
        Some(p) => {
            check_password(&p)?;
            (p, None)
        }
        None => {
            let p = generate_password();
            (p.clone(), Some(p))
        }
    };
    let digest = state.hasher.hash(password).await?;
    let secret = totp::generate_secret();
    let issuer = format!("{} dashboard", state.branding().application_name());
    let creds = OperatorCredentials {
        totp_sealed: seal_totp(state, &operator.id, &secret).await?,
        password_digest: digest,
        last_totp_step: None,
        operator: operator.clone(),
    };
    let enrolment = Enrolment {
        otpauth_uri: totp::otpauth_uri(&secret, &issuer, &operator.email),
        operator,
        generated_password: generated,
        totp_secret: secret,
    };
    Ok((creds, enrolment))
}

pub async fn add(
    state: &AppState,
    ctx: &RequestContext,
    email: &str,
    role: Role,
    password: Option<String>,
) -> CoreResult<Enrolment> {
    let operator = Operator {
        id: OperatorId::new(),
        email: normalize_email(email)?,
        role,
        disabled: false,
        created_at: state.now(),
    };
    let (creds, enrolment) = credentials(state, operator, password).await?;
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertOperator(creds));
    change
        .commit("operator.create", Some(&enrolment.operator.id))
        .await?;
    Ok(enrolment)
}

pub async fn list(state: &AppState) -> CoreResult<Vec<Operator>> {
    Ok(state.store.operators(&state.instance.id).await?)
}

async fn by_email(state: &AppState, email: &str) -> CoreResult<OperatorCredentials> {
    let email = normalize_email(email)?;
    found(
        state
            .store
            .operator_by_email(&state.instance.id, &email)
            .await?,
        OPERATOR,
    )
}

pub async fn remove(state: &AppState, ctx: &RequestContext, email: &str) -> CoreResult<Operator> {
    let c = by_email(state, email).await?;
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteOperator(c.operator.id.clone()));
    change
        .commit("operator.delete", Some(&c.operator.id))
        .await?;
    Ok(c.operator)
}

/// A new password and TOTP secret; every dashboard session of the operator ends.
pub async fn reset(
    state: &AppState,
    ctx: &RequestContext,
    email: &str,
    password: Option<String>,
) -> CoreResult<Enrolment> {
    let c = by_email(state, email).await?;
    let (creds, enrolment) = credentials(state, c.operator, password).await?;
    let mut change = Change::new(state, ctx);
    change.write(Write::ResetOperator(creds));
    change
        .commit("operator.reset", Some(&enrolment.operator.id))
        .await?;
    Ok(enrolment)
}

/// Why a sign-in step was refused. The page shows one message for every `Incorrect`, whether
/// the operator exists or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Incorrect,
    LockedOut,
}

fn failure_key(state: &AppState, email: &str) -> String {
    format!("dashboard-fail:{}:{email}", state.instance.id)
}

fn address_failure_key(state: &AppState, ip: &str) -> String {
    format!("dashboard-fail-ip:{}:{ip}", state.instance.id)
}

/// Past the failure limit for this email address, or for the client address the attempt comes
/// from (which stops one address spraying guesses over many email addresses).
async fn locked_out(state: &AppState, email: &str, ip: Option<&str>) -> bool {
    if matches!(state.counters.get(&failure_key(state, email)).await, Ok(n) if n >= MAX_FAILURES) {
        return true;
    }
    match ip {
        Some(ip) => matches!(
            state.counters.get(&address_failure_key(state, ip)).await,
            Ok(n) if n >= MAX_ADDRESS_FAILURES
        ),
        None => false,
    }
}

async fn record_failure(state: &AppState, email: &str, ip: Option<&str>) {
    let _ = state
        .counters
        .incr(&failure_key(state, email), LOCKOUT_WINDOW_MS)
        .await;
    if let Some(ip) = ip {
        let _ = state
            .counters
            .incr(&address_failure_key(state, ip), LOCKOUT_WINDOW_MS)
            .await;
    }
    state.metrics.sign_in_failures.inc();
}

/// A digest to check unknown operators' passwords against, so they take as long as known ones.
async fn decoy_digest(state: &AppState) -> CoreResult<PasswordDigest> {
    static DECOY: tokio::sync::OnceCell<PasswordDigest> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_try_init(|| state.hasher.hash(generate_password()))
        .await
        .cloned()
}

/// The first step: a correct password starts a session that waits for the TOTP code. Returns
/// the browser's token for it.
pub async fn sign_in(
    state: &AppState,
    ctx: &RequestContext,
    email: &str,
    password: &str,
) -> CoreResult<Result<String, Refusal>> {
    let Ok(email) = normalize_email(email) else {
        return Ok(Err(Refusal::Incorrect));
    };
    let ip = ctx.client_ip.as_deref();
    if locked_out(state, &email, ip).await {
        return Ok(Err(Refusal::LockedOut));
    }
    let found = state
        .store
        .operator_by_email(&state.instance.id, &email)
        .await?;
    let digest = match &found {
        Some(c) => c.password_digest.clone(),
        None => decoy_digest(state).await?,
    };
    let correct = state.hasher.verify(password.to_owned(), digest).await?;
    let Some(c) = found.filter(|c| correct && !c.operator.disabled) else {
        record_failure(state, &email, ip).await;
        return Ok(Err(Refusal::Incorrect));
    };
    let token = new_token();
    let session = OperatorSession::pending(
        c.operator.id,
        &token,
        state.now(),
        ctx.client_ip.clone(),
        ctx.user_agent.clone(),
    );
    state
        .store
        .insert_operator_session(&state.instance.id, &session)
        .await?;
    Ok(Ok(token))
}

/// The second step: the TOTP code of the pending session's operator. A correct code verifies
/// the session under a new token (returned), so a token seen before the code was entered is
/// worth nothing after.
pub async fn verify_code(
    state: &AppState,
    pending: &OperatorSession,
    code: &str,
) -> CoreResult<Result<String, Refusal>> {
    let Some(c) = state
        .store
        .operator_credentials(&state.instance.id, &pending.operator_id)
        .await?
    else {
        return Ok(Err(Refusal::Incorrect));
    };
    let email = c.operator.email.clone();
    let ip = pending.ip.as_deref();
    if locked_out(state, &email, ip).await {
        return Ok(Err(Refusal::LockedOut));
    }
    let secret = open_totp(state, &c).await?;
    let now = state.now();
    let step = totp::verify(&secret, code.trim(), now, c.last_totp_step);
    let accepted = match step {
        Some(step) => {
            state
                .store
                .use_operator_totp_step(&state.instance.id, &c.operator.id, step)
                .await?
        }
        None => false,
    };
    if !accepted {
        record_failure(state, &email, ip).await;
        return Ok(Err(Refusal::Incorrect));
    }
    let token = new_token();
    let mut session = pending.clone();
    session.token_digest = token_digest(&token);
    session.verified = true;
    session.last_seen = now;
    session.expires_at = now + ABSOLUTE_LIFETIME_MS;
    state
        .store
        .update_operator_session(&state.instance.id, &session)
        .await?;
    Ok(Ok(token))
}

/// The session a browser token names while it stands, with its operator; a session past its
/// idle timeout or lifetime is ended here. A verified session's `last_seen` moves forward (at
/// most once a minute, to spare the database).
pub async fn session(
    state: &AppState,
    token: &str,
) -> CoreResult<Option<(OperatorSession, Operator)>> {
    let ins = &state.instance.id;
    let Some(mut s) = state
        .store
        .operator_session_by_digest(ins, &token_digest(token))
        .await?
    else {
        return Ok(None);
    };
    let now = state.now();
    if !s.live(now) {
        state.store.delete_operator_session(ins, &s.id).await?;
        return Ok(None);
    }
    let Some(c) = state
        .store
        .operator_credentials(ins, &s.operator_id)
        .await?
        .filter(|c| !c.operator.disabled)
    else {
        return Ok(None);
    };
    if s.verified && now - s.last_seen >= TOUCH_EVERY_MS {
        s.last_seen = now;
        state.store.update_operator_session(ins, &s).await?;
    }
    Ok(Some((s, c.operator)))
}

pub async fn sign_out(state: &AppState, session: &OperatorSession) -> CoreResult<()> {
    Ok(state
        .store
        .delete_operator_session(&state.instance.id, &session.id)
        .await?)
}
