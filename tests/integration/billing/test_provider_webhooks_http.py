"""Provider webhooks over HTTP (promises P1, P3): Stripe and BTCPay signatures checked on the raw body
before anything is read, and BTCPay events in any order ending in the state BTCPay reports."""

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest
from dependency_injector import providers

from adapters.payments.btcpay import BtcpayProvider
from application.billing.providers import PaymentProviders
from bootstrap.container import Container
from domain.billing.subscriptions import PaymentProviderName
from tests.fixtures.auth import Api
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration
STRIPE_SECRET = "whsec_http_test"
BTCPAY_SECRET = "btcpay-http-test"
STORE = "store1"


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str]) -> dict[str, str]:
    dead = f"http://127.0.0.1:{free_port()}"
    return {
        **api_settings_env,
        "STRIPE_API_KEY": "sk_test_unused",
        "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "BTCPAY_URL": dead,
        "BTCPAY_API_KEY": "key",
        "BTCPAY_STORE_ID": STORE,
        "BTCPAY_WEBHOOK_SECRET": BTCPAY_SECRET,
    }


def stripe_delivery(body: bytes, signed_at: int) -> dict[str, str]:
    v1 = hmac.new(STRIPE_SECRET.encode(), f"{signed_at}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={signed_at},v1={v1}", "Content-Type": "application/json"}


def btcpay_delivery(body: bytes) -> dict[str, str]:
    digest = hmac.new(BTCPAY_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"BTCPay-Sig": f"sha256={digest}", "Content-Type": "application/json"}


@pytest.mark.parametrize("offset", [-301, 301, -3600])
async def test_p1_stripe_timestamps_outside_300_seconds_are_400(api: Api, offset: int) -> None:
    body = json.dumps(
        {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"id": "cs_1"}}}
    )
    now = int(api.clock.now().timestamp())
    answer = await api.client.post(
        "/api/v1/webhooks/stripe", content=body, headers=stripe_delivery(body.encode(), now + offset)
    )
    assert answer.status_code == 400
    assert "tolerance" in answer.json()["detail"]


@pytest.mark.parametrize(
    "stamp", ["99999999999999", "-99999999999999", "9" * 5000, "abc", "1e9", "+1", "1_000", "", " 1"]
)
async def test_p1_stripe_absurd_or_non_numeric_timestamps_are_400_before_the_body_is_read(
    api: Api, stamp: str
) -> None:
    garbage = b"\x00\xff{not json"
    v1 = hmac.new(STRIPE_SECRET.encode(), f"{stamp}.".encode() + garbage, hashlib.sha256).hexdigest()
    headers = {"Stripe-Signature": f"t={stamp},v1={v1}", "Content-Type": "application/json"}

    answer = await api.client.post("/api/v1/webhooks/stripe", content=garbage, headers=headers)

    assert answer.status_code == 400, answer.text
    assert answer.json()["title"] == "Invalid webhook signature"


async def test_p1_stripe_bad_or_missing_signatures_are_400_even_for_unreadable_bodies(api: Api) -> None:
    now = int(api.clock.now().timestamp())
    garbage = b"\x00\xff{not json"
    for headers in ({"Content-Type": "application/json"}, {**stripe_delivery(b"other", now)}):
        answer = await api.client.post("/api/v1/webhooks/stripe", content=garbage, headers=headers)
        assert answer.status_code == 400
        assert answer.json()["title"] == "Invalid webhook signature"


async def test_stripe_events_about_other_things_are_acknowledged(api: Api) -> None:
    body = json.dumps(
        {"id": "evt_2", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    ).encode()
    now = int(api.clock.now().timestamp())
    for offset in (-299, 299):
        answer = await api.client.post(
            "/api/v1/webhooks/stripe", content=body, headers=stripe_delivery(body, now + offset)
        )
        assert answer.status_code == 200


async def test_p1_btcpay_tampered_or_missing_signature_is_400_and_a_dead_server_is_503(api: Api) -> None:
    event = {"deliveryId": "d1", "type": "InvoiceSettled", "storeId": STORE, "invoiceId": "inv1"}
    body = json.dumps(event).encode()
    tampered = await api.client.post(
        "/api/v1/webhooks/btcpay", content=body.replace(b"inv1", b"inv2"), headers=btcpay_delivery(body)
    )
    missing = await api.client.post(
        "/api/v1/webhooks/btcpay", content=body, headers={"Content-Type": "application/json"}
    )
    assert (tampered.status_code, missing.status_code) == (400, 400)
    # Authentic, but BTCPay cannot be asked for the invoice's state: nothing is credited, retry later.
    authentic = await api.client.post("/api/v1/webhooks/btcpay", content=body, headers=btcpay_delivery(body))
    assert authentic.status_code == 503
    assert "Retry-After" in authentic.headers


class BtcpayServerDouble:
    """BTCPay's Greenfield invoices answered from a dict, through httpx's MockTransport."""

    def __init__(self) -> None:
        self.invoices: dict[str, dict[str, object]] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == f"/api/v1/stores/{STORE}/invoices":
            sent = json.loads(request.content)
            invoice_id = f"inv{len(self.invoices) + 1}"
            self.invoices[invoice_id] = {
                "id": invoice_id,
                "amount": sent["amount"],
                "currency": "SATS",
                "status": "New",
                "checkoutLink": f"https://btcpay.example.com/i/{invoice_id}",
                "expirationTime": 4_102_444_800,
                "metadata": sent["metadata"],
            }
            return httpx.Response(200, json=self.invoices[invoice_id])
        invoice_id = path.rsplit("/", 1)[-1]
        if request.method == "GET" and invoice_id in self.invoices:
            return httpx.Response(200, json=self.invoices[invoice_id])
        return httpx.Response(404, json={"code": "invoice-not-found", "message": "not found"})


async def test_p3_btcpay_events_out_of_order_end_in_the_state_btcpay_reports(
    api: Api, api_container: Container
) -> None:
    double = BtcpayServerDouble()
    btcpay = BtcpayProvider(
        "https://btcpay.example.com",
        "key",
        STORE,
        BTCPAY_SECRET,
        transport=httpx.MockTransport(double.handle),
    )
    api_container.billing.payment_providers.override(
        providers.Object(PaymentProviders({PaymentProviderName.BTCPAY: btcpay}))
    )
    alice = await api.sign_in()
    ordered = await api.client.post(
        "/api/v1/subscriptions", json={"plan_id": "pro-monthly", "provider": "btcpay"}, headers=alice.headers
    )
    assert ordered.status_code == 201, ordered.text
    payment = ordered.json()["payment"]
    (invoice_id,) = double.invoices

    def event(kind: str, delivery: str) -> bytes:
        return json.dumps(
            {"deliveryId": delivery, "type": kind, "storeId": STORE, "invoiceId": invoice_id}
        ).encode()

    double.invoices[invoice_id]["status"] = "Settled"
    # Settled arrives first; a late "created" and a late "processing" follow; BTCPay says Settled.
    for kind, delivery in (("InvoiceSettled", "d3"), ("InvoiceCreated", "d1"), ("InvoiceProcessing", "d2")):
        body = event(kind, delivery)
        answer = await api.client.post("/api/v1/webhooks/btcpay", content=body, headers=btcpay_delivery(body))
        assert answer.status_code == 200
    seen = await api.client.get(f"/api/v1/payments/{payment['id']}", headers=alice.headers)
    assert seen.json()["status"] == "paid"
    paid_at = seen.json()["paid_at"]

    # An "expired" event for a paid invoice changes nothing, even a day later.
    api.clock.advance(timedelta(days=1))
    body = event("InvoiceExpired", "d4")
    await api.client.post("/api/v1/webhooks/btcpay", content=body, headers=btcpay_delivery(body))
    alice = await api.sign_in(secret_key=alice.secret_key)
    again = await api.client.get(f"/api/v1/payments/{payment['id']}", headers=alice.headers)
    assert (again.json()["status"], again.json()["paid_at"]) == ("paid", paid_at)


async def test_t5_p1_empty_and_truncated_signatures_are_400_over_http(api: Api) -> None:
    event = {"deliveryId": "d1", "type": "InvoiceSettled", "storeId": STORE, "invoiceId": "inv1"}
    body = json.dumps(event).encode()
    digest = btcpay_delivery(body)["BTCPay-Sig"].removeprefix("sha256=")
    now = int(api.clock.now().timestamp())
    t, v1 = stripe_delivery(body, now)["Stripe-Signature"].split(",")
    for provider, header, value in (
        ("btcpay", "BTCPay-Sig", "sha256="),
        ("btcpay", "BTCPay-Sig", f"sha256={digest[:32]}"),
        ("stripe", "Stripe-Signature", f"{t},v1="),
        ("stripe", "Stripe-Signature", f"{t},{v1[:-1]}"),
    ):
        answer = await api.client.post(
            f"/api/v1/webhooks/{provider}",
            content=body,
            headers={header: value, "Content-Type": "application/json"},
        )
        assert answer.status_code == 400, (provider, value)
        assert answer.json()["title"] == "Invalid webhook signature"
