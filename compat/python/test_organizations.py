"""Organizations and memberships through clerk-backend-api: every response must pass
the SDK's strict pydantic models, and errors must be the SDK's error types with
Clerk's codes."""

import pytest
from clerk_backend_api import models

from conftest import tag
from test_users import error_code


@pytest.fixture
def owner(new_user):
    return new_user()


@pytest.fixture
def org(clerk, owner):
    created = clerk.organizations.create(
        request={"name": f"Acme {tag()}", "created_by": owner.id, "max_allowed_memberships": 5}
    )
    yield created
    try:
        clerk.organizations.delete(organization_id=created.id)
    except models.ClerkBaseError:
        pass


def test_organization_create_get_list_update_metadata_delete(clerk, owner):
    slug = tag("acme-")
    org = clerk.organizations.create(
        request={
            "name": "Acme Inc",
            "slug": slug,
            "created_by": owner.id,
            "public_metadata": {"plan": "pro", "limits": {"seats": 5}},
            "private_metadata": {"stripe": "cus_1"},
        }
    )
    assert isinstance(org, models.Organization)
    assert org.object == models.OrganizationObject.ORGANIZATION
    assert org.id.startswith("org_")
    assert org.slug == slug
    assert org.created_by == owner.id
    assert org.public_metadata == {"plan": "pro", "limits": {"seats": 5}}

    by_id = clerk.organizations.get(organization_id=org.id, include_members_count=True)
    by_slug = clerk.organizations.get(organization_id=slug)
    assert by_id.id == by_slug.id == org.id
    assert by_id.members_count == 1

    listed = clerk.organizations.list(query=slug, include_members_count=True)
    assert isinstance(listed, models.Organizations)
    assert listed.total_count == 1
    assert [o.id for o in listed.data] == [org.id]

    updated = clerk.organizations.update(
        organization_id=org.id, name="Acme Renamed", max_allowed_memberships=7
    )
    assert updated.name == "Acme Renamed"
    assert updated.max_allowed_memberships == 7

    merged = clerk.organizations.merge_metadata(
        organization_id=org.id,
        public_metadata={"limits": {"projects": 3}, "plan": None},
    )
    assert merged.public_metadata == {"limits": {"seats": 5, "projects": 3}}
    assert merged.private_metadata == {"stripe": "cus_1"}
    replaced = clerk.organizations.replace_metadata(
        organization_id=org.id, public_metadata={"only": True}
    )
    assert replaced.public_metadata == {"only": True}

    deleted = clerk.organizations.delete(organization_id=org.id)
    assert isinstance(deleted, models.DeletedObject)
    assert deleted.id == org.id
    assert deleted.deleted is True
    with pytest.raises(models.ClerkBaseError) as exc:
        clerk.organizations.get(organization_id=org.id)
    assert error_code(exc.value) == "resource_not_found"


def test_a_taken_slug_is_a_clerk_error(clerk, org):
    with pytest.raises(models.ClerkErrors) as exc:
        clerk.organizations.create(request={"name": "Other", "slug": org.slug})
    assert exc.value.data.errors[0].code == "form_identifier_exists"
    assert exc.value.raw_response.status_code == 422


def test_memberships_roles_metadata_and_the_last_admin(clerk, org, owner, new_user):
    member = new_user()
    m = clerk.organization_memberships.create(
        organization_id=org.id,
        user_id=member.id,
        role="org:member",
        public_metadata={"team": "red"},
    )
    assert isinstance(m, models.OrganizationMembership)
    assert m.id.startswith("orgmem_")
    assert m.role == "org:member"
    assert m.organization.id == org.id
    assert m.public_user_data.user_id == member.id
    assert m.public_metadata == {"team": "red"}

    listed = clerk.organization_memberships.list(organization_id=org.id)
    assert isinstance(listed, models.OrganizationMemberships)
    assert listed.total_count == 2
    assert {x.public_user_data.user_id for x in listed.data} == {owner.id, member.id}
    admins = clerk.organization_memberships.list(organization_id=org.id, role=["org:admin"])
    assert [x.public_user_data.user_id for x in admins.data] == [owner.id]

    promoted = clerk.organization_memberships.update(
        organization_id=org.id, user_id=member.id, role="org:admin"
    )
    assert promoted.role == "org:admin"
    assert "org:sys_memberships:manage" in promoted.permissions
    demoted = clerk.organization_memberships.update(
        organization_id=org.id, user_id=member.id, role="org:member"
    )
    assert demoted.role == "org:member"

    meta = clerk.organization_memberships.update_metadata(
        organization_id=org.id,
        user_id=member.id,
        public_metadata={"level": 2},
        private_metadata={"note": "x"},
    )
    assert meta.public_metadata == {"team": "red", "level": 2}
    assert meta.private_metadata == {"note": "x"}

    mine = clerk.users.get_organization_memberships(user_id=member.id)
    assert isinstance(mine, models.OrganizationMemberships)
    assert [x.organization.id for x in mine.data] == [org.id]

    with pytest.raises(models.ClerkErrors) as exc:
        clerk.organization_memberships.update(
            organization_id=org.id, user_id=member.id, role="org:owner"
        )
    assert exc.value.data.errors[0].code == "form_param_value_invalid"

    with pytest.raises(models.ClerkBaseError) as exc:
        clerk.organization_memberships.delete(organization_id=org.id, user_id=owner.id)
    assert exc.value.raw_response.status_code == 403
    assert error_code(exc.value) == "organization_minimum_permissions_needed"

    removed = clerk.organization_memberships.delete(organization_id=org.id, user_id=member.id)
    assert isinstance(removed, models.OrganizationMembership)
    assert removed.public_user_data.user_id == member.id
    after = clerk.organization_memberships.list(organization_id=org.id)
    assert after.total_count == 1


def test_domains_create_list_update_verify_ownership_delete(clerk, org):
    name = f"{tag('acme-')}.com"
    domain = clerk.organization_domains.create(
        organization_id=org.id, name=name, enrollment_mode="manual_invitation", verified=False
    )
    assert isinstance(domain, models.OrganizationDomain)
    assert domain.name == name
    assert domain.ownership_verification is None

    listed = clerk.organization_domains.list(organization_id=org.id)
    assert [d.id for d in listed.data] == [domain.id]
    assert listed.total_count == 1

    updated = clerk.organization_domains.update(
        organization_id=org.id, domain_id=domain.id, enrollment_mode="automatic_suggestion"
    )
    assert updated.enrollment_mode == "automatic_suggestion"

    owned = clerk.organization_domains.verify_ownership(organization_id=org.id, domain_id=domain.id)
    assert owned.ownership_verification.status == "verified"
    assert owned.ownership_verification.strategy == "manual_override"
    again = clerk.organization_domains.verify_ownership(organization_id=org.id, domain_id=domain.id)
    assert again.ownership_verification.verified_at == owned.ownership_verification.verified_at

    everywhere = clerk.organization_domains.list_all(organization_id=org.id, domains=[name])
    assert [d.id for d in everywhere.data] == [domain.id]

    with pytest.raises(models.ClerkErrors) as e:
        clerk.organization_domains.create(
            organization_id=org.id, name="gmail.com", enrollment_mode="manual_invitation"
        )
    assert error_code(e.value) == "organization_domain_common"

    deleted = clerk.organization_domains.delete(organization_id=org.id, domain_id=domain.id)
    assert deleted.deleted is True
    with pytest.raises(models.ClerkErrors) as e:
        clerk.organization_domains.verify_ownership(organization_id=org.id, domain_id=domain.id)
    assert error_code(e.value) == "resource_not_found"


def test_invitations_single_bulk_lists_and_revoke(clerk, org, owner, new_user):
    invitee = new_user()
    address = invitee.email_addresses[0].email_address
    one = clerk.organization_invitations.create(
        organization_id=org.id,
        email_address=address,
        role="org:member",
        inviter_user_id=owner.id,
        public_metadata={"team": "red"},
        redirect_url="https://app.example.com/welcome",
    )
    assert isinstance(one, models.OrganizationInvitation)
    assert one.status == "pending"
    assert one.role == "org:member"
    assert one.public_metadata == {"team": "red"}

    bulk = clerk.organization_invitations.bulk_create(
        organization_id=org.id,
        request_body=[
            {"email_address": f"{tag('a')}@example.com", "role": "org:member"},
            {"email_address": f"{tag('b')}@example.com", "role": "org:admin"},
        ],
    )
    assert [i.role for i in bulk.data] == ["org:member", "org:admin"]

    listed = clerk.organization_invitations.list(organization_id=org.id, status="pending")
    assert listed.total_count == 3
    pending = clerk.organization_invitations.list_pending(organization_id=org.id)
    assert {i.id for i in pending.data} == {i.id for i in listed.data}
    fetched = clerk.organization_invitations.get(organization_id=org.id, invitation_id=one.id)
    assert fetched.email_address == address

    everywhere = clerk.organization_invitations.get_all(status="pending", query=address)
    assert [i.id for i in everywhere.data] == [one.id]
    assert everywhere.data[0].public_organization_data.id == org.id
    mine = clerk.users.get_organization_invitations(user_id=invitee.id, status="pending")
    assert [i.id for i in mine.data] == [one.id]

    # Already invited: Clerk's duplicate code, nothing written.
    with pytest.raises(models.ClerkErrors) as e:
        clerk.organization_invitations.create(
            organization_id=org.id, email_address=address, role="org:member"
        )
    assert error_code(e.value) == "duplicate_record"
    with pytest.raises(models.ClerkErrors) as e:
        clerk.organization_invitations.create(
            organization_id=org.id, email_address=f"{tag()}@example.com", role="org:nobody"
        )
    assert error_code(e.value) == "form_param_value_invalid"

    revoked = clerk.organization_invitations.revoke(
        organization_id=org.id, invitation_id=one.id, requesting_user_id=owner.id
    )
    assert revoked.status == "revoked"
    still = clerk.organization_invitations.list(organization_id=org.id, status="pending")
    assert still.total_count == 2
    assert clerk.users.get_organization_invitations(user_id=invitee.id, status="pending").data == []
