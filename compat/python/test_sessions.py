"""Sessions, session tokens and the JWKS through clerk-backend-api, and token
verification with the SDK's own verify_token / authenticate_request."""

import httpx
import jwt as pyjwt
import pytest
from clerk_backend_api import models
from clerk_backend_api.security import (
    AuthenticateRequestOptions,
    TokenVerificationError,
    VerifyTokenOptions,
    authenticate_request,
    verify_token,
)
from clerk_backend_api.security.types import TokenVerificationErrorReason

from conftest import UNKNOWN_SESSION, make_client


@pytest.fixture
def user_and_session(clerk, new_user):
    user = new_user()
    session = clerk.sessions.create(request={"user_id": user.id})
    return user, session


def test_create_and_get_session(clerk, user_and_session):
    user, session = user_and_session
    assert isinstance(session, models.Session)
    assert session.id.startswith("sess_")
    assert session.user_id == user.id
    assert session.client_id.startswith("client_")
    assert session.status == models.Status.ACTIVE
    assert session.expire_at > session.created_at
    fetched = clerk.sessions.get(session_id=session.id)
    assert isinstance(fetched, models.Session)
    assert fetched.id == session.id


def test_get_unknown_session_is_404(clerk):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.sessions.get(session_id=UNKNOWN_SESSION)
    assert info.value.status_code == 404
    assert info.value.data.errors[0].code == "resource_not_found"


def test_list_is_a_bare_array_without_paginated(clerk, user_and_session):
    user, session = user_and_session
    second = clerk.sessions.create(request={"user_id": user.id})
    listed = clerk.sessions.list(user_id=user.id)
    assert isinstance(listed, list)
    assert {s.id for s in listed} == {session.id, second.id}
    assert all(isinstance(s, models.Session) for s in listed)

    clerk.sessions.revoke(session_id=session.id)
    active = clerk.sessions.list(user_id=user.id, status=models.QueryParamStatus.ACTIVE)
    assert [s.id for s in active] == [second.id]
    revoked = clerk.sessions.list(user_id=user.id, status=models.QueryParamStatus.REVOKED)
    assert [s.id for s in revoked] == [session.id]


def test_revoke(clerk, user_and_session):
    _, session = user_and_session
    revoked = clerk.sessions.revoke(session_id=session.id)
    assert isinstance(revoked, models.Session)
    assert revoked.status == models.Status.REVOKED
    with pytest.raises(models.ClerkBaseError) as info:
        clerk.sessions.create_token(session_id=session.id)
    assert 400 <= info.value.status_code < 500


def test_create_token_claims_and_lifetime(clerk, user_and_session, publishable_key):
    user, session = user_and_session
    token = clerk.sessions.create_token(session_id=session.id)
    assert isinstance(token, models.CreateSessionTokenResponseBody)
    assert token.object == models.CreateSessionTokenObject.TOKEN
    header = pyjwt.get_unverified_header(token.jwt)
    assert header["alg"] == "RS256"
    assert header["cat"] == "cl_B7d4PD111AAA"
    claims = pyjwt.decode(token.jwt, options={"verify_signature": False})
    assert claims["sub"] == user.id
    assert claims["sid"] == session.id
    assert claims["sts"] == "active"
    assert claims["v"] == 2
    assert "aud" not in claims
    import base64

    host = base64.b64decode(publishable_key.split("_")[2] + "==").decode()[:-1]
    assert claims["iss"] == f"https://{host}"
    assert claims["exp"] - claims["iat"] == 60

    longer = clerk.sessions.create_token(session_id=session.id, expires_in_seconds=300)
    claims = pyjwt.decode(longer.jwt, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300


def test_create_token_unknown_session_is_404(clerk):
    with pytest.raises(models.ClerkErrors) as info:
        clerk.sessions.create_token(session_id=UNKNOWN_SESSION)
    assert info.value.status_code == 404


def test_banned_users_sessions_get_no_token(clerk, user_and_session):
    user, session = user_and_session
    clerk.users.ban(user_id=user.id)
    assert clerk.sessions.get(session_id=session.id).status == models.Status.REVOKED
    with pytest.raises(models.ClerkBaseError) as info:
        clerk.sessions.create_token(session_id=session.id)
    assert 400 <= info.value.status_code < 500


def test_locked_users_sessions_get_no_token(clerk, user_and_session):
    user, session = user_and_session
    clerk.users.lock(user_id=user.id)
    with pytest.raises(models.ClerkBaseError) as info:
        clerk.sessions.create_token(session_id=session.id)
    assert 400 <= info.value.status_code < 500


def test_jwks(clerk, user_and_session):
    _, session = user_and_session
    jwks = clerk.jwks.get_jwks()
    assert isinstance(jwks, models.Jwks)
    assert jwks.keys
    kid = pyjwt.get_unverified_header(clerk.sessions.create_token(session_id=session.id).jwt)["kid"]
    key = next(k for k in jwks.keys if k.kid == kid)
    assert key.kty == "RSA" and key.alg == "RS256" and key.use == "sig" and key.e == "AQAB"


def test_verify_token_with_pem_and_with_jwks(clerk, user_and_session, jwt_key, secret_key, api_url):
    user, session = user_and_session
    token = clerk.sessions.create_token(session_id=session.id).jwt

    claims = verify_token(token, VerifyTokenOptions(jwt_key=jwt_key))
    assert claims["sub"] == user.id

    claims = verify_token(token, VerifyTokenOptions(secret_key=secret_key, api_url=api_url))
    assert claims["sid"] == session.id

    with pytest.raises(TokenVerificationError) as info:
        verify_token(token, VerifyTokenOptions(jwt_key=jwt_key, authorized_parties=["https://other.example"]))
    assert info.value.reason == TokenVerificationErrorReason.TOKEN_INVALID_AUTHORIZED_PARTIES

    head, body, sig = token.split(".")
    tampered = f"{head}.{body[:-4]}AAAA.{sig}"
    with pytest.raises(TokenVerificationError):
        verify_token(tampered, VerifyTokenOptions(jwt_key=jwt_key))


def test_authenticate_request_with_pem(clerk, user_and_session, jwt_key):
    user, session = user_and_session
    token = clerk.sessions.create_token(session_id=session.id).jwt
    request = httpx.Request("GET", "http://localhost:8000/me", headers={"Authorization": f"Bearer {token}"})
    state = authenticate_request(request, AuthenticateRequestOptions(jwt_key=jwt_key))
    assert state.is_signed_in, state.reason
    assert state.payload["sub"] == user.id


def test_wrong_secret_key_is_401():
    wrong = make_client("sk_test_0000000000000000000000000000000000000000")
    with pytest.raises(models.ClerkErrors) as info:
        wrong.users.list()
    assert info.value.status_code == 401
    assert info.value.data.errors[0].code in ("clerk_key_invalid", "authentication_invalid")
