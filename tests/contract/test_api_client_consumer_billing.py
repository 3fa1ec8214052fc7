"""Consumer contract: what the Python client expects of plans, subscriptions, payments and receipts.

Its interactions join the client's pact file, which test_api_client_consumer.py starts afresh (this
module runs after it and adds to the file); test_api_provider.py verifies the whole file against the
real app.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pact import Pact, match

from client import ApiError, NostrIdClient
from tests.contract import api_states as world

PACTS = Path(__file__).parent / "pacts"
CONSUMER, PROVIDER = "nostr-id-client", "nostr-id"
DATETIME = "2026-01-01T00:00:00Z"
UUID_TEXT = "9a000000-0000-4000-8000-000000000009"

SUBSCRIPTION = {
    "id": match.uuid(UUID_TEXT),
    "plan_id": "pro-monthly",
    "status": match.str("active"),
    "created_at": match.str(DATETIME),
    "starts_at": match.str(DATETIME),
    "expires_at": match.str(DATETIME),
    "canceled_at": None,
    "cancel_at_period_end": match.bool(False),
}
PAYMENT = {
    "id": match.uuid(str(world.PENDING_PAYMENT_ID)),
    "status": "pending",
    "provider": "fake",
    "amount": match.int(21_000),
    "currency": "sat",
    "checkout_url": match.str("https://id.example.com/api/v1/payments/x"),
    "bolt11": match.str(world.PENDING_BOLT11),
    "expires_at": match.str(DATETIME),
    "paid_at": None,
    "plan_id": "pro-monthly",
    "subscription_id": match.uuid(UUID_TEXT),
    "list_amount": match.int(21_000),
    "discount_percent": match.int(0),
    "receipt_number": None,
    "created_at": match.str(DATETIME),
}


@pytest.fixture
def pact() -> Iterator[Pact]:
    contract = Pact(CONSUMER, PROVIDER).with_specification("V4")
    yield contract
    contract.write_file(PACTS, overwrite=False)


def _signed_in(server_url: str) -> NostrIdClient:
    client = NostrIdClient(str(server_url), public_url=world.PUBLIC_URL)
    return client.with_bearer(world.access_token(world.SIGNED_IN_FAMILY))


def _bearer() -> str:
    return f"Bearer {world.access_token(world.SIGNED_IN_FAMILY)}"


def test_plans_with_list_and_discounted_prices(pact: Pact) -> None:
    plan = {
        "id": match.str("pro-monthly"),
        "name": match.str("Pro (monthly)"),
        "period_days": match.int(30),
        "price_sats": match.int(21_000),
        "price_usd_cents": match.int(500),
        "discount_percent": match.int(0),
        "discounted_price_sats": match.int(21_000),
        "discounted_price_usd_cents": match.int(500),
        "features": {
            "names": match.int(5),
            "custom_domains": match.int(1),
            "api_requests_per_minute": match.int(600),
        },
    }
    (
        pact.upon_receiving("a request for the plans by a signed-in user")
        .given(world.SIGNED_IN)
        .with_request("GET", "/api/v1/plans")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body({"items": match.each_like(plan)})
    )
    with pact.serve() as server:
        plans = _signed_in(server.url).plans()
    assert plans[0].price_sats >= plans[0].discounted_price_sats


def test_ordering_a_plan_with_the_fake_provider(pact: Pact) -> None:
    (
        pact.upon_receiving("an order of a plan through the fake provider")
        .given(world.SIGNED_IN)
        .with_request("POST", "/api/v1/subscriptions")
        .with_header("Authorization", _bearer())
        .with_body({"plan_id": "pro-monthly", "provider": "fake"}, content_type="application/json")
        .will_respond_with(201)
        .with_body(
            {
                "subscription": {**SUBSCRIPTION, "status": "pending", "starts_at": None, "expires_at": None},
                "payment": PAYMENT,
            }
        )
    )
    with pact.serve() as server:
        checkout = _signed_in(server.url).subscribe("pro-monthly", "fake")
    assert (checkout.subscription.status, checkout.payment.status) == ("pending", "pending")


def test_an_order_holding_names_until_it_is_paid(pact: Pact) -> None:
    (
        pact.upon_receiving("an order of a plan holding a name")
        .given(world.BOB_SIGNED_IN)
        .with_request("POST", "/api/v1/subscriptions")
        .with_header("Authorization", f"Bearer {world.bob_access_token()}")
        .with_body(
            {"plan_id": "pro-monthly", "provider": "fake", "names": ["bob-paid"]},
            content_type="application/json",
        )
        .will_respond_with(201)
        .with_body(
            {
                "subscription": {**SUBSCRIPTION, "status": "pending", "starts_at": None, "expires_at": None},
                "payment": PAYMENT,
            }
        )
    )
    with pact.serve() as server:
        bob = NostrIdClient(str(server.url), public_url=world.PUBLIC_URL).with_bearer(
            world.bob_access_token()
        )
        checkout = bob.subscribe("pro-monthly", "fake", names=["bob-paid"])
    assert checkout.payment.status == "pending"


def test_a_payment_and_the_receipt_it_does_not_have_yet(pact: Pact) -> None:
    payment_id = str(world.PENDING_PAYMENT_ID)
    (
        pact.upon_receiving("a request for a pending payment")
        .given(world.PENDING_PAYMENT)
        .with_request("GET", f"/api/v1/payments/{payment_id}")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(PAYMENT)
    )
    (
        pact.upon_receiving("a request for the receipt of a pending payment")
        .given(world.PENDING_PAYMENT)
        .with_request("GET", f"/api/v1/payments/{payment_id}/receipt")
        .with_header("Authorization", _bearer())
        .will_respond_with(404)
        .with_body(
            {"type": match.str("about:blank"), "title": match.str("Not found"), "status": 404},
            content_type="application/problem+json",
        )
    )
    with pact.serve() as server:
        client = _signed_in(server.url)
        assert client.payment(payment_id).status == "pending"
        with pytest.raises(ApiError) as refused:
            client.receipt(payment_id)
    assert refused.value.status == 404


def test_the_current_subscription_and_a_receipt(pact: Pact) -> None:
    payment_id = str(world.PAID_PAYMENT_ID)
    (
        pact.upon_receiving("a request for the current subscription")
        .given(world.PAID_SUBSCRIPTION)
        .with_request("GET", "/api/v1/subscriptions/me")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(SUBSCRIPTION)
    )
    (
        pact.upon_receiving("a request for the receipt of a paid payment")
        .given(world.PAID_SUBSCRIPTION)
        .with_request("GET", f"/api/v1/payments/{payment_id}/receipt")
        .with_header("Authorization", _bearer())
        .will_respond_with(200)
        .with_body(
            {
                "receipt_number": match.regex(world.RECEIPT_NUMBER, regex=r"^NID-\d{4}-\d{6,}$"),
                "payment_id": payment_id,
                "plan_id": "pro-monthly",
                "provider": "fake",
                "amount": match.int(21_000),
                "currency": "sat",
                "list_amount": match.int(21_000),
                "discount_percent": match.int(0),
                "paid_at": match.str(DATETIME),
                "refunded_at": None,
            }
        )
    )
    with pact.serve() as server:
        client = _signed_in(server.url)
        subscription = client.my_subscription()
        receipt = client.receipt(payment_id)
    assert subscription.status == "active"
    assert receipt.receipt_number == world.RECEIPT_NUMBER
