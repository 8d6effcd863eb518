//! Email Addresses and Phone Numbers: `/v1/email_addresses[/{id}]`, `/v1/phone_numbers[/{id}]`,
//! and the recorded text messages, `/v1/sms_messages` (an Usher extension, as `/v1/emails` is).

use axum::Json;
use axum::response::IntoResponse;
use usher_core::ids::IdentificationId;
use usher_core::users::User;
use usher_core::users::contacts::{self, ContactKind};

use super::call::Call;
use crate::app::identifiers as app;
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{EmailAddressPath, Path, PhoneNumberPath};
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

pub async fn create_email(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateEmailAddressRequest>,
) -> ApiResult {
    let (user, id) = app::create(&state, &ctx, ContactKind::Email, body.into()).await?;
    render(&user, ContactKind::Email, &id)
}

pub async fn get_email(Call { state, .. }: Call, Path(p): Path<EmailAddressPath>) -> ApiResult {
    let user = app::owner(&state, ContactKind::Email, &p.email_address_id).await?;
    render(&user, ContactKind::Email, &p.email_address_id)
}

pub async fn update_email(
    Call { state, ctx }: Call,
    Path(p): Path<EmailAddressPath>,
    JsonBody(body): JsonBody<UpdateEmailAddressRequest>,
) -> ApiResult {
    let id = &p.email_address_id;
    let user = app::update(&state, &ctx, ContactKind::Email, id, body.into()).await?;
    render(&user, ContactKind::Email, id)
}

pub async fn delete_email(Call { state, ctx }: Call, Path(p): Path<EmailAddressPath>) -> ApiResult {
    let id = &p.email_address_id;
    app::delete(&state, &ctx, ContactKind::Email, id, None, &[]).await?;
    deleted(ContactKind::Email, id)
}

pub async fn create_phone(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreatePhoneNumberRequest>,
) -> ApiResult {
    let (user, id) = app::create(&state, &ctx, ContactKind::Phone, body.into()).await?;
    render(&user, ContactKind::Phone, &id)
}

pub async fn get_phone(Call { state, .. }: Call, Path(p): Path<PhoneNumberPath>) -> ApiResult {
    let user = app::owner(&state, ContactKind::Phone, &p.phone_number_id).await?;
    render(&user, ContactKind::Phone, &p.phone_number_id)
}

pub async fn update_phone(
    Call { state, ctx }: Call,
    Path(p): Path<PhoneNumberPath>,
    JsonBody(body): JsonBody<UpdatePhoneNumberRequest>,
) -> ApiResult {
    let id = &p.phone_number_id;
    let user = app::update(&state, &ctx, ContactKind::Phone, id, body.into()).await?;
    render(&user, ContactKind::Phone, id)
}

pub async fn delete_phone(Call { state, ctx }: Call, Path(p): Path<PhoneNumberPath>) -> ApiResult {
    let id = &p.phone_number_id;
    app::delete(&state, &ctx, ContactKind::Phone, id, None, &[]).await?;
    deleted(ContactKind::Phone, id)
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
