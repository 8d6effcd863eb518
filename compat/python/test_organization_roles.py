"""Organization roles and permissions through clerk-backend-api: every response must pass the
SDK's strict pydantic models (Role, Permission, Roles, Permissions, DeletedObject)."""

import json

import pytest
from clerk_backend_api import models

from conftest import tag


def feature() -> str:
    return tag("f").lower()


def error(exc: models.ClerkBaseError) -> tuple[int, str]:
    return exc.status_code, json.loads(exc.body)["errors"][0]["code"]


def test_permission_lifecycle(clerk):
    f = feature()
    p = clerk.organization_permissions.create(name="Read", key=f"org:{f}:read", description="d")
    assert p.object == "permission" and p.id.startswith("perm_") and p.type == "user"
    assert clerk.organization_permissions.get(permission_id=p.id).key == f"org:{f}:read"

    listed = clerk.organization_permissions.list(query=f, order_by="key")
    assert listed.total_count == 1 and listed.data[0].id == p.id

    updated = clerk.organization_permissions.update(permission_id=p.id, name="Read all")
    assert updated.name == "Read all" and updated.description == "d"

    with pytest.raises(models.ClerkBaseError) as dup:
        clerk.organization_permissions.create(name="Again", key=p.key)
    assert error(dup.value) == (400, "duplicate_record")

    deleted = clerk.organization_permissions.delete(permission_id=p.id)
    assert deleted.deleted is True and deleted.id == p.id


def test_role_lifecycle_and_system_roles(clerk):
    f = feature()
    read = clerk.organization_permissions.create(name="Read", key=f"org:{f}:read")
    write = clerk.organization_permissions.create(name="Write", key=f"org:{f}:write")

    role = clerk.organization_roles.create(
        name="Billing", key=f"org:{f}", permissions=[read.id], include_in_initial_role_set=True
    )
    assert role.object == "role" and role.description is None and not role.is_creator_eligible
    assert [p.key for p in role.permissions] == [read.key]

    role = clerk.organization_roles.assign_permission(organization_role_id=role.id, permission_id=write.id)
    assert sorted(p.key for p in role.permissions) == sorted([read.key, write.key])
    role = clerk.organization_roles.remove_permission(organization_role_id=role.id, permission_id=read.id)
    assert [p.key for p in role.permissions] == [write.key]

    role = clerk.organization_roles.update(organization_role_id=role.id, name="Billing team", description="Pays")
    assert role.name == "Billing team" and role.description == "Pays"
    assert clerk.organization_roles.get(organization_role_id=role.id).name == "Billing team"

    roles = clerk.organization_roles.list(limit=500)
    admin = next(r for r in roles.data if r.key == "org:admin")
    assert admin.is_creator_eligible and all(p.type == "system" for p in admin.permissions)
    with pytest.raises(models.ClerkBaseError) as refused:
        clerk.organization_roles.delete(organization_role_id=admin.id)
    assert error(refused.value)[0] == 403

    deleted = clerk.organization_roles.delete(organization_role_id=role.id)
    assert deleted.deleted is True and deleted.object == "role"
