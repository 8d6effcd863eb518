"""Users through clerk-backend-api: every response must pass the SDK's strict
pydantic models, and errors must be ClerkErrors with Clerk's codes."""

import datetime as dt
import json
import secrets

import pytest
from clerk_backend_api import models

from conftest import PASSWORD, UNKNOWN_USER, tag, unique_email


def now_ms() -> int:
    return int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)


def first_error(exc: models.ClerkErrors):
    assert exc.data.errors, f"no errors[] in the body: {exc.body}"
    return exc.data.errors[0]


def error_code(exc: models.ClerkBaseError) -> str:
    """The first error code of any SDK error (ClerkErrors or SDKError)."""
    body = json.loads(exc.body)
    return body["errors"][0]["code"]


def test_create_returns_a_complete_user(clerk):
    email = unique_email("create")
    username = tag("u_")
    external_id = tag("ext-")
    user = clerk.users.create(
        email_address=[email],
        password=PASSWORD,
        username=username,
        first_name="Ada",
        last_name="Lovelace",
        external_id=external_id,
        public_metadata={"role": "admin", "someKey": {"nestedCamel": 1}},
        private_metadata={"stripeCustomerId": "cus_123"},
        unsafe_metadata={"theme": "dark"},
    )
    assert isinstance(user, models.User)
    assert user.id.startswith("user_")
    assert user.object == models.UserObject.USER
    assert user.username == username
    assert user.first_name == "Ada"
    assert user.last_name == "Lovelace"
    assert user.external_id == external_id
    assert user.password_enabled is True
    assert user.banned is False
    assert user.locked is False
    assert user.lockout_expires_in_seconds is None
    assert abs(user.created_at - now_ms()) < 600_000, "created_at is milliseconds"
    assert user.updated_at >= user.created_at
    assert user.public_metadata == {"role": "admin", "someKey": {"nestedCamel": 1}}
    assert user.private_metadata == {"stripeCustomerId": "cus_123"}
    assert user.unsafe_metadata == {"theme": "dark"}

    assert len(user.email_addresses) == 1
    address = user.email_addresses[0]
    assert address.email_address == email
    assert address.id == user.primary_email_address_id
    assert address.linked_to == []
    assert address.verification is not None
    assert address.verification.status == "verified"
    assert user.phone_numbers == [] and user.web3_wallets == [] and user.passkeys == []

    fetched = clerk.users.get(user_id=user.id)
    assert isinstance(fetched, models.User)
    assert fetched.id == user.id
    assert fetched.private_metadata == {"stripeCustomerId": "cus_123"}
    assert fetched.email_addresses[0].email_address == email


def test_create_with_created_at(new_user):
    user = new_user(created_at="2021-03-04T05:06:07Z")
    assert user.created_at == 1614834367000


def test_create_without_password_needs_skip_password_requirement(clerk):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.users.create(email_address=[unique_email("nopw")])
    assert info.value.status_code == 422
    err = first_error(info.value)
    assert err.code == "form_param_missing"
    assert err.meta is not None and err.meta.get("param_name") == "password"

    user = clerk.users.create(email_address=[unique_email("nopw")], skip_password_requirement=True)
    assert user.password_enabled is False


def test_create_rejects_a_short_password_unless_checks_are_skipped(clerk):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.users.create(email_address=[unique_email("short")], password="short")
    assert info.value.status_code == 422
    assert (first_error(info.value).meta or {}).get("param_name") == "password"
    user = clerk.users.create(email_address=[unique_email("short")], password="short", skip_password_checks=True)
    assert user.password_enabled is True


def test_duplicate_email_is_form_identifier_exists(new_user):
    email = unique_email("dup")
    new_user(email_address=[email])
    with pytest.raises(models.ClerkErrors) as info:
        new_user(email_address=[email])
    assert info.value.status_code == 422
    err = first_error(info.value)
    assert err.code == "form_identifier_exists"
    assert (err.meta or {}).get("param_name") == "email_address"
    assert err.message and err.long_message


def test_bcrypt_digest_import_and_verify_password(clerk):
    user = clerk.users.create(
        email_address=[unique_email("bcrypt")],
        password_digest="$2b$04$abcdefghijklmnopqrstuuDrSx8q46NQlocgVrMyZx8k6yoIkEcZ6",
        password_hasher="bcrypt",
    )
    result = clerk.users.verify_password(user_id=user.id, password=PASSWORD)
    assert result.verified is True
    # The spec lists 422 for a wrong password without an error schema: SDKError.
    with pytest.raises(models.SDKError) as info:
        clerk.users.verify_password(user_id=user.id, password="not-the-password")
    assert info.value.status_code == 422


def test_phone_numbers_and_several_emails(clerk, new_user):
    phone = f"+1415555{secrets.randbelow(10_000):04d}"
    emails = [unique_email("first"), unique_email("second")]
    user = new_user(email_address=emails, phone_number=[phone])
    assert [e.email_address for e in user.email_addresses] == emails
    assert user.primary_email_address_id == user.email_addresses[0].id
    assert len(user.phone_numbers) == 1
    number = user.phone_numbers[0]
    assert number.phone_number == phone
    assert number.linked_to == []
    assert user.primary_phone_number_id == number.id
    listed = clerk.users.list(request={"phone_number": [phone]})
    assert [u.id for u in listed] == [user.id]
    listed = clerk.users.list(request={"email_address": [emails[1]]})
    assert [u.id for u in listed] == [user.id]


def test_get_unknown_user_is_404(clerk):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.users.get(user_id=UNKNOWN_USER)
    assert info.value.status_code == 404
    assert first_error(info.value).code == "resource_not_found"


def test_list_filters_order_and_paging(clerk, new_user):
    marker = tag("pylist")
    emails = [f"{marker}-{c}@example.com" for c in ("c", "a", "b")]
    users = [
        new_user(email_address=[e], created_at=f"2022-01-0{i + 1}T00:00:00Z", first_name=n)
        for i, (e, n) in enumerate(zip(emails, ("Carol", "Alice", "Bob")))
    ]
    ids = [u.id for u in users]

    listed = clerk.users.list(request={"email_address": [emails[0], emails[2]]})
    assert isinstance(listed, list), "GET /v1/users is a bare array"
    assert all(isinstance(u, models.User) for u in listed)
    assert {u.id for u in listed} == {ids[0], ids[2]}

    default_order = clerk.users.list(request={"query": marker})
    assert [u.id for u in default_order] == ids[::-1], "default order is -created_at"

    asc = clerk.users.list(request={"query": marker, "order_by": "+created_at"})
    assert [u.id for u in asc] == ids

    by_email = clerk.users.list(request={"query": marker, "order_by": "+email_address"})
    assert [u.id for u in by_email] == [ids[1], ids[2], ids[0]]

    page = clerk.users.list(request={"query": marker, "order_by": "+created_at", "limit": 2, "offset": 1})
    assert [u.id for u in page] == ids[1:3]

    # The Python SDK sends banned=false explicitly.
    not_banned = clerk.users.list(request={"query": marker, "banned": False})
    assert {u.id for u in not_banned} == set(ids)

    count = clerk.users.count(request={"query": marker})
    assert isinstance(count, models.TotalCount)
    assert count.object == models.TotalCountObject.TOTAL_COUNT
    assert count.total_count == 3
    assert clerk.users.count(request={"email_address": [emails[1]]}).total_count == 1


@pytest.mark.parametrize("limit", [0, 501])
def test_list_limit_out_of_range_is_400(clerk, limit):
    # The JS SDK drops limit=0 (falsy); the Python SDK sends it.
    with pytest.raises(models.ClerkErrors) as info:
        clerk.users.list(request={"limit": limit})
    assert info.value.status_code == 400
    assert info.value.data.errors[0].code


def test_update(clerk, new_user):
    user = new_user(first_name="Old")
    username = tag("pyupd_")
    updated = clerk.users.update(user_id=user.id, first_name="New", last_name=None, username=username)
    assert isinstance(updated, models.User)
    assert updated.first_name == "New"
    assert updated.last_name is None
    assert updated.username == username
    assert clerk.users.get(user_id=user.id).username == username


def test_update_unknown_user_is_404(clerk):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.users.update(user_id=UNKNOWN_USER, first_name="x")
    assert info.value.status_code == 404
    assert first_error(info.value).code == "resource_not_found"


def test_update_metadata_deep_merges_and_null_deletes(clerk, new_user):
    user = new_user(
        public_metadata={"plan": "pro", "keep": 1, "someKey": {"nestedCamel": 1, "gone": True}},
        private_metadata={"deep": {"a": 1, "b": 2}},
    )
    updated = clerk.users.update_metadata(
        user_id=user.id,
        public_metadata={"plan": None, "someKey": {"gone": None, "addedKey": "v"}},
        private_metadata={"deep": {"b": None, "c": 3}},
    )
    assert isinstance(updated, models.User)
    assert updated.public_metadata == {"keep": 1, "someKey": {"nestedCamel": 1, "addedKey": "v"}}
    assert updated.private_metadata == {"deep": {"a": 1, "c": 3}}
    fetched = clerk.users.get(user_id=user.id)
    assert fetched.public_metadata == updated.public_metadata
    assert fetched.private_metadata == updated.private_metadata


def test_replace_metadata(clerk, new_user):
    user = new_user(public_metadata={"a": {"b": 1}}, private_metadata={"keep": True})
    replaced = clerk.users.replace_metadata(user_id=user.id, public_metadata={"only": 1})
    assert replaced.public_metadata == {"only": 1}
    assert replaced.private_metadata == {"keep": True}


def test_ban_unban_lock_unlock(clerk, new_user):
    user = new_user()
    banned = clerk.users.ban(user_id=user.id)
    assert isinstance(banned, models.User) and banned.banned is True
    assert clerk.users.unban(user_id=user.id).banned is False

    locked = clerk.users.lock(user_id=user.id)
    assert locked.locked is True
    assert locked.lockout_expires_in_seconds is None or locked.lockout_expires_in_seconds > 0
    unlocked = clerk.users.unlock(user_id=user.id)
    assert unlocked.locked is False
    assert unlocked.lockout_expires_in_seconds is None


def test_ban_unknown_user_is_404(clerk):
    # ban lists only 402 with an error schema, so a 404 surfaces as SDKError.
    with pytest.raises(models.ClerkBaseError) as info:
        clerk.users.ban(user_id=UNKNOWN_USER)
    assert info.value.status_code == 404
    assert error_code(info.value) == "resource_not_found"


def test_delete(clerk, new_user):
    email = unique_email("pydel")
    user = new_user(email_address=[email])
    deleted = clerk.users.delete(user_id=user.id)
    assert isinstance(deleted, models.DeletedObject)
    assert deleted.object == "user"
    assert deleted.id == user.id
    assert deleted.deleted is True
    with pytest.raises(models.ClerkErrors) as info:
        clerk.users.get(user_id=user.id)
    assert info.value.status_code == 404
    assert clerk.users.list(request={"email_address": [email]}) == []
