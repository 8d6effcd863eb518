//! `/v1/organizations…` and `/v1/me/organization_*`: a signed-in user's organizations, in
//! `{response, client}` as every Frontend API answer.

use axum::extract::State;
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::organizations::Organization;
use usher_core::organizations::memberships::NewMembership;
use usher_core::organizations::query::MembershipQuery;

use super::browser::Browser;
use super::respond::respond;
use super::signed_in::{SignedIn, SignedInForm};
use crate::app::frontend::organizations as app;
use crate::error::ApiResult;
use crate::extract::path::{MembershipPath, OrganizationPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::frontend::organizations as wire;
use crate::wire::requests::frontend::{MemberForm, OrganizationForm};

/// An organization as clerk-js reads it, with its count of pending invitations.
pub(super) async fn respond_organization(
    state: &AppState,
    browser: &Browser,
    mut org: Organization,
) -> ApiResult {
    crate::app::organizations::count_invitations(state, [&mut org]).await?;
    respond(state, browser, wire::organization(&org)).await
}

pub async fn my_memberships(
    State(state): State<AppState>,
    me: SignedIn,
    q: QueryParams,
) -> ApiResult {
    let (list, total) = app::my_memberships(&state, &me.session.user_id, q.page()?).await?;
    respond(&state, &me.browser, wire::memberships(&list, total)).await
}

pub async fn leave(State(state): State<AppState>, me: SignedIn<OrganizationPath>) -> ApiResult {
    let (ctx, user) = (&me.browser.ctx, &me.session.user_id);
    let d = app::leave(&state, ctx, user, &me.path.organization_id).await?;
    let body = wire::deleted("organization_membership", &d.membership.id);
    respond(&state, &me.browser, body).await
}

/// What the create form starts with: the user's name, no advisory (Usher has no domains yet).
pub async fn creation_defaults(State(state): State<AppState>, me: SignedIn) -> ApiResult {
    let user = crate::app::frontend::get_user(&state, &me.session.user_id).await?;
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let slug = usher_core::organizations::rules::slugify(&name);
    let body = json!({
        "advisory": null,
        "form": { "name": name, "slug": slug, "logo": null, "blur_hash": null },
    });
    respond(&state, &me.browser, body).await
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedInForm<OrganizationForm>,
) -> ApiResult {
    let (ctx, user, f) = (&me.browser.ctx, &me.session.user_id, me.form);
    let org = app::create(&state, ctx, user, f.name, f.slug).await?;
    respond_organization(&state, &me.browser, org).await
}

pub async fn get(State(state): State<AppState>, me: SignedIn<OrganizationPath>) -> ApiResult {
    let org = app::get(&state, &me.session.user_id, &me.path.organization_id).await?;
    respond_organization(&state, &me.browser, org).await
}

pub async fn update(
    State(state): State<AppState>,
    me: SignedInForm<OrganizationForm, OrganizationPath>,
) -> ApiResult {
    let (ctx, user, f) = (&me.browser.ctx, &me.session.user_id, me.form);
    let org = app::update(&state, ctx, user, &me.path.organization_id, f.name, f.slug).await?;
    respond_organization(&state, &me.browser, org).await
}

pub async fn delete(State(state): State<AppState>, me: SignedIn<OrganizationPath>) -> ApiResult {
    let (ctx, user) = (&me.browser.ctx, &me.session.user_id);
    let org = app::delete(&state, ctx, user, &me.path.organization_id).await?;
    respond(&state, &me.browser, wire::deleted("organization", &org.id)).await
}

/// `role` may repeat (clerk-js splits comma lists into repeated keys); a `query` with a comma
/// arrives split the same way and is joined back.
pub async fn members(
    State(state): State<AppState>,
    me: SignedIn<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let query = q.all("query");
    let query = MembershipQuery {
        roles: q.all("role"),
        query: (!query.is_empty()).then(|| query.join(",")),
        page: q.page()?,
        ..Default::default()
    };
    let (list, total) =
        app::members(&state, &me.session.user_id, &me.path.organization_id, query).await?;
    respond(&state, &me.browser, wire::memberships(&list, total)).await
}

pub async fn add_member(
    State(state): State<AppState>,
    me: SignedInForm<MemberForm, OrganizationPath>,
) -> ApiResult {
    let (ctx, user, f) = (&me.browser.ctx, &me.session.user_id, me.form);
    let input = NewMembership {
        user_id: f.user_id,
        role: f.role,
        ..Default::default()
    };
    let d = app::add_member(&state, ctx, user, &me.path.organization_id, input).await?;
    respond(&state, &me.browser, wire::membership(&d)).await
}

pub async fn update_member(
    State(state): State<AppState>,
    me: SignedInForm<MemberForm, MembershipPath>,
) -> ApiResult {
    let (ctx, user, p) = (&me.browser.ctx, &me.session.user_id, &me.path);
    let role = me.form.role.ok_or_else(|| CoreError::missing("role"))?;
    let d = app::update_member(&state, ctx, user, &p.organization_id, &p.user_id, &role).await?;
    respond(&state, &me.browser, wire::membership(&d)).await
}

/// Answers the removed membership (clerk-js reads it as one, not as a deleted object).
pub async fn remove_member(
    State(state): State<AppState>,
    me: SignedIn<MembershipPath>,
) -> ApiResult {
    let (ctx, user, p) = (&me.browser.ctx, &me.session.user_id, &me.path);
    let d = app::remove_member(&state, ctx, user, &p.organization_id, &p.user_id).await?;
    respond(&state, &me.browser, wire::membership(&d)).await
}

pub async fn roles(
    State(state): State<AppState>,
    me: SignedIn<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let all = app::roles(&state, &me.session.user_id, &me.path.organization_id).await?;
    let pg = q.page()?;
    let total = all.len() as i64;
    let data: Vec<Value> = pg.of(&all).map(wire::role).collect();
    let body = json!({ "data": data, "total_count": total, "has_role_set_migration": false });
    respond(&state, &me.browser, body).await
}
