"""Fixtures for the clerk-backend-api (PyPI) compatibility suite.

Every call goes through Clerk's official Python SDK. The server and its keys
come from compat/harness/start-usher.sh (USHER_API_URL, USHER_SECRET_KEY,
USHER_JWT_KEY, USHER_PUBLISHABLE_KEY).
"""

import os
import secrets
import time

import pytest
from clerk_backend_api import Clerk
from clerk_backend_api.utils import BackoffStrategy, RetryConfig

PASSWORD = "correct-horse-battery-staple-42"
UNKNOWN_USER = "user_2zzzzzzzzzzzzzzzzzzzzzzzzzz"
UNKNOWN_SESSION = "sess_2zzzzzzzzzzzzzzzzzzzzzzzzzz"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the suite through compat/harness/start-usher.sh")
    return value


# The SDK retries 5XX for up to an hour by default; a broken server must fail fast.
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


def make_client(secret_key: str | None = None) -> Clerk:
    return Clerk(
        bearer_auth=secret_key or _env("USHER_SECRET_KEY"),
        server_url=_env("USHER_API_URL").rstrip("/") + "/v1",
        retry_config=NO_RETRIES,
        timeout_ms=30_000,
    )


def tag(prefix: str = "t") -> str:
    """A short unique tag, safe in emails and usernames."""
    return f"{prefix}{int(time.time() * 1000):x}{secrets.token_hex(4)}"


def unique_email(prefix: str = "py") -> str:
    return f"{tag(prefix)}@example.com"


@pytest.fixture(scope="session")
def api_url() -> str:
    return _env("USHER_API_URL").rstrip("/")


@pytest.fixture(scope="session")
def secret_key() -> str:
    return _env("USHER_SECRET_KEY")


@pytest.fixture(scope="session")
def jwt_key() -> str:
    return _env("USHER_JWT_KEY")


@pytest.fixture(scope="session")
def publishable_key() -> str:
    return _env("USHER_PUBLISHABLE_KEY")


@pytest.fixture(scope="session")
def clerk() -> Clerk:
    return make_client()


@pytest.fixture
def new_user(clerk):
    """Creates users with a unique email and a password."""

    def create(**params):
        params.setdefault("email_address", [unique_email()])
        if "password_digest" not in params and not params.get("skip_password_requirement"):
            params.setdefault("password", PASSWORD)
        return clerk.users.create(**params)

    return create
