"""A checkout without a Lightning invoice (a card provider's page) is opened from the payment page,
and the API keys page keeps one user's keys from another (K2)."""

import re
from uuid import UUID

import pytest
from dependency_injector import providers

from adapters.payments.fake import FakePaymentProvider
from domain.api_keys.keys import ApiKey
from domain.billing.subscriptions import Currency
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.integration.web.browser_kit import browser_signed_in

pytestmark = pytest.mark.integration
SAME_ORIGIN = {"origin": TEST_PUBLIC_URL}


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    return api_settings_env | {"ENVIRONMENT": "development"}


@pytest.fixture
def card_checkout(api_container):
    """The fake provider charging in dollars: an invoice with a checkout page and no bolt11, as a
    card provider's."""
    api_container.billing.fake_payments.override(
        providers.Singleton(
            FakePaymentProvider,
            api_container.clock,
            api_container.cache,
            public_url=TEST_PUBLIC_URL,
            currency=Currency.USD,
        )
    )
    return api_container


@pytest.mark.usefixtures("card_checkout")
async def test_a_card_payment_sends_the_browser_to_the_providers_checkout(api):
    browser = await browser_signed_in(api)

    chosen = await api.client.post(
        "/plans",
        data=browser.form(plan_id="pro-monthly", provider="fake"),
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )

    location = chosen.headers["location"]
    assert re.fullmatch(r"/payments/[0-9a-f-]{36}\?checkout=1", location)
    payment_id = location.split("/")[2].split("?")[0]
    checkout_url = f"{TEST_PUBLIC_URL}/api/v1/payments/{payment_id}"
    page = await api.client.get(location)
    assert f'data-checkout-url="{checkout_url}"' in page.text
    assert f'<a class="button" href="{checkout_url}">Pay by card</a>' in page.text
    assert "Lightning invoice QR code" not in page.text and "$5.00" in page.text
    again = await api.client.get(location.split("?")[0])
    assert "data-checkout-url" not in again.text and "Pay by card" in again.text


async def test_k2_one_users_key_cannot_be_revoked_from_anothers_keys_page(api):
    owner = await browser_signed_in(api)
    created = await api.client.post(
        "/account/keys", data=owner.form(name="owned", scopes="wot:read"), headers=SAME_ORIGIN
    )
    assert created.status_code == 200 and 'id="new-key"' in created.text
    key_id = re.search(r'action="/account/keys/([0-9a-f-]{36})/revoke"', created.text).group(1)
    api.client.cookies.clear()
    other = await browser_signed_in(api)

    refused = await api.client.post(f"/account/keys/{key_id}/revoke", data=other.form(), headers=SAME_ORIGIN)
    listed = await api.client.get("/account/keys")

    assert refused.status_code == 404 and 'role="alert"' in refused.text
    assert "owned" not in listed.text
    assert (await api.run(lambda: _key(api, UUID(key_id)))).revoked_at is None


async def _key(api, key_id: UUID) -> ApiKey:
    async with api.container.unit_of_work() as uow:
        key = await uow.api_keys.get(key_id)
    assert key is not None
    return key
