//! `/v1/me/email_addresses…` and `/v1/me/phone_numbers…`: what clerk-js's `<UserProfile/>`
//! calls to add, verify, change and remove the signed-in user's identifiers. Each answers
//! Clerk's `{response, client}` envelope.

use axum::extract::State;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use usher_core::ids::IdentificationId;
use usher_core::users::User;
use usher_core::users::contacts::{self, ContactKind};

use super::respond::respond;
use super::signed_in::{SignedIn, SignedInForm};
use crate::app::frontend::get_user;
use crate::app::identifiers as app;
use crate::error::ApiResult;
use crate::extract::path::{EmailAddressPath, PathStruct, PhoneNumberPath};
use crate::state::AppState;
use crate::wire::requests::frontend::CodeForm;
use crate::wire::requests::identifiers::{
    MyEmailAddressForm, MyPhoneNumberForm, MyPhoneNumberPatchForm, PrepareVerificationForm,
};
use crate::wire::users::{DeletedObjectJson, EmailAddressJson, PhoneNumberJson};

/// What the email address routes and the phone number routes differ by: the kind of identifier,
/// the path that names one, and the form that adds one. Every handler but `update_phone` serves
/// both, once for [`Email`] and once for [`Phone`].
pub trait Contact {
    const KIND: ContactKind;
    type Path: PathStruct + Send;
    type New: DeserializeOwned;
    fn id(path: &Self::Path) -> &IdentificationId;
    /// The address or number a form adds.
    fn value(form: Self::New) -> String;
}

/// `/v1/me/email_addresses…`
pub struct Email;

impl Contact for Email {
    const KIND: ContactKind = ContactKind::Email;
    type Path = EmailAddressPath;
    type New = MyEmailAddressForm;
    fn id(path: &EmailAddressPath) -> &IdentificationId {
        &path.email_address_id
    }
    fn value(form: MyEmailAddressForm) -> String {
        form.email_address
    }
}

/// `/v1/me/phone_numbers…`
pub struct Phone;

impl Contact for Phone {
    const KIND: ContactKind = ContactKind::Phone;
    type Path = PhoneNumberPath;
    type New = MyPhoneNumberForm;
    fn id(path: &PhoneNumberPath) -> &IdentificationId {
        &path.phone_number_id
    }
    fn value(form: MyPhoneNumberForm) -> String {
        form.phone_number
    }
}

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

pub async fn list<C: Contact>(State(state): State<AppState>, me: SignedIn) -> ApiResult {
    let user = get_user(&state, &me.session.user_id).await?;
    let items: Vec<Value> = match C::KIND {
        ContactKind::Email => user
            .email_addresses
            .iter()
            .map(|e| one(&user, C::KIND, &e.id))
            .collect(),
        ContactKind::Phone => user
            .phone_numbers
            .iter()
            .map(|p| one(&user, C::KIND, &p.id))
            .collect(),
    };
    respond(&state, &me.browser, Value::Array(items)).await
}

pub async fn create<C: Contact>(
    State(state): State<AppState>,
    me: SignedInForm<C::New>,
) -> ApiResult {
    let value = C::value(me.form);
    crate::app::identifier_lists::check(&state, &value).await?;
    let (ctx, user_id) = (&me.browser.ctx, &me.session.user_id);
    let (user, id) = app::create_mine(&state, ctx, user_id, C::KIND, &value).await?;
    respond(&state, &me.browser, one(&user, C::KIND, &id)).await
}

pub async fn get<C: Contact>(State(state): State<AppState>, me: SignedIn<C::Path>) -> ApiResult {
    let id = C::id(&me.path);
    let user = get_user(&state, &me.session.user_id).await?;
    if contacts::kind_of(&user, id) != Some(C::KIND) {
        return Err(C::KIND.not_found().into());
    }
    respond(&state, &me.browser, one(&user, C::KIND, id)).await
}

pub async fn delete<C: Contact>(State(state): State<AppState>, me: SignedIn<C::Path>) -> ApiResult {
    let (id, s) = (C::id(&me.path), &me.session);
    let others = app::other_sessions(&state, s).await?;
    app::delete(
        &state,
        &me.browser.ctx,
        C::KIND,
        id,
        Some(&s.user_id),
        &others,
    )
    .await?;
    let object = match C::KIND {
        ContactKind::Email => "email_address",
        ContactKind::Phone => "phone_number",
    };
    let body = json!(DeletedObjectJson {
        object,
        id: id.to_string(),
        deleted: true,
        external_id: None,
    });
    respond(&state, &me.browser, body).await
}

pub async fn prepare_verification<C: Contact>(
    State(state): State<AppState>,
    me: SignedInForm<PrepareVerificationForm, C::Path>,
) -> ApiResult {
    let (ctx, user_id, id) = (&me.browser.ctx, &me.session.user_id, C::id(&me.path));
    let strategy = me.form.strategy.as_str();
    let user = if C::KIND == ContactKind::Email && strategy == "email_link" {
        let redirect_url = me.form.redirect_url.as_deref();
        crate::app::frontend::email_links::prepare_profile(&state, ctx, user_id, id, redirect_url)
            .await?
    } else {
        app::prepare_mine(&state, ctx, user_id, C::KIND, id, strategy).await?
    };
    respond(&state, &me.browser, one(&user, C::KIND, id)).await
}

pub async fn attempt_verification<C: Contact>(
    State(state): State<AppState>,
    me: SignedInForm<CodeForm, C::Path>,
) -> ApiResult {
    let (ctx, user_id, id) = (&me.browser.ctx, &me.session.user_id, C::id(&me.path));
    let user = app::attempt_mine(&state, ctx, user_id, C::KIND, id, &me.form.code).await?;
    respond(&state, &me.browser, one(&user, C::KIND, id)).await
}

pub async fn update_phone(
    State(state): State<AppState>,
    me: SignedInForm<MyPhoneNumberPatchForm, PhoneNumberPath>,
) -> ApiResult {
    let patch = me.form.patch()?;
    let (ctx, user_id, id) = (
        &me.browser.ctx,
        &me.session.user_id,
        &me.path.phone_number_id,
    );
    let user = app::update_mine(&state, ctx, user_id, ContactKind::Phone, id, patch).await?;
    respond(&state, &me.browser, one(&user, ContactKind::Phone, id)).await
}
