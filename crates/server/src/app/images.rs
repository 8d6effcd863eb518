//! Organization logos and user profile images: the image stored with the change that shows it,
//! the one it replaces deleted in the same transaction, and the `*.updated` event with them.

use usher_core::CoreResult;
use usher_core::ids::{ImageId, OrganizationId, UserId};
use usher_core::images::Image;
use usher_core::organizations::Organization;
use usher_core::store::Write;
use usher_core::users::User;

use super::context::RequestContext;
use super::{Change, organizations, users, with_retry};
use crate::app::found;
use crate::state::AppState;

/// Where an image is served: the Frontend API's `/v1/images/{id}`, an absolute URL as Clerk's
/// image URLs are. It is written into the record with the image, as Clerk's CDN URLs are.
pub fn url(state: &AppState, id: &ImageId) -> String {
    format!("{}/v1/images/{id}", state.frontend_api_url)
}

/// An image to serve; another instance's is unknown.
pub async fn get(state: &AppState, id: &ImageId) -> CoreResult<Image> {
    found(
        state.store.get_image(&state.instance.id, id).await?,
        "image",
    )
}

/// Sets or replaces an organization's logo. `uploader` (the Backend API's `uploader_user_id`)
/// must be a user of the instance.
pub async fn set_logo(
    state: &AppState,
    ctx: &RequestContext,
    id: &OrganizationId,
    file: Vec<u8>,
    uploader: Option<&UserId>,
) -> CoreResult<Organization> {
    let image = Image::accept(file, state.now())?;
    if let Some(uploader) = uploader {
        users::get(state, uploader).await?;
    }
    let logo = (image.id.clone(), url(state, &image.id));
    change_logo(state, ctx, id, Some((image, logo))).await
}

/// Removes an organization's logo; one without a logo is answered as it is. The organization
/// and the id of the image removed, if there was one.
pub async fn delete_logo(
    state: &AppState,
    ctx: &RequestContext,
    id: &OrganizationId,
) -> CoreResult<(Organization, Option<ImageId>)> {
    let before = organizations::get_by_id(state, id).await?.image_id;
    let org = change_logo(state, ctx, id, None).await?;
    Ok((org, before))
}

/// The image writes of a swap: the new image stored, the one it replaces removed.
fn swap_images(change: &mut Change, new: Option<Image>, replaced: Option<ImageId>) {
    if let Some(image) = new {
        change.write(Write::InsertImage(image));
    }
    if let Some(id) = replaced {
        change.write(Write::DeleteImage { id });
    }
}

async fn change_logo(
    state: &AppState,
    ctx: &RequestContext,
    id: &OrganizationId,
    new: Option<(Image, (ImageId, String))>,
) -> CoreResult<Organization> {
    with_retry(|| async {
        let mut org = organizations::get_by_id(state, id).await?;
        if new.is_none() && org.image_id.is_none() {
            return Ok(());
        }
        let (image, logo) = new.clone().unzip();
        let replaced = org.replace_logo(logo, state.now());
        let mut change = Change::new(state, ctx);
        swap_images(&mut change, image, replaced);
        organizations::commit_update(change, org, "organization.logo.update").await
    })
    .await?;
    organizations::get_by_id(state, id).await
}

/// Sets or replaces a user's profile image; the user and the stored image.
pub async fn set_profile_image(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    file: Vec<u8>,
) -> CoreResult<(User, Image)> {
    let image = Image::accept(file, state.now())?;
    let shown = (image.id.clone(), url(state, &image.id));
    let user = change_profile_image(state, ctx, id, Some((image.clone(), shown))).await?;
    Ok((user, image))
}

/// Removes a user's profile image; the user and the id of the image removed, if there was one.
pub async fn delete_profile_image(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
) -> CoreResult<(User, Option<ImageId>)> {
    let before = users::get(state, id).await?.image_id;
    let user = change_profile_image(state, ctx, id, None).await?;
    Ok((user, before))
}

async fn change_profile_image(
    state: &AppState,
    ctx: &RequestContext,
    id: &UserId,
    new: Option<(Image, (ImageId, String))>,
) -> CoreResult<User> {
    with_retry(|| async {
        let mut user = users::get(state, id).await?;
        if new.is_none() && user.image_id.is_none() {
            return Ok(());
        }
        let (image, shown) = new.clone().unzip();
        let replaced = user.replace_image(shown, state.now());
        let mut change = Change::new(state, ctx);
        swap_images(&mut change, image, replaced);
        users::write_updated(&mut change, user);
        change.commit("user.profile_image.update", Some(id)).await
    })
    .await?;
    users::get(state, id).await
}
