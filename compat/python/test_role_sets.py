"""Role sets through clerk-backend-api: every response must pass the SDK's strict pydantic models
(RoleSet, RoleSets, RoleSetItem, DeletedObject, Organization). No set here is `initial`, so the
organizations the other tests create are tied to none."""

import json

import pytest
from clerk_backend_api import models

from conftest import tag, unique_email


def error(exc: models.ClerkBaseError) -> tuple[int, str]:
    return exc.status_code, json.loads(exc.body)["errors"][0]["code"]


def key_of(prefix: str) -> str:
    return f"role_set:{prefix}_{tag('k').lower()}"


def test_role_set_lifecycle_and_its_rules(clerk):
    f = tag("r").lower()
    support = clerk.organization_roles.create(name="Support", key=f"org:{f}_support")
    billing = clerk.organization_roles.create(name="Billing", key=f"org:{f}_billing")
    key = key_of("teams")

    created = clerk.role_sets.create(
        name="Teams",
        key=key,
        description="for teams",
        default_role_key=support.key,
        creator_role_key="org:admin",
        roles=["org:admin", support.key],
    )
    assert created.object == "role_set" and created.key == key and created.type == "custom"
    assert [r.key for r in created.roles] == ["org:admin", support.key]
    assert created.roles[1].id == support.id and created.roles[1].object == "role_set_item"
    assert created.default_role.key == support.key and created.creator_role.key == "org:admin"

    assert clerk.role_sets.get(role_set_key_or_id=created.id).key == key
    listed = clerk.role_sets.list(query=key, order_by="-created_at")
    assert listed.total_count == 1 and listed.data[0].id == created.id

    updated = clerk.role_sets.update(role_set_key_or_id=key, name="Support teams")
    assert updated.name == "Support teams" and updated.description == "for teams"
    added = clerk.role_sets.add_roles(role_set_key_or_id=key, role_keys=[billing.key, "org:member"])
    assert [r.key for r in added.roles] == ["org:admin", support.key, billing.key, "org:member"]

    with pytest.raises(models.ClerkBaseError) as dup:
        clerk.role_sets.create(
            name="Again", key=key, default_role_key="org:admin", creator_role_key="org:admin", roles=["org:admin"]
        )
    assert error(dup.value) == (400, "duplicate_record")
    with pytest.raises(models.ClerkBaseError) as bad:
        clerk.role_sets.create(
            name="Bad", default_role_key="org:member", creator_role_key="org:member", roles=["org:member"]
        )
    assert error(bad.value) == (422, "form_param_value_invalid")
    with pytest.raises(models.ClerkBaseError) as missing:
        clerk.role_sets.get(role_set_key_or_id=key_of("missing"))
    assert error(missing.value) == (404, "resource_not_found")


def test_an_organizations_set_limits_its_roles_and_moves_with_replacements(clerk):
    f = tag("r").lower()
    support = clerk.organization_roles.create(name="Support", key=f"org:{f}_support")
    old_key, new_key = key_of("old"), key_of("new")
    clerk.role_sets.create(
        name="Old", key=old_key, default_role_key="org:member", creator_role_key="org:admin",
        roles=["org:admin", "org:member", support.key],
    )
    clerk.role_sets.create(
        name="New", key=new_key, default_role_key=support.key, creator_role_key="org:admin",
        roles=["org:admin", support.key],
    )
    org = clerk.organizations.create(request={"name": f"Sets {f}", "role_set_key": old_key})
    assert org.role_set_key == old_key
    user = clerk.users.create(email_address=[unique_email()], skip_password_requirement=True)

    with pytest.raises(models.ClerkBaseError) as outside:
        clerk.organization_memberships.create(organization_id=org.id, user_id=user.id, role=f"org:{f}_none")
    assert error(outside.value)[0] == 422
    member = clerk.organization_memberships.create(organization_id=org.id, user_id=user.id, role="org:member")
    assert member.role == "org:member"

    # org:member is not in the destination: the replacement must map it.
    with pytest.raises(models.ClerkBaseError) as unmapped:
        clerk.role_sets.replace(role_set_key_or_id=old_key, dest_role_set_key=new_key)
    assert error(unmapped.value) == (422, "form_param_value_invalid")
    gone = clerk.role_sets.replace(
        role_set_key_or_id=old_key, dest_role_set_key=new_key, reassignment_mappings={"org:member": support.key}
    )
    assert gone.object == "role_set" and gone.deleted is True
    assert clerk.organizations.get(organization_id=org.id).role_set_key == new_key
    roles = [m.role for m in clerk.organization_memberships.list(organization_id=org.id).data if m.public_user_data.user_id == user.id]
    assert roles == [support.key]

    clerk.role_sets.add_roles(role_set_key_or_id=new_key, role_keys=["org:member"])
    replaced = clerk.role_sets.replace_role(role_set_key_or_id=new_key, role_key=support.key, to_role_key="org:member")
    assert [r.key for r in replaced.roles] == ["org:admin", "org:member"]
    assert replaced.default_role.key == "org:member"
    roles = [m.role for m in clerk.organization_memberships.list(organization_id=org.id).data if m.public_user_data.user_id == user.id]
    assert roles == ["org:member"]
