"""Orders for another plan over HTTP on the real app and PostgreSQL, with the fake payment provider."""

import pytest
from dependency_injector import providers

from adapters.cache.memory_cache import MemoryCache
from adapters.payments.fake import FakePaymentProvider
from bootstrap.container import Container
from domain.shared.clock import FixedClock
from tests.fixtures.auth import Api, SignedInUser

pytestmark = pytest.mark.integration


@pytest.fixture
def fake_provider(api_container: Container, api_clock: FixedClock) -> FakePaymentProvider:
    provider = FakePaymentProvider(
        api_clock, MemoryCache(api_clock), webhook_secret="fake-provider-webhook-secret"
    )
    api_container.billing.fake_payments.override(providers.Object(provider))
    return provider


async def _order(api: Api, user: SignedInUser, plan: str):  # type: ignore[no-untyped-def]
    return await api.client.post(
        "/api/v1/subscriptions", json={"plan_id": plan, "provider": "fake"}, headers=user.headers
    )


async def _settle(api: Api, user: SignedInUser, payment_id: str) -> None:
    settled = await api.client.post(f"/api/v1/payments/{payment_id}/fake-settle", headers=user.headers)
    assert settled.status_code == 200, settled.text


async def test_paying_the_open_invoice_of_another_plan_makes_the_subscription_that_plan(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    alice = await api.sign_in()
    yearly = (await _order(api, alice, "pro-yearly")).json()
    monthly = (await _order(api, alice, "pro-monthly")).json()
    await _settle(api, alice, monthly["payment"]["id"])
    await _settle(api, alice, yearly["payment"]["id"])
    current = (await api.client.get("/api/v1/subscriptions/me", headers=alice.headers)).json()
    assert (current["id"], current["plan_id"], current["status"]) == (
        yearly["subscription"]["id"],
        "pro-yearly",
        "active",
    )


async def test_an_order_refused_while_another_plan_is_active_leaves_no_invoice(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    alice = await api.sign_in()
    monthly = (await _order(api, alice, "pro-monthly")).json()
    await _settle(api, alice, monthly["payment"]["id"])
    invoices = fake_provider.created
    refused = await _order(api, alice, "pro-yearly")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert fake_provider.created == invoices
