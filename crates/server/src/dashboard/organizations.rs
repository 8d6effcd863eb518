//! Organizations, read only: the list (searched by name, slug or id; paged) and an
//! organization's page with its members (role, when they joined; paged), its invitations (paged)
//! and the roles and permissions of the instance.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::organizations::invitations::InvitationQuery;
use usher_core::organizations::query::{MembershipQuery, OrganizationQuery};
use usher_core::users::query::Page;

use super::users::display_name;
use super::view::{self, Html, PAGE_SIZE};
use super::{Desk, failure};
use crate::app::{organization_invitations, organizations as app, roles};
use crate::state::AppState;

fn page_at(offset: i64) -> Page {
    Page {
        limit: PAGE_SIZE,
        offset,
    }
}

pub async fn list(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let text = params.get("query").map(|s| s.trim()).unwrap_or("");
    let offset = view::offset(params.get("offset").map(String::as_str));
    let query = OrganizationQuery {
        query: (!text.is_empty()).then(|| text.to_owned()),
        page: page_at(offset),
        ..OrganizationQuery::default()
    };
    let (orgs, total) = match app::list(&state, &query).await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    view::search_form(&mut h, "/dashboard/organizations");
    view::Field::new("query", "Search", "search")
        .value(text)
        .optional()
        .hint("Name, slug or id.")
        .render(&mut h);
    h.el("button", &[("type", Some("submit"))], "Search")
        .close("form");
    view::table_start(
        &mut h,
        Some("Organizations"),
        &["Name", "Slug", "Members", "Created"],
    );
    for o in &orgs {
        let href = format!("/dashboard/organizations/{}", o.id);
        h.open("tr", &[])
            .open("th", &[("scope", Some("row"))])
            .el("a", &[("href", Some(&href))], &o.name)
            .close("th")
            .el("td", &[], &o.slug)
            .el("td", &[], &o.members_count.to_string())
            .open("td", &[]);
        view::time(&mut h, Some(o.created_at));
        h.close("td").close("tr");
    }
    view::table_end(&mut h);
    if orgs.is_empty() {
        h.el("p", &[], "No organizations match.");
    }
    view::pager(&mut h, offset, orgs.len(), total, |o| {
        let o = o.to_string();
        format!(
            "/dashboard/organizations?{}",
            view::query(&[("query", text), ("offset", &o)])
        )
    });
    view::page(StatusCode::OK, "Organizations", Some(&nav), h)
}

pub async fn show(
    State(state): State<AppState>,
    desk: Desk,
    Path(organization_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let members_at = view::offset(params.get("members").map(String::as_str));
    let invitations_at = view::offset(params.get("invitations").map(String::as_str));
    let found = async {
        let org = app::find(&state, &organization_id)
            .await?
            .ok_or(CoreError::NotFound {
                resource: "organization",
            })?;
        let members = app::list_memberships(
            &state,
            &org.id,
            MembershipQuery {
                page: page_at(members_at),
                ..MembershipQuery::default()
            },
        )
        .await?;
        let invitations = organization_invitations::list(
            &state,
            &InvitationQuery {
                organization_id: Some(org.id.clone()),
                email_address: None,
                any_email_address: None,
                statuses: Vec::new(),
                query: None,
                now: state.now(),
                page: page_at(invitations_at),
            },
        )
        .await?;
        let inventory = roles::inventory(&state).await?;
        Ok::<_, CoreError>((org, members, invitations, inventory))
    };
    let (org, (members, members_total), (invitations, invitations_total), inventory) =
        match found.await {
            Ok(r) => r,
            Err(e) => return failure(Some(&nav), e),
        };
    let base = format!("/dashboard/organizations/{}", org.id);
    let link = |members: i64, invitations: i64| {
        let (m, i) = (members.to_string(), invitations.to_string());
        format!(
            "{base}?{}",
            view::query(&[("members", &m), ("invitations", &i)])
        )
    };
    let mut h = Html::new();
    h.open("dl", &[])
        .el("dt", &[], "Organization id")
        .el("dd", &[], org.id.as_str())
        .el("dt", &[], "Slug")
        .el("dd", &[], &org.slug)
        .el("dt", &[], "Members")
        .el("dd", &[], &org.members_count.to_string())
        .el("dt", &[], "Created")
        .open("dd", &[]);
    view::time(&mut h, Some(org.created_at));
    h.close("dd").close("dl");

    h.el("h2", &[], "Members");
    view::table_start(&mut h, Some("Members"), &["User", "Role", "Joined"]);
    for m in &members {
        h.open("tr", &[]).open("th", &[("scope", Some("row"))]);
        match &m.user {
            Some(u) => {
                let href = format!("/dashboard/users/{}", u.id);
                h.el("a", &[("href", Some(&href))], &display_name(u));
            }
            None => {
                h.text(m.membership.user_id.as_str());
            }
        }
        h.close("th")
            .open("td", &[])
            .text(&m.role.name)
            .text(" (")
            .el("code", &[], &m.membership.role)
            .text(")")
            .close("td")
            .open("td", &[]);
        view::time(&mut h, Some(m.membership.created_at));
        h.close("td").close("tr");
    }
    view::table_end(&mut h);
    if members.is_empty() {
        h.el("p", &[], "No members.");
    }
    view::pager(&mut h, members_at, members.len(), members_total, |o| {
        link(o, invitations_at)
    });

    h.el("h2", &[], "Invitations");
    view::table_start(
        &mut h,
        Some("Invitations"),
        &["Email address", "Role", "Status", "Sent", "Expires"],
    );
    let now = state.now();
    for i in &invitations {
        h.open("tr", &[])
            .el("td", &[], &i.email_address)
            .el("td", &[], &i.role)
            .el("td", &[], i.status_at(now).as_str())
            .open("td", &[]);
        view::time(&mut h, Some(i.created_at));
        h.close("td").open("td", &[]);
        view::time(&mut h, Some(i.expires_at));
        h.close("td").close("tr");
    }
    view::table_end(&mut h);
    if invitations.is_empty() {
        h.el("p", &[], "No invitations.");
    }
    view::pager(
        &mut h,
        invitations_at,
        invitations.len(),
        invitations_total,
        |o| link(members_at, o),
    );

    h.el("h2", &[], "Roles of this instance");
    view::table_start(&mut h, Some("Roles"), &["Role", "Key", "Permissions"]);
    for r in inventory.catalog.roles() {
        let keys: Vec<&str> = r.permissions.iter().map(|p| p.key.as_str()).collect();
        h.open("tr", &[])
            .el("th", &[("scope", Some("row"))], &r.name)
            .el("td", &[], &r.key)
            .el("td", &[], &keys.join(", "))
            .close("tr");
    }
    view::table_end(&mut h);
    h.el("h2", &[], "Permissions of this instance");
    view::table_start(
        &mut h,
        Some("Permissions"),
        &["Permission", "Key", "Description"],
    );
    for p in &inventory.permissions {
        h.open("tr", &[])
            .el("th", &[("scope", Some("row"))], &p.name)
            .el("td", &[], &p.key)
            .el("td", &[], &p.description)
            .close("tr");
    }
    view::table_end(&mut h);
    view::page(StatusCode::OK, &org.name, Some(&nav), h)
}
