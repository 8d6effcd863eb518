//! The Organizations section of `/user`, when the instance has organizations: the user's
//! memberships and the pending invitations to the user's verified addresses, each with an
//! Accept form. Listing and accepting go through `app::frontend::{organizations, invitations}`,
//! as `/v1/me/organization_memberships` and `/v1/me/organization_invitations` do.

use axum::extract::State;
use axum::response::Response;
use usher_core::ids::{OrganizationInvitationId, UserId};
use usher_core::organizations::invitations::InvitationStatus;
use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::roles::RoleGrant;
use usher_core::users::User;
use usher_core::users::query::{MAX_LIMIT, Page as ListPage};
use usher_core::{CoreError, CoreResult};

use super::account::{Section, signed_in_form};
use super::html::{self, Html};
use super::{Failure, Page, PageForm, general_alert};
use crate::app::frontend::invitations::{self, WithOrganization};
use crate::app::frontend::organizations::my_memberships;
use crate::state::AppState;

/// A pending invitation as the section shows it: with its organization and its role's name.
pub struct Invitation {
    pub invitation: WithOrganization,
    pub role_name: String,
}

/// What the section lists, and how many there are in all (a user in more than a page of
/// organizations is told how many are not shown).
pub struct Organizations {
    pub memberships: Vec<MembershipDetails>,
    pub memberships_total: i64,
    pub invitations: Vec<Invitation>,
    pub invitations_total: i64,
}

/// The section's content, or `None` when the instance has no organizations.
pub async fn load(state: &AppState, user: &User) -> CoreResult<Option<Organizations>> {
    if !state.settings().organizations_enabled {
        return Ok(None);
    }
    let page = ListPage {
        limit: MAX_LIMIT,
        offset: 0,
    };
    let (memberships, memberships_total) = my_memberships(state, &user.id, page.clone()).await?;
    let (pending, invitations_total) =
        invitations::mine(state, &user.id, vec![InvitationStatus::Pending], page).await?;
    let roles =
        crate::app::roles::catalog_for(state, pending.iter().map(|(i, _)| i.role.as_str())).await?;
    let invitations = pending
        .into_iter()
        .map(|invitation| Invitation {
            role_name: RoleGrant::of(&roles, &invitation.0.role).name,
            invitation,
        })
        .collect();
    Ok(Some(Organizations {
        memberships,
        memberships_total,
        invitations,
        invitations_total,
    }))
}

fn more(h: &mut Html, shown: usize, total: i64) {
    let hidden = total - i64::try_from(shown).unwrap_or(i64::MAX);
    if hidden > 0 {
        h.el(
            "p",
            &[("class", Some("meta"))],
            &format!("And {hidden} more, not shown."),
        );
    }
}

pub fn render(
    h: &mut Html,
    page: &Page,
    csrf: &str,
    orgs: &Organizations,
    failure: Option<&Failure>,
) {
    h.open("section", &[("aria-labelledby", Some("organizations"))])
        .el("h2", &[("id", Some("organizations"))], "Organizations");
    general_alert(h, failure);
    h.open("ul", &[("class", Some("plain"))]);
    for m in &orgs.memberships {
        h.open("li", &[])
            .el("h3", &[], &m.organization.name)
            .el(
                "p",
                &[("class", Some("meta"))],
                &format!("Role: {}", m.role.name),
            )
            .el(
                "p",
                &[("class", Some("meta"))],
                &format!("Slug: {}", m.organization.slug),
            )
            .close("li");
    }
    if orgs.memberships.is_empty() {
        h.el("li", &[], "You are not a member of any organization.");
    }
    h.close("ul");
    more(h, orgs.memberships.len(), orgs.memberships_total);

    if !orgs.invitations.is_empty() {
        h.el("h3", &[], "Invitations");
        h.open("ul", &[("class", Some("plain"))]);
        for Invitation {
            invitation: (inv, org),
            role_name,
        } in &orgs.invitations
        {
            let heading_id = format!("invitation-{}", inv.id);
            h.open("li", &[])
                .el("h3", &[("id", Some(&heading_id))], &org.name)
                .el(
                    "p",
                    &[("class", Some("meta"))],
                    &format!("Invited to {} as {role_name}.", inv.email_address),
                );
            html::form_open(
                h,
                &page.path("/user/organization-invitations/accept"),
                csrf,
                None,
            );
            h.open(
                "input",
                &[
                    ("type", Some("hidden")),
                    ("name", Some("invitation_id")),
                    ("value", Some(inv.id.as_str())),
                ],
            );
            h.el(
                "button",
                &[
                    ("type", Some("submit")),
                    ("aria-describedby", Some(&heading_id)),
                ],
                "Accept",
            );
            h.close("form").close("li");
        }
        h.close("ul");
        more(h, orgs.invitations.len(), orgs.invitations_total);
    }
    h.close("section");
}

/// `POST /user/organization-invitations/accept`: the user joins the invitation's organization.
/// Someone else's invitation, or one that does not exist, is not found; one no longer pending is
/// refused as the Frontend API refuses it. Either way nothing is written.
pub async fn accept(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let posted = match signed_in_form(&state, &mut page, &form, Section::Organizations).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let result = accept_id(
        &state,
        &page,
        &posted.user.id,
        form.trimmed("invitation_id"),
    )
    .await;
    match result {
        Ok(_) => page.redirect_page("/user?notice=invitation_accepted#organizations"),
        Err(e) => {
            let failure = Failure::from_core(e, &[]);
            posted.fail(&state, &mut page, &failure).await
        }
    }
}

async fn accept_id(
    state: &AppState,
    page: &Page,
    user_id: &UserId,
    raw: &str,
) -> CoreResult<WithOrganization> {
    // A malformed id names none of the user's invitations.
    let id = OrganizationInvitationId::parse(raw).map_err(|_| CoreError::NotFound {
        resource: "organization invitation",
    })?;
    invitations::accept_mine(state, &page.browser.ctx, user_id, &id).await
}
