//! Uploaded images: served at `/v1/images/{image_id}` to anyone (an `<img>` on any page), and
//! set or removed by clerk-js: the signed-in user's profile image (`/v1/me/profile_image`) and
//! an organization's logo (`/v1/organizations/{id}/logo`, for a member who may manage it).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderName};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;
use usher_core::ids::ImageId;
use usher_core::images::Image;

use super::browser::Browser;
use super::organizations::respond_organization;
use super::respond::respond;
use super::signed_in::signed_in;
use crate::app::frontend::organizations as orgs;
use crate::app::images as app;
use crate::error::ApiResult;
use crate::extract::path::{ImagePath, OrganizationPath, Path};
use crate::extract::upload::ImageUpload;
use crate::state::AppState;
use crate::wire::frontend::organizations::deleted;

/// The image with the type its bytes were recognised as. An id never names other bytes, so it
/// is cached for a year; `nosniff` and a CSP that allows nothing keep a browser from treating it
/// as anything but an image, even opened on its own.
pub async fn serve(State(state): State<AppState>, Path(p): Path<ImagePath>) -> ApiResult {
    let image = app::get(&state, &p.image_id).await?;
    let headers = [
        (
            CONTENT_TYPE,
            HeaderValue::from_static(image.kind.content_type()),
        ),
        (
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ),
        (
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'"),
        ),
        (
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        // Apps show logos and avatars from their own origin.
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ),
    ];
    Ok((StatusCode::OK, headers, image.bytes).into_response())
}

/// Clerk's `Image` object, as `setProfileImage` reads it.
fn image_json(state: &AppState, image: &Image) -> serde_json::Value {
    json!({
        "object": "image",
        "id": image.id,
        "name": image.file_name(),
        "public_url": app::url(state, &image.id),
    })
}

/// `POST /v1/me/profile_image`.
pub async fn set_profile_image(
    State(state): State<AppState>,
    browser: Browser,
    mut body: ImageUpload,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let file = body.require_file()?;
    let (_, image) = app::set_profile_image(&state, &browser.ctx, &s.user_id, file).await?;
    respond(&state, &browser, image_json(&state, &image)).await
}

/// Clerk's deleted object for a removed image; without one (nothing was there) it has no id.
/// Removing nothing succeeds: Clerk's UI offers "Remove" beside any image it does not recognise
/// as its own default one, Usher's built-in avatar included.
fn removed_json(removed: Option<ImageId>) -> serde_json::Value {
    match removed {
        Some(id) => deleted("image", &id),
        None => json!({ "object": "image", "deleted": true }),
    }
}

/// `DELETE /v1/me/profile_image`.
pub async fn delete_profile_image(State(state): State<AppState>, browser: Browser) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let (_, removed) = app::delete_profile_image(&state, &browser.ctx, &s.user_id).await?;
    respond(&state, &browser, removed_json(removed)).await
}

/// `PUT /v1/organizations/{organization_id}/logo`.
pub async fn set_logo(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<OrganizationPath>,
    mut body: ImageUpload,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let file = body.require_file()?;
    let org = orgs::set_logo(&state, &browser.ctx, &s.user_id, &p.organization_id, file).await?;
    respond_organization(&state, &browser, org).await
}

/// `DELETE /v1/organizations/{organization_id}/logo`: the removed image as a deleted object, as
/// Clerk's spec has it.
pub async fn delete_logo(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<OrganizationPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let removed = orgs::delete_logo(&state, &browser.ctx, &s.user_id, &p.organization_id).await?;
    respond(&state, &browser, removed_json(removed)).await
}
