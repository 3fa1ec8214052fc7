"""The plans and payment pages over the real app: the same use cases as the JSON API (ListPlans,
StartSubscription, GetPayment, FakeSettle, GetReceipt), through forms with the CSRF token."""

import re
from datetime import timedelta

import pytest

from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.integration.web.browser_kit import browser_signed_in

pytestmark = pytest.mark.integration


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    # The test client speaks plain http: development cookies come back without Secure.
    return api_settings_env | {"ENVIRONMENT": "development"}


async def test_a_stranger_sees_each_plan_with_its_list_price_and_no_choice(api):
    response = await api.client.get("/plans")

    assert response.status_code == 200
    assert "Pro (monthly)" in response.text and "21,000 sats or $5.00 for 30 days" in response.text
    assert "Choose " not in response.text
    assert 'href="/signin"' in response.text


async def test_choosing_a_plan_opens_its_payment_with_the_lightning_invoice(api):
    browser = await browser_signed_in(api)
    assert ">Choose Pro (monthly)</button>" in (await api.client.get("/plans")).text

    chosen = await api.client.post(
        "/plans",
        data=browser.form(plan_id="pro-monthly", provider="fake"),
        headers={"origin": TEST_PUBLIC_URL},
        follow_redirects=False,
    )

    assert chosen.status_code == 303
    location = chosen.headers["location"]
    assert re.fullmatch(r"/payments/[0-9a-f-]{36}", location)
    payment = await api.client.get(location)
    assert payment.status_code == 200
    assert 'aria-label="Lightning invoice QR code"><svg' in payment.text
    bolt11 = re.search(r'href="lightning:(ln[a-z0-9]+)"', payment.text)
    assert bolt11 is not None and f">{bolt11.group(1)}</textarea>" in payment.text
    assert ">Waiting for payment</p>" in payment.text
    assert ">Simulate payment</button>" in payment.text


async def test_choosing_without_the_csrf_token_is_refused(api):
    await browser_signed_in(api)

    refused = await api.client.post(
        "/plans", data={"plan_id": "pro-monthly", "provider": "fake"}, headers={"origin": TEST_PUBLIC_URL}
    )

    assert refused.status_code == 403


async def test_an_unknown_plan_is_refused_on_the_plans_page(api):
    browser = await browser_signed_in(api)

    refused = await api.client.post(
        "/plans", data=browser.form(plan_id="gold", provider="fake"), headers={"origin": TEST_PUBLIC_URL}
    )

    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "no plan" in refused.text


async def test_a_simulated_payment_is_paid_and_its_receipt_opens(api):
    browser = await browser_signed_in(api)
    location = (
        await api.client.post(
            "/plans",
            data=browser.form(plan_id="pro-monthly", provider="fake"),
            headers={"origin": TEST_PUBLIC_URL},
            follow_redirects=False,
        )
    ).headers["location"]
    before = (await api.client.get(location + "/status")).json()
    early_receipt = await api.client.get(location + "/receipt", follow_redirects=False)

    simulated = await api.client.post(
        location + "/simulate", headers={**browser.headers, "accept": "application/json"}
    )

    assert before == {"status": "pending", "text": "Waiting for payment", "done": False, "receipt": None}
    assert early_receipt.status_code == 303 and early_receipt.headers["location"] == location
    assert simulated.status_code == 200 and simulated.json()["status"] == "paid"
    after = (await api.client.get(location + "/status")).json()
    assert after == {"status": "paid", "text": "Paid", "done": True, "receipt": location + "/receipt"}
    receipt = await api.client.get(after["receipt"])
    assert receipt.status_code == 200
    number = re.search(r"<h1 id=\"receipt-heading\">Receipt ([^<]+)</h1>", receipt.text)
    assert number is not None and number.group(1).strip()
    assert "<dt>Paid through</dt><dd>Test payment (nothing is charged)</dd>" in receipt.text


async def test_k2_another_users_payment_is_not_found(api):
    owner = await browser_signed_in(api)
    location = (
        await api.client.post(
            "/plans",
            data=owner.form(plan_id="pro-monthly", provider="fake"),
            headers={"origin": TEST_PUBLIC_URL},
            follow_redirects=False,
        )
    ).headers["location"]
    api.client.cookies.clear()
    other = await browser_signed_in(api)

    page = await api.client.get(location)
    status = await api.client.get(location + "/status")
    settle = await api.client.post(location + "/simulate", headers=other.headers)

    assert (page.status_code, status.status_code, settle.status_code) == (404, 404, 404)
    assert "No such payment" in page.text and page.headers["content-type"].startswith("text/html")


async def test_the_payment_status_poll_never_renews_the_session_and_asks_for_a_reload(api):
    browser = await browser_signed_in(api)
    location = (
        await api.client.post(
            "/plans",
            data=browser.form(plan_id="pro-monthly", provider="fake"),
            headers={"origin": TEST_PUBLIC_URL},
            follow_redirects=False,
        )
    ).headers["location"]
    api.clock.advance(timedelta(minutes=16))

    poll = await api.client.get(location + "/status")
    reloaded = await api.client.get(location)

    assert poll.status_code == 401 and poll.json() == {"status": "signed_out"}
    assert poll.headers.get_list("set-cookie") == []
    assert reloaded.status_code == 200
    assert "nid_refresh" in {value.split("=", 1)[0] for value in reloaded.headers.get_list("set-cookie")}
    assert (await api.client.get(location + "/status")).json()["status"] == "pending"
