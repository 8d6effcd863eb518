"""Who may sign up, through clerk-backend-api: instance invitations (created, listed by status
and text, revoked) and the allowlist and blocklist, as the SDK's strict models, with Clerk's
errors as the SDK's types."""

from clerk_backend_api import models

from conftest import unique_email
from test_users import error_code


def test_invitation_create_list_revoke(clerk):
    email = unique_email("inv")
    inv = clerk.invitations.create(
        request={"email_address": email, "public_metadata": {"plan": "pro"}, "expires_in_days": 3}
    )
    assert isinstance(inv, models.Invitation)
    assert inv.id.startswith("inv_")
    assert inv.email_address == email
    assert inv.status == "pending"
    assert inv.public_metadata == {"plan": "pro"}
    assert "__clerk_ticket=" in inv.url

    try:
        clerk.invitations.create(request={"email_address": email})
        raise AssertionError("a second invitation to the address was made")
    except models.ClerkErrors as e:
        assert error_code(e) == "duplicate_record"

    listed = clerk.invitations.list(status="pending", query=email)
    assert [i.id for i in listed] == [inv.id]

    revoked = clerk.invitations.revoke(invitation_id=inv.id)
    assert revoked.status == "revoked"
    assert [i.id for i in clerk.invitations.list(status="revoked", query=email)] == [inv.id]
    assert clerk.invitations.list(status="pending", query=email) == []


def test_invitations_in_bulk(clerk):
    emails = [unique_email("bulk"), unique_email("bulk")]
    made = clerk.invitations.bulk_create(
        request=[{"email_address": e, "notify": False} for e in emails]
    )
    assert [i.email_address for i in made] == emails
    assert all(i.status == "pending" for i in made)


def test_allowlist_and_blocklist(clerk):
    email = unique_email("vip")
    allowed = clerk.allowlist_identifiers.create(request={"identifier": email, "notify": False})
    assert isinstance(allowed, models.AllowlistIdentifier)
    assert allowed.id.startswith("alid_")
    assert allowed.identifier == email
    assert any(e.id == allowed.id for e in clerk.allowlist_identifiers.list())
    assert clerk.allowlist_identifiers.delete(identifier_id=allowed.id).deleted is True

    domain = "*@" + unique_email("blocked").split("@")[0] + ".test"
    blocked = clerk.blocklist_identifiers.create(request={"identifier": domain})
    assert isinstance(blocked, models.BlocklistIdentifier)
    assert blocked.identifier == domain
    listed = clerk.blocklist_identifiers.list()
    assert any(e.id == blocked.id for e in listed.data)
    clerk.blocklist_identifiers.delete(identifier_id=blocked.id)
    try:
        clerk.blocklist_identifiers.delete(identifier_id=blocked.id)
        raise AssertionError("a deleted entry was deleted again")
    except models.ClerkErrors as e:
        assert error_code(e) == "resource_not_found"
