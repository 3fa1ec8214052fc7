"""A card checkout (Stripe's API, served here by a local stand-in) sends the payer back to the
payment's web page, /payments/<id>, whether the order came from the plans page or the JSON API."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from uuid import uuid4

import pytest
from dependency_injector import providers

from adapters.payments.stripe_checkout import StripeProvider
from application.billing.providers import PaymentProviders
from domain.billing.subscriptions import PaymentProviderName
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.integration.web.browser_kit import browser_signed_in

pytestmark = pytest.mark.integration
SAME_ORIGIN = {"origin": TEST_PUBLIC_URL}
CHECKOUT_PAGE = "https://checkout.stripe.test/c/pay/cs_test"


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    return api_settings_env | {"ENVIRONMENT": "development"}  # the test client speaks plain HTTP


class StripeStandIn(BaseHTTPRequestHandler):
    """Answers `POST /v1/checkout/sessions` as Stripe does and keeps the forms it was sent."""

    sessions: list[dict[str, list[str]]]

    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.sessions.append(form)
        body = json.dumps(
            {
                "id": f"cs_test_{uuid4().hex}",
                "object": "checkout.session",
                "url": CHECKOUT_PAGE,
                "payment_status": "unpaid",
                "status": "open",
                "amount_total": 500,
                "expires_at": int(form["expires_at"][0]),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture
def stripe_sessions(api_container) -> Iterator[list[dict[str, list[str]]]]:
    """The service's only payment provider is Stripe, whose API is the stand-in above."""
    sessions: list[dict[str, list[str]]] = []
    handler = type("Recording", (StripeStandIn,), {"sessions": sessions})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stripe = StripeProvider(
        "sk_test_standin",
        "whsec_standin",
        api_base=f"http://127.0.0.1:{server.server_port}",
        max_network_retries=0,
    )
    api_container.billing.payment_providers.override(
        providers.Object(PaymentProviders({PaymentProviderName.STRIPE: stripe}))
    )
    try:
        yield sessions
    finally:
        api_container.billing.payment_providers.reset_override()
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


async def test_a_card_checkout_from_the_plans_page_returns_to_the_payment_page(api, stripe_sessions):
    browser = await browser_signed_in(api)

    chosen = await api.client.post(
        "/plans",
        data=browser.form(plan_id="pro-monthly", provider="stripe"),
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )

    assert chosen.status_code == 303, chosen.text
    payment_id = chosen.headers["location"].split("/")[2].split("?")[0]
    [session] = stripe_sessions
    assert session["success_url"] == session["cancel_url"] == [f"{TEST_PUBLIC_URL}/payments/{payment_id}"]
    back = await api.client.get(f"/payments/{payment_id}")
    assert back.status_code == 200 and "Pay by card" in back.text


async def test_a_card_checkout_ordered_through_the_api_returns_to_the_same_page(api, stripe_sessions):
    alice = await api.sign_in()

    ordered = await api.client.post(
        "/api/v1/subscriptions",
        json={"plan_id": "pro-monthly", "provider": "stripe"},
        headers=alice.headers,
    )

    assert ordered.status_code == 201, ordered.text
    payment = ordered.json()["payment"]
    assert payment["checkout_url"] == CHECKOUT_PAGE
    [session] = stripe_sessions
    assert session["success_url"] == [f"{TEST_PUBLIC_URL}/payments/{payment['id']}"]
