"""Email addresses and phone numbers through clerk-backend-api: email_addresses.* and
phone_numbers.* (create, get, update, delete), Clerk's errors for a taken identifier and the
user's last identification, the user read back through the SDK."""

import random

import pytest
from clerk_backend_api import models

from conftest import unique_email


def _number() -> str:
    return f"+1415{random.randrange(10_000_000):07d}"


def test_email_address_lifecycle(clerk, new_user):
    user = new_user()
    address = unique_email("second")
    created = clerk.email_addresses.create(request={"user_id": user.id, "email_address": address})
    assert created.id.startswith("idn_")
    assert created.email_address == address
    assert created.verification is None

    assert clerk.email_addresses.get(email_address_id=created.id).id == created.id

    updated = clerk.email_addresses.update(email_address_id=created.id, verified=True, primary=True)
    assert updated.verification.status == "verified"
    assert clerk.users.get(user_id=user.id).primary_email_address_id == created.id

    deleted = clerk.email_addresses.delete(email_address_id=created.id)
    assert deleted.deleted is True
    after = clerk.users.get(user_id=user.id)
    assert len(after.email_addresses) == 1
    assert after.primary_email_address_id == after.email_addresses[0].id

    with pytest.raises(models.ClerkErrors) as err:
        clerk.email_addresses.get(email_address_id=created.id)
    assert err.value.data.errors[0].code == "resource_not_found"


def test_taken_address_and_last_identification(clerk, new_user):
    owner = new_user()
    other = new_user()
    with pytest.raises(models.ClerkErrors) as err:
        clerk.email_addresses.create(
            request={"user_id": other.id, "email_address": owner.email_addresses[0].email_address}
        )
    assert err.value.data.errors[0].code == "form_identifier_exists"
    with pytest.raises(models.ClerkErrors) as err:
        clerk.email_addresses.delete(email_address_id=owner.email_addresses[0].id)
    assert err.value.data.errors[0].code == "identification_deletion_failed"


def test_phone_number_lifecycle(clerk, new_user):
    user = new_user()
    number = _number()
    created = clerk.phone_numbers.create(
        request={"user_id": user.id, "phone_number": number, "verified": True}
    )
    assert created.id.startswith("idn_")
    assert created.phone_number == number
    assert created.verification.status == "verified"
    assert clerk.users.get(user_id=user.id).primary_phone_number_id == created.id

    updated = clerk.phone_numbers.update(
        phone_number_id=created.id, reserved_for_second_factor=True
    )
    assert updated.reserved_for_second_factor is True
    assert updated.default_second_factor is True
    assert clerk.phone_numbers.get(phone_number_id=created.id).phone_number == number

    deleted = clerk.phone_numbers.delete(phone_number_id=created.id)
    assert deleted.deleted is True
    assert clerk.users.get(user_id=user.id).phone_numbers == []
