"""Machines and M2M tokens through clerk-backend-api: the machines API against its strict models,
and the m2m API under /v1 as the SDK calls it, authenticated by a machine's secret key to mint
(the instance's key lists, revokes and verifies)."""

import json

import pytest
from clerk_backend_api import models

from conftest import make_client, tag


def error(exc: models.ClerkBaseError) -> tuple[int, str]:
    return exc.status_code, json.loads(exc.body)["errors"][0]["code"]


def test_machines_lifecycle(clerk):
    callee = clerk.machines.create(request={"name": tag("callee")})
    assert callee.object == "machine" and callee.id.startswith("mch_")
    assert callee.secret_key.startswith("ak_")
    caller = clerk.machines.create(
        request={"name": tag("caller"), "scoped_machines": [callee.id], "default_token_ttl": 300}
    )
    assert [m.id for m in caller.scoped_machines] == [callee.id]
    assert caller.default_token_ttl == 300

    got = clerk.machines.get(machine_id=caller.id)
    assert got.id == caller.id and got.scoped_machines[0].name == callee.name
    listed = clerk.machines.list(query=caller.name)
    assert listed.total_count == 1 and listed.data[0].id == caller.id
    updated = clerk.machines.update(machine_id=caller.id, name=caller.name + " v2")
    assert updated.name == caller.name + " v2"

    removed = clerk.machines.delete_scope(machine_id=caller.id, other_machine_id=callee.id)
    assert removed.DELETED and removed.to_machine_id == callee.id
    scope = clerk.machines.create_scope(machine_id=caller.id, to_machine_id=callee.id)
    assert scope.from_machine_id == caller.id and scope.to_machine_id == callee.id
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.machines.create_scope(machine_id=caller.id, to_machine_id=callee.id)
    assert error(e.value) == (409, "duplicate_record")

    assert clerk.machines.get_secret_key(machine_id=caller.id).secret == caller.secret_key
    rotated = clerk.machines.rotate_secret_key(machine_id=caller.id, previous_token_ttl=0)
    assert rotated.secret.startswith("ak_") and rotated.secret != caller.secret_key

    deleted = clerk.machines.delete(machine_id=callee.id)
    assert deleted.DELETED and deleted.id == callee.id
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.machines.get(machine_id=callee.id)
    assert error(e.value) == (404, "resource_not_found")
    clerk.machines.delete(machine_id=caller.id)


def test_m2m_tokens_minted_by_a_machine(clerk):
    callee = clerk.machines.create(request={"name": tag("callee")})
    caller = clerk.machines.create(request={"name": tag("caller"), "scoped_machines": [callee.id]})
    as_caller = make_client(caller.secret_key)

    token = as_caller.m2m.create_token(seconds_until_expiration=60, claims={"job": "sync"})
    assert token.id.startswith("mt_") and token.token.startswith("mt_")
    assert token.subject == caller.id and token.scopes == [callee.id]
    assert token.expiration == token.created_at + 60_000

    verified = make_client(callee.secret_key).m2m.verify_token(token=token.token)
    assert verified.id == token.id and verified.claims == {"job": "sync"}
    listed = clerk.m2m.list_tokens(subject=caller.id)
    assert listed.total_count == 1 and listed.m2m_tokens[0].id == token.id

    revoked = clerk.m2m.revoke_token(m2m_token_id=token.id, revocation_reason="done")
    assert revoked.revoked and revoked.revocation_reason == "done"
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.m2m.verify_token(token=token.token)
    assert e.value.status_code == 404
    assert clerk.m2m.list_tokens(subject=caller.id, revoked=True).total_count == 1

    jwt = as_caller.m2m.create_token(token_format=models.TokenFormat.JWT)
    assert jwt.token.count(".") == 2

    # The instance's secret key mints nothing.
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.m2m.create_token()
    assert error(e.value) == (403, "authorization_invalid")
