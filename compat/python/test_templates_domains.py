"""Email/SMS templates and domains through clerk-backend-api: email_sms_templates (list, get,
revert, toggle_template_delivery), email_and_sms_templates.upsert, templates.preview, and
domains (list, add, update, delete), as the SDK's strict models, with Clerk's errors as the
SDK's types."""

from clerk_backend_api import models

from conftest import tag
from test_users import error_code


def test_templates_upsert_preview_toggle_revert(clerk):
    listed = clerk.email_sms_templates.list(template_type="email", limit=100)
    assert all(isinstance(t, models.Template) for t in listed)
    slugs = [t.slug for t in listed]
    assert "verification_code" in slugs and "magic_link_sign_in" in slugs
    sms = clerk.email_sms_templates.list(template_type="sms")
    assert [t.slug for t in sms] == ["verification_code"]

    got = clerk.email_sms_templates.get(template_type="email", slug="reset_password_code")
    assert got.object == "template"
    assert got.resource_type == "system"
    assert "otp_code" in got.required_variables

    try:
        clerk.email_and_sms_templates.upsert(
            template_type="email", slug="reset_password_code", body="{{otp_code}} {{no.such}}"
        )
        raise AssertionError("an unknown variable was stored")
    except models.ClerkErrors as e:
        assert error_code(e) == "form_param_value_invalid"
        assert e.data.errors[0].meta["param_name"] == "body"

    marker = tag("Reset")
    saved = clerk.email_and_sms_templates.upsert(
        template_type="email",
        slug="reset_password_code",
        subject=f"{marker} {{{{otp_code}}}}",
        body="<p>{{app.name}}: {{otp_code}}</p>",
    )
    assert saved.resource_type == "user" and saved.can_revert is True
    assert saved.subject == f"{marker} {{{{otp_code}}}}"

    preview = clerk.templates.preview(template_type="email", slug="reset_password_code")
    assert isinstance(preview, models.PreviewTemplateResponseBody)
    try:
        clerk.templates.preview(template_type="email", slug="reset_password_code", body="{{nope}}")
        raise AssertionError("a preview with an unknown variable was rendered")
    except models.ClerkErrors as e:
        assert error_code(e) == "form_param_value_invalid"

    off = clerk.email_sms_templates.toggle_template_delivery(
        template_type="email", slug="reset_password_code", delivered_by_clerk=False
    )
    assert off.delivered_by_clerk is False
    on = clerk.email_sms_templates.toggle_template_delivery(
        template_type="email", slug="reset_password_code", delivered_by_clerk=True
    )
    assert on.delivered_by_clerk is True

    reverted = clerk.email_sms_templates.revert(template_type="email", slug="reset_password_code")
    assert reverted.resource_type == "system" and reverted.can_revert is False
    assert reverted.subject == "{{otp_code}} is your password reset code"


def test_domains_add_update_delete(clerk):
    listed = clerk.domains.list()
    assert isinstance(listed, models.Domains)
    primary = [d for d in listed.data if not d.is_satellite]
    assert len(primary) == 1 and primary[0].object == "domain"

    name = f"{tag('sat')}.example.com"
    made = clerk.domains.add(request={"name": name, "is_satellite": True})
    assert isinstance(made, models.Domain)
    assert made.id.startswith("dmn_") and made.name == name and made.is_satellite is True
    try:
        clerk.domains.add(request={"name": name, "is_satellite": True})
        raise AssertionError("a domain was added twice")
    except models.ClerkErrors as e:
        assert error_code(e) == "form_identifier_exists"
    try:
        clerk.domains.add(request={"name": "https://" + name, "is_satellite": True})
        raise AssertionError("a URL was taken for a domain name")
    except models.ClerkErrors as e:
        assert error_code(e) == "form_param_format_invalid"

    proxy = f"https://{name}/__clerk"
    updated = clerk.domains.update(domain_id=made.id, proxy_url=proxy)
    assert updated.proxy_url == proxy
    assert made.id in [d.id for d in clerk.domains.list().data]

    try:
        clerk.domains.delete(domain_id=primary[0].id)
        raise AssertionError("the primary domain was deleted")
    except models.ClerkErrors as e:
        assert error_code(e) == "authorization_invalid"
    deleted = clerk.domains.delete(domain_id=made.id)
    assert deleted.id == made.id and deleted.deleted is True
    assert made.id not in [d.id for d in clerk.domains.list().data]
