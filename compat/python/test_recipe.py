"""The README's Python recipe, run as written: a backend that checks Clerk session tokens minted
by Usher with clerk-backend-api's authenticate_request (networkless, jwt_key = Usher's PEM) and
calls Usher's Backend API through Clerk(server_url=.../v1)."""

import dataclasses
import time

import httpx
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from clerk_backend_api import Clerk, models
from clerk_backend_api.security import authenticate_request, verify_token
from clerk_backend_api.security.types import (
    AuthenticateRequestOptions,
    AuthErrorReason,
    TokenVerificationError,
    TokenVerificationErrorReason,
    VerifyTokenOptions,
)

from conftest import NO_RETRIES


class Recipe:
    """The recipe's code; the environment variables are the README's, filled from the harness."""

    def __init__(self, env: dict[str, str]):
        # --- README: Python recipe ---
        self.clerk = Clerk(
            bearer_auth=env["CLERK_SECRET_KEY"],
            server_url=env["CLERK_API_URL"] + "/v1",
            retry_config=NO_RETRIES,  # (not in the README: keeps a broken server from stalling the suite)
        )
        # Networkless: without jwt_key the SDK fetches the JWKS from https://api.clerk.com.
        self.options = AuthenticateRequestOptions(jwt_key=env["CLERK_JWT_KEY"])

    def current_user_id(self, request) -> str | None:
        """request: anything with .headers (httpx, requests, Starlette/FastAPI, Django)."""
        state = authenticate_request(request, self.options)
        return state.payload["sub"] if state.is_signed_in else None
        # --- end ---


@pytest.fixture(scope="module")
def recipe(api_url, secret_key, jwt_key):
    return Recipe({"CLERK_SECRET_KEY": secret_key, "CLERK_API_URL": api_url, "CLERK_JWT_KEY": jwt_key})


@pytest.fixture
def signed_in(clerk, new_user):
    """A user, a session created through the Backend API, and a 60-second session token."""
    user = new_user()
    session = clerk.sessions.create(request={"user_id": user.id})
    token = clerk.sessions.create_token(session_id=session.id).jwt
    return user, session, token


def get(headers: dict[str, str]) -> httpx.Request:
    return httpx.Request("GET", "http://localhost:8000/me", headers=headers)


def test_a_token_from_usher_signs_the_request_in(recipe, signed_in):
    user, session, token = signed_in
    assert recipe.current_user_id(get({"Authorization": f"Bearer {token}"})) == user.id
    assert recipe.current_user_id(get({"Cookie": f"__client_uat={int(time.time())}; __session={token}"})) == user.id
    state = authenticate_request(get({"Authorization": f"Bearer {token}"}), recipe.options)
    assert state.payload["sid"] == session.id
    # The Backend API through the same SDK: the user behind the token.
    fetched = recipe.clerk.users.get(user_id=recipe.current_user_id(get({"Authorization": f"Bearer {token}"})))
    assert fetched.id == user.id
    assert fetched.email_addresses[0].email_address == user.email_addresses[0].email_address


def test_no_token_is_signed_out(recipe):
    assert recipe.current_user_id(get({})) is None
    state = authenticate_request(get({}), recipe.options)
    assert state.reason == AuthErrorReason.SESSION_TOKEN_MISSING


def _forged(token: str) -> str:
    """The same header and claims, signed with a freshly made RSA key instead of Usher's."""
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    header = pyjwt.get_unverified_header(token)
    claims = pyjwt.decode(token, options={"verify_signature": False})
    return pyjwt.encode(claims, pem, algorithm="RS256", headers={k: v for k, v in header.items() if k != "alg"})


def test_a_token_signed_with_another_key_is_refused(recipe, signed_in, secret_key, api_url):
    _, _, token = signed_in
    forged = _forged(token)
    assert pyjwt.get_unverified_header(forged)["kid"] == pyjwt.get_unverified_header(token)["kid"]
    assert recipe.current_user_id(get({"Authorization": f"Bearer {forged}"})) is None
    state = authenticate_request(get({"Authorization": f"Bearer {forged}"}), recipe.options)
    assert state.reason == TokenVerificationErrorReason.TOKEN_INVALID_SIGNATURE
    # And through the JWKS that Usher serves (verify_token with api_url, no PEM).
    with pytest.raises(TokenVerificationError) as info:
        verify_token(forged, VerifyTokenOptions(secret_key=secret_key, api_url=api_url))
    assert info.value.reason == TokenVerificationErrorReason.TOKEN_INVALID_SIGNATURE


def test_verify_token_with_api_url_fetches_usher_jwks(signed_in, secret_key, api_url):
    user, _, token = signed_in
    claims = verify_token(token, VerifyTokenOptions(secret_key=secret_key, api_url=api_url))
    assert claims["sub"] == user.id


def test_authenticate_request_has_no_api_url_so_jwt_key_is_needed():
    # Without jwt_key, authenticate_request verifies through VerifyTokenOptions' default api_url:
    # Clerk's hosted API, with the secret key. The recipe always sets jwt_key.
    assert "api_url" not in {f.name for f in dataclasses.fields(AuthenticateRequestOptions)}
    assert VerifyTokenOptions().api_url == "https://api.clerk.com"


def test_authorized_parties_refuse_a_token_without_azp(recipe, signed_in, jwt_key):
    # Backend-API tokens carry no azp; browser tokens carry their origin. With authorized_parties
    # set, a token without azp is refused, so set it only where tokens come from browsers.
    _, _, token = signed_in
    assert "azp" not in pyjwt.decode(token, options={"verify_signature": False})
    options = AuthenticateRequestOptions(jwt_key=jwt_key, authorized_parties=["http://localhost:3000"])
    state = authenticate_request(get({"Authorization": f"Bearer {token}"}), options)
    assert not state.is_signed_in
    assert state.reason == TokenVerificationErrorReason.TOKEN_INVALID_AUTHORIZED_PARTIES


def test_neither_revocation_nor_client_uat_is_checked_until_the_token_expires(recipe, clerk, signed_in):
    # Networkless verification looks at the token alone: a session revoked (signed out) after the
    # token was minted still passes, and the __client_uat cookie is not read (@clerk/backend
    # compares it with the token's iat). Sign-out takes effect when the token expires: 60 s.
    user, session, token = signed_in
    assert clerk.sessions.revoke(session_id=session.id).status.value == "revoked"
    assert recipe.current_user_id(get({"Authorization": f"Bearer {token}"})) == user.id
    assert recipe.current_user_id(get({"Cookie": f"__client_uat=0; __session={token}"})) == user.id
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 60
    # The Backend API knows better: no new token for the revoked session.
    with pytest.raises(models.ClerkBaseError) as info:
        clerk.sessions.create_token(session_id=session.id)
    assert 400 <= info.value.status_code < 500
