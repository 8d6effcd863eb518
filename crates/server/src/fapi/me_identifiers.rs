//! `/v1/me/email_addresses…` and `/v1/me/phone_numbers…`: what clerk-js's `<UserProfile/>`
//! calls to add, verify, change and remove the signed-in user's identifiers. Each answers
//! Clerk's `{response, client}` envelope.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::ids::IdentificationId;
use usher_core::users::User;
use usher_core::users::contacts::{self, ContactKind};

use super::browser::Browser;
use super::form::Form;
use super::me::signed_in;
use super::respond::with_client;
use crate::app::frontend::get_user;
use crate::app::identifiers as app;
use crate::error::ApiError;
use crate::extract::path::{EmailAddressPath, Path, PhoneNumberPath};
use crate::state::AppState;
use crate::wire::requests::frontend::CodeForm;
use crate::wire::requests::identifiers::{
    MyEmailAddressForm, MyPhoneNumberForm, MyPhoneNumberPatchForm, PrepareVerificationForm,
};
use crate::wire::users::{DeletedObjectJson, EmailAddressJson, PhoneNumberJson};

type ApiResult = Result<Response, ApiError>;

fn one(user: &User, kind: ContactKind, id: &str) -> Value {
    let json = match kind {
        ContactKind::Email => contacts::email(user, id)
            .ok()
            .map(|e| serde_json::to_value(EmailAddressJson::of_user(e, user))),
        ContactKind::Phone => contacts::phone(user, id)
            .ok()
            .map(|p| serde_json::to_value(PhoneNumberJson::from(p))),
    };
    json.and_then(Result::ok).unwrap_or(Value::Null)
}

async fn respond(state: &AppState, browser: &Browser, body: Value) -> ApiResult {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(state, browser, client, |_, _| body).await
}

async fn list(state: AppState, browser: Browser, kind: ContactKind) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let user = get_user(&state, &s.user_id).await?;
    let items: Vec<Value> = match kind {
        ContactKind::Email => user
            .email_addresses
            .iter()
            .map(|e| one(&user, kind, &e.id))
            .collect(),
        ContactKind::Phone => user
            .phone_numbers
            .iter()
            .map(|p| one(&user, kind, &p.id))
            .collect(),
    };
    respond(&state, &browser, Value::Array(items)).await
}

async fn create(state: AppState, browser: Browser, kind: ContactKind, value: String) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let (user, id) = app::create_mine(&state, &browser.ctx, &s.user_id, kind, &value).await?;
    respond(&state, &browser, one(&user, kind, &id)).await
}

async fn get(
    state: AppState,
    browser: Browser,
    kind: ContactKind,
    id: IdentificationId,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let user = get_user(&state, &s.user_id).await?;
    if contacts::kind_of(&user, &id) != Some(kind) {
        return Err(kind.not_found().into());
    }
    respond(&state, &browser, one(&user, kind, &id)).await
}

async fn delete(
    state: AppState,
    browser: Browser,
    kind: ContactKind,
    id: IdentificationId,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let others = app::other_sessions(&state, &s).await?;
    app::delete(&state, &browser.ctx, kind, &id, Some(&s.user_id), &others).await?;
    let object = match kind {
        ContactKind::Email => "email_address",
        ContactKind::Phone => "phone_number",
    };
    let body = json!(DeletedObjectJson {
        object,
        id: id.to_string(),
        deleted: true,
        external_id: None,
    });
    respond(&state, &browser, body).await
}

async fn prepare(
    state: AppState,
    browser: Browser,
    kind: ContactKind,
    id: IdentificationId,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let form = form.read::<PrepareVerificationForm>()?;
    let user = if kind == ContactKind::Email && form.strategy == "email_link" {
        let redirect_url = form.redirect_url.as_deref();
        let ctx = &browser.ctx;
        crate::app::frontend::email_links::prepare_profile(
            &state,
            ctx,
            &s.user_id,
            &id,
            redirect_url,
        )
        .await?
    } else {
        app::prepare_mine(&state, &browser.ctx, &s.user_id, kind, &id, &form.strategy).await?
    };
    respond(&state, &browser, one(&user, kind, &id)).await
}

async fn attempt(
    state: AppState,
    browser: Browser,
    kind: ContactKind,
    id: IdentificationId,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let code = form.read::<CodeForm>()?.code;
    let user = app::attempt_mine(&state, &browser.ctx, &s.user_id, kind, &id, &code).await?;
    respond(&state, &browser, one(&user, kind, &id)).await
}

pub async fn list_emails(State(state): State<AppState>, browser: Browser) -> ApiResult {
    list(state, browser, ContactKind::Email).await
}

pub async fn create_email(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> ApiResult {
    signed_in(&state, &browser).await?;
    let value = form.read::<MyEmailAddressForm>()?.email_address;
    crate::app::identifier_lists::check(&state, &value).await?;
    create(state, browser, ContactKind::Email, value).await
}

pub async fn get_email(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<EmailAddressPath>,
) -> ApiResult {
    get(state, browser, ContactKind::Email, p.email_address_id).await
}

pub async fn delete_email(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<EmailAddressPath>,
) -> ApiResult {
    delete(state, browser, ContactKind::Email, p.email_address_id).await
}

pub async fn prepare_email(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<EmailAddressPath>,
    form: Form,
) -> ApiResult {
    prepare(state, browser, ContactKind::Email, p.email_address_id, form).await
}

pub async fn attempt_email(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<EmailAddressPath>,
    form: Form,
) -> ApiResult {
    attempt(state, browser, ContactKind::Email, p.email_address_id, form).await
}

pub async fn list_phones(State(state): State<AppState>, browser: Browser) -> ApiResult {
    list(state, browser, ContactKind::Phone).await
}

pub async fn create_phone(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> ApiResult {
    signed_in(&state, &browser).await?;
    let value = form.read::<MyPhoneNumberForm>()?.phone_number;
    crate::app::identifier_lists::check(&state, &value).await?;
    create(state, browser, ContactKind::Phone, value).await
}

pub async fn get_phone(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PhoneNumberPath>,
) -> ApiResult {
    get(state, browser, ContactKind::Phone, p.phone_number_id).await
}

pub async fn update_phone(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PhoneNumberPath>,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let patch = form.read::<MyPhoneNumberPatchForm>()?.patch()?;
    let id = p.phone_number_id;
    let user = app::update_mine(
        &state,
        &browser.ctx,
        &s.user_id,
        ContactKind::Phone,
        &id,
        patch,
    )
    .await?;
    respond(&state, &browser, one(&user, ContactKind::Phone, &id)).await
}

pub async fn delete_phone(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PhoneNumberPath>,
) -> ApiResult {
    delete(state, browser, ContactKind::Phone, p.phone_number_id).await
}

pub async fn prepare_phone(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PhoneNumberPath>,
    form: Form,
) -> ApiResult {
    prepare(state, browser, ContactKind::Phone, p.phone_number_id, form).await
}

pub async fn attempt_phone(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PhoneNumberPath>,
    form: Form,
) -> ApiResult {
    attempt(state, browser, ContactKind::Phone, p.phone_number_id, form).await
}
