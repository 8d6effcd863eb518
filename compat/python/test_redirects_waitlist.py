"""Redirect URLs and the waitlist through clerk-backend-api: redirect_urls (create, get, list,
delete) and waitlist_entries (create, bulk_create, list with its filters, invite, reject,
delete), as the SDK's strict models, with Clerk's errors as the SDK's types."""

from clerk_backend_api import models

from conftest import tag
from test_users import error_code


def test_redirect_url_create_get_list_delete(clerk):
    url = f"{tag('app')}://oauth-callback"
    made = clerk.redirect_urls.create(request={"url": url})
    assert isinstance(made, models.RedirectURL)
    assert made.id.startswith("ru_")
    assert made.url == url
    try:
        clerk.redirect_urls.create(request={"url": url})
        raise AssertionError("a URL was registered twice")
    except models.ClerkErrors as e:
        assert error_code(e) == "duplicate_record"
    assert clerk.redirect_urls.get(id=made.id) == made
    assert made.id in [r.id for r in clerk.redirect_urls.list(limit=500)]
    deleted = clerk.redirect_urls.delete(id=made.id)
    assert deleted.id == made.id and deleted.deleted is True
    assert made.id not in [r.id for r in clerk.redirect_urls.list(limit=500)]


def test_waitlist_entries(clerk):
    t = tag("wl")
    email = f"{t}-a@example.com"
    entry = clerk.waitlist_entries.create(request={"email_address": email, "notify": False})
    assert isinstance(entry, models.WaitlistEntry)
    assert entry.id.startswith("wle_")
    assert entry.status == "pending"
    assert entry.invitation is None
    assert clerk.waitlist_entries.create(request={"email_address": email.upper()}).id == entry.id
    bulk = clerk.waitlist_entries.bulk_create(
        request=[{"email_address": f"{t}-b@example.com"}, {"email_address": f"{t}-c@example.com"}]
    )
    assert len(bulk) == 2
    listed = clerk.waitlist_entries.list(query=t, order_by="+email_address")
    assert listed.total_count == 3
    assert [e.email_address for e in listed.data] == [
        email,
        f"{t}-b@example.com",
        f"{t}-c@example.com",
    ]

    invited = clerk.waitlist_entries.invite(waitlist_entry_id=entry.id)
    assert invited.status == "invited"
    assert invited.invitation.status == "pending"
    try:
        clerk.waitlist_entries.invite(waitlist_entry_id=entry.id)
        raise AssertionError("an invited entry was invited again")
    except models.ClerkErrors as e:
        assert error_code(e) == "waitlist_entry_not_actionable"
    pending = clerk.waitlist_entries.list(query=t, status="pending")
    assert sorted(e.id for e in pending.data) == sorted(e.id for e in bulk)

    assert clerk.waitlist_entries.reject(waitlist_entry_id=bulk[0].id).status == "rejected"
    deleted = clerk.waitlist_entries.delete(waitlist_entry_id=bulk[1].id)
    assert deleted.id == bulk[1].id and deleted.deleted is True
