"""Instance settings through clerk-backend-api's instance_settings: get, update (204),
update_restrictions and get/update_organization_settings. The suite shares one server, so
every change is put back before the test ends."""

import pytest
from clerk_backend_api import models


def test_get_instance(clerk):
    instance = clerk.instance_settings.get()
    assert isinstance(instance, models.Instance)
    assert instance.id.startswith("ins_")
    assert instance.environment_type == "development"


def test_update_instance_accepts_clerk_fields(clerk):
    try:
        assert clerk.instance_settings.update(request={"hibp": False, "test_mode": True}) is None
        with pytest.raises(models.ClerkErrors) as info:
            clerk.instance_settings.update(request={"allowed_origins": ["https://*.elsewhere.example.com"]})
        err = info.value.data.errors[0]
        assert err.code == "form_param_value_invalid"
        assert (err.meta or {}).get("param_name") == "allowed_origins"
    finally:
        clerk.instance_settings.update(request={"hibp": True})


def test_update_instance_stores_allowed_origins(clerk):
    try:
        assert clerk.instance_settings.update(request={"allowed_origins": ["https://App.Example.com/"]}) is None
        assert clerk.instance_settings.get().allowed_origins == ["https://app.example.com"]
    finally:
        clerk.instance_settings.update(request={"allowed_origins": []})
    assert clerk.instance_settings.get().allowed_origins == []


def test_restrictions(clerk):
    r = clerk.instance_settings.update_restrictions(request={"allowlist": False, "blocklist": False})
    assert isinstance(r, models.InstanceRestrictions)
    assert (r.allowlist, r.blocklist, r.block_email_subaddresses) == (False, False, False)
    try:
        on = clerk.instance_settings.update_restrictions(request={"block_email_subaddresses": True})
        assert on.block_email_subaddresses is True
    finally:
        off = clerk.instance_settings.update_restrictions(request={"block_email_subaddresses": False})
    assert off.block_email_subaddresses is False


def test_organization_settings(clerk):
    before = clerk.instance_settings.get_organization_settings()
    assert isinstance(before, models.OrganizationSettings)
    try:
        s = clerk.instance_settings.update_organization_settings(
            request={"max_allowed_memberships": before.max_allowed_memberships + 7, "admin_delete_enabled": False}
        )
        assert s.max_allowed_memberships == before.max_allowed_memberships + 7
        assert s.admin_delete_enabled is False
        assert s.creator_role == "org:admin"
        assert clerk.instance_settings.get_organization_settings().max_allowed_memberships == s.max_allowed_memberships
        with pytest.raises(models.ClerkErrors) as info:
            clerk.instance_settings.update_organization_settings(request={"slug_disabled": True})
        assert (info.value.data.errors[0].meta or {}).get("param_name") == "slug_disabled"
    finally:
        clerk.instance_settings.update_organization_settings(
            request={
                "max_allowed_memberships": before.max_allowed_memberships,
                "admin_delete_enabled": before.admin_delete_enabled,
            }
        )
