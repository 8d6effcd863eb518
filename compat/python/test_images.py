"""Organization logos and user profile images through clerk-backend-api: the SDK's multipart
uploads, its strict models on the answers, and the image served byte for byte at image_url."""

import base64
import urllib.error
import urllib.request

import pytest
from clerk_backend_api import models

from conftest import tag
from test_users import error_code

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url) as res:
            return res.status, res.headers["Content-Type"], res.read()
    except urllib.error.HTTPError as e:
        return e.code, "", b""


def test_organization_logo_upload_and_delete(clerk):
    org = clerk.organizations.create(request={"name": f"Logo {tag()}"})
    assert org.has_image is False
    with_logo = clerk.organizations.upload_logo(
        organization_id=org.id,
        file={"file_name": "logo.png", "content": PNG, "content_type": "image/png"},
    )
    assert isinstance(with_logo, models.OrganizationWithLogo)
    assert with_logo.has_image is True
    assert "/v1/images/img_" in with_logo.image_url
    assert fetch(with_logo.image_url) == (200, "image/png", PNG)

    cleared = clerk.organizations.delete_logo(organization_id=org.id)
    assert isinstance(cleared, models.Organization)
    assert cleared.has_image is False
    assert fetch(with_logo.image_url)[0] == 404

    with pytest.raises(models.ClerkBaseError) as e:
        clerk.organizations.upload_logo(
            organization_id=org.id,
            file={"file_name": "x.svg", "content": SVG, "content_type": "image/svg+xml"},
        )
    assert error_code(e.value) == "form_param_format_invalid"


def test_user_profile_image_set_and_delete(clerk, new_user):
    user = new_user()
    updated = clerk.users.set_profile_image(
        user_id=user.id, file={"file_name": "me.png", "content": PNG, "content_type": "image/png"}
    )
    assert isinstance(updated, models.User)
    assert updated.has_image is True
    assert fetch(updated.image_url) == (200, "image/png", PNG)

    cleared = clerk.users.delete_profile_image(user_id=user.id)
    assert cleared.has_image is False
    assert fetch(updated.image_url)[0] == 404
