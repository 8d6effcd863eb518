"""Plans and subscriptions through clerk-backend-api: every response must pass the SDK's strict
pydantic models (PaginatedCommercePlanResponse, CommerceSubscription, CommerceSubscriptionItem).
Plans are made and assigned with Usher's Backend API extensions (plain httpx with the secret key):
Clerk makes them in its Dashboard and assigns them at checkout. Slugs are unique per run, since
plans belong to the instance every test shares; no default plan is made here."""

import json

import httpx
import pytest
from clerk_backend_api import models

from conftest import tag


def post(api_url: str, secret_key: str, path: str, body: dict) -> dict:
    res = httpx.post(f"{api_url}{path}", json=body, headers={"Authorization": f"Bearer {secret_key}"})
    assert res.status_code == 200, res.text
    return res.json()


def error(exc: models.ClerkBaseError) -> tuple[int, str]:
    return exc.status_code, json.loads(exc.body)["errors"][0]["code"]


def test_plans_and_a_users_subscription(clerk, new_user, api_url, secret_key):
    slug = f"pro_{tag('p').lower()}"
    plan = post(
        api_url,
        secret_key,
        "/v1/billing/plans",
        {"name": "Pro", "slug": slug, "for_payer_type": "user", "features": [{"name": "Export", "slug": "export"}]},
    )
    listed = clerk.billing.list_plans(payer_type=models.PayerType.USER, limit=500)
    found = [p for p in listed.data if p.id == plan["id"]]
    assert len(found) == 1 and listed.total_count >= 1
    assert found[0].slug == slug and found[0].for_payer_type == "user"
    assert found[0].features[0].slug == "export" and found[0].features[0].object == "feature"
    assert all(p.for_payer_type == "user" for p in listed.data)

    user = new_user()
    item = post(api_url, secret_key, f"/v1/users/{user.id}/billing/subscription_items", {"plan_id": slug})
    sub = clerk.users.get_billing_subscription(user_id=user.id)
    assert sub.object == "commerce_subscription" and sub.status == "active"
    assert sub.id.startswith("csub_") and sub.payer_id.startswith("cpayer_")
    assert [i.id for i in sub.subscription_items] == [item["id"]]
    assert sub.subscription_items[0].plan.slug == slug

    ended = clerk.billing.cancel_subscription_item(subscription_item_id=item["id"], end_now=True)
    assert ended.status == "ended" and ended.ended_at is not None
    with pytest.raises(models.ClerkBaseError) as e:
        clerk.billing.cancel_subscription_item(subscription_item_id=item["id"])
    assert error(e.value) == (403, "not_allowed_access")


def test_an_organizations_subscription(clerk, new_user, api_url, secret_key):
    slug = f"team_{tag('t').lower()}"
    post(api_url, secret_key, "/v1/billing/plans", {"name": "Team", "slug": slug, "for_payer_type": "org"})
    owner = new_user()
    org = clerk.organizations.create(request={"name": f"Billing {tag()}", "created_by": owner.id})
    post(api_url, secret_key, f"/v1/organizations/{org.id}/billing/subscription_items", {"plan_id": slug})
    sub = clerk.organizations.get_billing_subscription(organization_id=org.id)
    assert sub.subscription_items[0].plan.for_payer_type == "org"
    assert sub.subscription_items[0].plan.slug == slug

    with pytest.raises(models.ClerkBaseError) as e:
        clerk.users.get_billing_subscription(user_id="user_2zzzzzzzzzzzzzzzzzzzzzzzzzz")
    assert error(e.value) == (404, "resource_not_found")
