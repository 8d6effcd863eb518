//! Email Addresses and Phone Numbers: `/v1/email_addresses[/{id}]`, `/v1/phone_numbers[/{id}]`,
//! and the recorded text messages, `/v1/sms_messages` (an Usher extension, as `/v1/emails` is).

use axum::Json;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use usher_core::ids::IdentificationId;
use usher_core::users::User;
use usher_core::users::contacts::{self, ContactKind};

use super::call::Call;
use crate::app::identifiers::{self as app, IdentifierPatch, NewIdentifier};
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{EmailAddressPath, Path, PathStruct, PhoneNumberPath};
use crate::extract::query::QueryParams;
use crate::wire::lists::paginated;
use crate::wire::requests::identifiers::{
    CreateEmailAddressRequest, CreatePhoneNumberRequest, UpdateEmailAddressRequest,
    UpdatePhoneNumberRequest,
};
use crate::wire::sms::SmsJson;
use crate::wire::users::{DeletedObjectJson, EmailAddressJson, PhoneNumberJson};

fn render(user: &User, kind: ContactKind, id: &str) -> ApiResult {
    Ok(match kind {
        ContactKind::Email => {
            Json(EmailAddressJson::of_user(contacts::email(user, id)?, user)).into_response()
        }
        ContactKind::Phone => {
            Json(PhoneNumberJson::from(contacts::phone(user, id)?)).into_response()
        }
    })
}

fn deleted(kind: ContactKind, id: &IdentificationId) -> ApiResult {
    Ok(Json(DeletedObjectJson::new(
        match kind {
            ContactKind::Email => "email_address",
            ContactKind::Phone => "phone_number",
        },
        id.to_string(),
    ))
    .into_response())
}

/// What tells `/v1/email_addresses` from `/v1/phone_numbers`: the kind of contact, the path that
/// names one, and the request bodies. The four handlers below serve both, one instance each.
pub trait ContactRoute {
    const KIND: ContactKind;
    type Path: PathStruct + Send + 'static;
    type Create: DeserializeOwned + Into<NewIdentifier> + Send + 'static;
    type Update: DeserializeOwned + Into<IdentifierPatch> + Send + 'static;
    fn id(path: &Self::Path) -> &IdentificationId;
}

/// `/v1/email_addresses[/{email_address_id}]`.
pub struct Email;

impl ContactRoute for Email {
    const KIND: ContactKind = ContactKind::Email;
    type Path = EmailAddressPath;
    type Create = CreateEmailAddressRequest;
    type Update = UpdateEmailAddressRequest;
    fn id(path: &EmailAddressPath) -> &IdentificationId {
        &path.email_address_id
    }
}

/// `/v1/phone_numbers[/{phone_number_id}]`.
pub struct Phone;

impl ContactRoute for Phone {
    const KIND: ContactKind = ContactKind::Phone;
    type Path = PhoneNumberPath;
    type Create = CreatePhoneNumberRequest;
    type Update = UpdatePhoneNumberRequest;
    fn id(path: &PhoneNumberPath) -> &IdentificationId {
        &path.phone_number_id
    }
}

pub async fn create<C: ContactRoute>(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<C::Create>,
) -> ApiResult {
    let (user, id) = app::create(&state, &ctx, C::KIND, body.into()).await?;
    render(&user, C::KIND, &id)
}

pub async fn get<C: ContactRoute>(Call { state, .. }: Call, Path(p): Path<C::Path>) -> ApiResult {
    let id = C::id(&p);
    let user = app::owner(&state, C::KIND, id).await?;
    render(&user, C::KIND, id)
}

pub async fn update<C: ContactRoute>(
    Call { state, ctx }: Call,
    Path(p): Path<C::Path>,
    JsonBody(body): JsonBody<C::Update>,
) -> ApiResult {
    let id = C::id(&p);
    let user = app::update(&state, &ctx, C::KIND, id, body.into()).await?;
    render(&user, C::KIND, id)
}

pub async fn delete<C: ContactRoute>(
    Call { state, ctx }: Call,
    Path(p): Path<C::Path>,
) -> ApiResult {
    let id = C::id(&p);
    app::delete(&state, &ctx, C::KIND, id, None, &[]).await?;
    deleted(C::KIND, id)
}

/// `GET /v1/sms_messages?phone_number=&limit=&offset=`: newest first, `{data, total_count}`.
pub async fn list_sms(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let (items, total) = crate::app::sms::list(&state, q.one("phone_number"), &page).await?;
    Ok(paginated(
        items.iter().map(SmsJson::new).collect::<Vec<_>>(),
        total,
    ))
}
