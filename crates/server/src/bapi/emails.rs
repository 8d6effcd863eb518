//! Emails: an Usher extension of the Backend API (Clerk has no endpoint to read them back).
//! Operators and tests read codes here when no SMTP server is configured. Lists answer
//! `{data, total_count}`, newest first.

use axum::Json;
use axum::response::IntoResponse;

use super::call::Call;
use crate::app::mail as app;
use crate::error::ApiResult;
use crate::extract::path::{EmailPath, Path};
use crate::extract::query::QueryParams;
use crate::wire::emails::EmailDetailJson;
use crate::wire::lists::paginated;

/// `GET /v1/emails?email_address=&limit=&offset=`
pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let (items, total) = app::list(&state, q.one("email_address"), &page).await?;
    Ok(paginated(
        items.iter().map(EmailDetailJson::from).collect::<Vec<_>>(),
        total,
    ))
}

/// `GET /v1/emails/{email_id}`
pub async fn get(Call { state, .. }: Call, Path(p): Path<EmailPath>) -> ApiResult {
    let m = app::get(&state, &p.email_id).await?;
    Ok(Json(EmailDetailJson::from(&m)).into_response())
}
