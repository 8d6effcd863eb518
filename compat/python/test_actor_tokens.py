"""Actor tokens (impersonation) through clerk-backend-api: create and revoke answer the SDK's
strict ActorToken model; bad input gets Clerk's errors (an actor without `sub` never leaves the
SDK: its model requires one)."""

import json

import pytest
from clerk_backend_api import models

from conftest import UNKNOWN_USER

ADMIN = "user_2admin000000000000000000000"


def error(exc: models.ClerkBaseError) -> tuple[int, str]:
    return exc.status_code, json.loads(exc.body)["errors"][0]["code"]


def test_actor_token_create_and_revoke(clerk, new_user):
    user = new_user()
    created = clerk.actor_tokens.create(
        request={
            "user_id": user.id,
            "actor": {"sub": ADMIN, "reason": "support"},
            "expires_in_seconds": 600,
            "session_max_duration_in_seconds": 300,
        }
    )
    assert created.object == "actor_token" and created.id.startswith("act_")
    assert created.user_id == user.id and created.status == "pending"
    assert created.token
    revoked = clerk.actor_tokens.revoke(actor_token_id=created.id)
    assert revoked.status == "revoked" and revoked.id == created.id
    assert not revoked.token

    with pytest.raises(models.ClerkBaseError) as e:
        clerk.actor_tokens.revoke(actor_token_id=created.id)
    assert error(e.value) == (400, "actor_token_already_revoked")


def test_actor_token_bad_input(clerk, new_user):
    user = new_user()
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.actor_tokens.create(request={"user_id": user.id, "actor": {"sub": user.id}})
    assert error(e.value) == (422, "form_param_value_invalid")
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.actor_tokens.create(request={"user_id": UNKNOWN_USER, "actor": {"sub": ADMIN}})
    assert error(e.value) == (404, "resource_not_found")
