"""A user's second factors and password through clerk-backend-api: disable_mfa,
delete_totp, delete_backup_codes, verify_totp and remove_password."""

import json

import pytest
from clerk_backend_api import models

from conftest import UNKNOWN_USER


def error_code(exc: models.ClerkBaseError) -> str:
    return json.loads(exc.body)["errors"][0]["code"]


def test_removals_answer_with_the_user_id(clerk, new_user):
    user = new_user()
    for call in (clerk.users.disable_mfa, clerk.users.delete_totp, clerk.users.delete_backup_codes):
        assert call(user_id=user.id).user_id == user.id
    fresh = clerk.users.get(user_id=user.id)
    assert fresh.two_factor_enabled is False
    assert fresh.updated_at == user.updated_at


def test_verify_totp_without_totp_is_400(clerk, new_user):
    user = new_user()
    with pytest.raises(models.ClerkBaseError) as info:
        clerk.users.verify_totp(user_id=user.id, code="123456")
    assert info.value.status_code == 400
    assert error_code(info.value) == "totp_not_enabled"


def test_unknown_user_is_404(clerk):
    for call in (clerk.users.disable_mfa, clerk.users.delete_totp, clerk.users.delete_backup_codes,
                 clerk.users.remove_password):
        with pytest.raises(models.ClerkBaseError) as info:
            call(user_id=UNKNOWN_USER)
        assert info.value.status_code == 404
        assert error_code(info.value) == "resource_not_found"


def test_remove_password_signs_out_when_asked(clerk, new_user):
    user = new_user()
    session = clerk.sessions.create(request={"user_id": user.id})
    removed = clerk.users.remove_password(user_id=user.id, sign_out_of_other_sessions=True)
    assert removed.password_enabled is False
    assert clerk.sessions.get(session_id=session.id).status == "revoked"
    again = clerk.users.remove_password(user_id=user.id)
    assert again.updated_at == removed.updated_at
