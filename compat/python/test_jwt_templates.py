"""JWT templates through clerk-backend-api: every response passes the SDK's strict models
(`JWTTemplate`, `DeletedObject`), bad templates fail with `ClerkErrors`, and
`sessions.create_token_from_template` answers a token PyJWT verifies (the instance's public key;
an HS256 template with its secret).

clerk-backend-api 7.0.0 types `claims` as a model without fields, so whatever claims a caller
passes are sent as `{}` (against Clerk as against Usher): the templates here carry no claims of
their own, and the claims' rules are proven by compat/node and the Rust tests."""

import jwt as pyjwt
import pytest
from clerk_backend_api import models

from conftest import tag

SECRET = "python-suite-hs256-jwt-secret-0123456789"


def test_create_get_list_update_delete(clerk):
    name = tag("py-tmpl")
    created = clerk.jwt_templates.create(
        request={"name": name, "claims": {"dropped": "by the SDK"}, "lifetime": 90}
    )
    assert isinstance(created, models.JWTTemplate)
    assert created.id.startswith("jtmp_")
    assert created.name == name
    assert (created.lifetime, created.allowed_clock_skew) == (90, 5)
    assert created.custom_signing_key is False
    assert created.signing_algorithm == "RS256"
    assert created.created_at == created.updated_at
    assert clerk.jwt_templates.get(template_id=created.id).name == name

    listed = clerk.jwt_templates.list(limit=500)
    assert isinstance(listed, list)
    assert any(t.id == created.id for t in listed)
    assert all(isinstance(t, models.JWTTemplate) for t in listed)

    updated = clerk.jwt_templates.update(
        template_id=created.id, name=f"{name}-2", claims={}, allowed_clock_skew=30
    )
    assert isinstance(updated, models.JWTTemplate)
    assert updated.name == f"{name}-2"
    assert (updated.lifetime, updated.allowed_clock_skew) == (90, 30)

    deleted = clerk.jwt_templates.delete(template_id=created.id)
    assert isinstance(deleted, models.DeletedObject)
    assert (deleted.id, deleted.deleted) == (created.id, True)
    with pytest.raises(models.ClerkErrors) as info:
        clerk.jwt_templates.get(template_id=created.id)
    assert info.value.status_code == 404
    assert info.value.data.errors[0].code == "resource_not_found"


@pytest.mark.parametrize(
    "body,code,param",
    [
        ({"lifetime": 1}, "form_param_value_invalid", "lifetime"),
        ({"allowed_clock_skew": 301}, "form_param_value_invalid", "allowed_clock_skew"),
        ({"custom_signing_key": True, "signing_algorithm": "HS256"}, "form_param_missing", "signing_key"),
        ({"custom_signing_key": True, "signing_algorithm": "ES999", "signing_key": "k"}, "form_param_value_invalid", "signing_algorithm"),
        ({"custom_signing_key": True, "signing_algorithm": "RS256", "signing_key": "not a pem"}, "form_param_format_invalid", "signing_key"),
    ],
)
def test_bad_templates_are_clerk_errors(clerk, body, code, param):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.jwt_templates.create(request={"name": tag("py-bad"), "claims": {}, **body})
    assert info.value.status_code == 422
    err = info.value.data.errors[0]
    assert err.code == code
    assert (err.meta or {}).get("param_name") == param


def test_a_taken_name_is_refused(clerk):
    name = tag("py-dup")
    clerk.jwt_templates.create(request={"name": name, "claims": {}})
    with pytest.raises(models.ClerkErrors) as info:
        clerk.jwt_templates.create(request={"name": name, "claims": {}})
    assert info.value.status_code == 422
    assert info.value.data.errors[0].code == "form_identifier_exists"


def test_tokens_from_templates_verify_with_pyjwt(clerk, new_user, jwt_key):
    user = new_user()
    session = clerk.sessions.create(request={"user_id": user.id})
    plain = tag("py-plain")
    clerk.jwt_templates.create(request={"name": plain, "claims": {}, "lifetime": 300})
    token = clerk.sessions.create_token_from_template(session_id=session.id, template_name=plain)
    assert token.object == models.CreateSessionTokenFromTemplateObject.TOKEN
    claims = pyjwt.decode(token.jwt, jwt_key, algorithms=["RS256"])
    assert claims["sub"] == user.id
    assert claims["exp"] - claims["iat"] == 300
    assert claims["iat"] - claims["nbf"] == 5
    assert "sid" not in claims
    assert pyjwt.get_unverified_header(token.jwt)["cat"] == "cl_B7d4PD222AAA"

    hs = tag("py-hs256")
    created = clerk.jwt_templates.create(
        request={
            "name": hs,
            "claims": {},
            "custom_signing_key": True,
            "signing_algorithm": "HS256",
            "signing_key": SECRET,
        }
    )
    assert (created.custom_signing_key, created.signing_algorithm) == (True, "HS256")
    token = clerk.sessions.create_token_from_template(
        session_id=session.id, template_name=hs, expires_in_seconds=120
    )
    claims = pyjwt.decode(token.jwt, SECRET, algorithms=["HS256"])
    assert claims["sub"] == user.id
    assert claims["exp"] - claims["iat"] == 120
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(token.jwt, SECRET + "x", algorithms=["HS256"])

    with pytest.raises(models.ClerkErrors) as info:
        clerk.sessions.create_token_from_template(session_id=session.id, template_name=tag("missing"))
    assert info.value.status_code == 404
