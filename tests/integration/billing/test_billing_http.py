"""Billing over HTTP on the real app, container and PostgreSQL, with the fake payment provider."""

import asyncio
import json
import re
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers

from adapters.cache.memory_cache import MemoryCache
from adapters.payments.fake import FakePaymentProvider
from bootstrap.container import Container
from domain.audit.entries import AuditLogQuery
from domain.auth.users import UserRole
from domain.shared.clock import FixedClock
from tests.fixtures.auth import Api, SignedInUser

pytestmark = pytest.mark.integration
SECRET = "fake-provider-webhook-secret"
RECEIPT = re.compile(r"NID-(\d{4})-(\d{6,})")


@pytest.fixture
def fake_provider(api_container: Container, api_clock: FixedClock) -> FakePaymentProvider:
    provider = FakePaymentProvider(api_clock, MemoryCache(api_clock), webhook_secret=SECRET)
    api_container.billing.fake_payments.override(providers.Object(provider))
    return provider


async def order(api: Api, user: SignedInUser, plan: str = "pro-monthly") -> dict:
    response = await api.client.post(
        "/api/v1/subscriptions", json={"plan_id": plan, "provider": "fake"}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def invoice_of(checkout: dict) -> str:
    """The fake provider's invoice id of an order's payment."""
    return f"fake_{UUID(checkout['payment']['id']).hex}"


def delivery(provider: FakePaymentProvider, invoice_id: str, event_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"event_id": event_id, "invoice_id": invoice_id}).encode()
    return body, {**provider.sign(body), "Content-Type": "application/json"}


async def test_plans_list_prices_for_anonymous_and_signed_in_callers(api: Api) -> None:
    anonymous = await api.client.get("/api/v1/plans")
    assert anonymous.status_code == 200
    items = {item["id"]: item for item in anonymous.json()["items"]}
    assert items["pro-monthly"]["price_sats"] == 21_000
    assert items["pro-monthly"]["discounted_price_sats"] == 21_000
    assert items["free"]["features"] == {
        "names": 1,
        "custom_domains": 0,
        "api_requests_per_minute": 60,
        "api_keys": 3,
    }
    alice = await api.sign_in()
    signed_in = await api.client.get("/api/v1/plans", headers=alice.headers)
    assert signed_in.status_code == 200


async def test_ordering_and_fake_settling_a_plan_end_to_end(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    alice = await api.sign_in()
    missing = await api.client.get("/api/v1/subscriptions/me", headers=alice.headers)
    assert missing.status_code == 404
    assert (await api.client.get("/api/v1/me", headers=alice.headers)).json()["subscription"] is None
    checkout = await order(api, alice)
    payment_id = checkout["payment"]["id"]
    assert checkout["subscription"]["status"] == "pending"
    assert (checkout["payment"]["status"], checkout["payment"]["amount"]) == ("pending", 21_000)
    not_yet = await api.client.get(f"/api/v1/payments/{payment_id}/receipt", headers=alice.headers)
    assert not_yet.status_code == 404

    settled = await api.client.post(f"/api/v1/payments/{payment_id}/fake-settle", headers=alice.headers)
    assert settled.status_code == 200, settled.text
    assert settled.json()["status"] == "paid"
    receipt = await api.client.get(f"/api/v1/payments/{payment_id}/receipt", headers=alice.headers)
    assert receipt.status_code == 200
    match = RECEIPT.fullmatch(receipt.json()["receipt_number"])
    assert match is not None and int(match.group(1)) == api.clock.now().year
    current = await api.client.get("/api/v1/subscriptions/me", headers=alice.headers)
    assert current.json()["status"] == "active"
    assert current.json()["expires_at"] is not None
    me = await api.client.get("/api/v1/me", headers=alice.headers)
    assert me.json()["subscription"] == current.json()

    canceled = await api.client.post("/api/v1/subscriptions/me/cancel", headers=alice.headers)
    assert (canceled.json()["status"], canceled.json()["cancel_at_period_end"]) == ("active", True)


async def test_k2_payments_of_another_user_are_not_found(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    alice, mallory = await api.sign_in(), await api.sign_in()
    payment_id = (await order(api, alice))["payment"]["id"]
    for path in ("", "/receipt"):
        response = await api.client.get(f"/api/v1/payments/{payment_id}{path}", headers=mallory.headers)
        assert response.status_code == 404
    settle = await api.client.post(f"/api/v1/payments/{payment_id}/fake-settle", headers=mallory.headers)
    assert settle.status_code == 404
    anonymous = await api.client.get(f"/api/v1/payments/{payment_id}")
    assert anonymous.status_code == 401
    unknown = await api.client.get(f"/api/v1/payments/{uuid4()}", headers=alice.headers)
    assert unknown.status_code == 404
    mine = await api.client.get(f"/api/v1/payments/{payment_id}", headers=alice.headers)
    assert mine.json()["status"] == "pending"


async def test_bad_orders_are_clear_problems(api: Api, fake_provider: FakePaymentProvider) -> None:
    alice = await api.sign_in()
    for body, field in (
        ({"plan_id": "pro-monthly", "provider": "paypal"}, "provider"),
        ({"plan_id": "free", "provider": "fake"}, "plan_id"),
        ({"plan_id": "nope", "provider": "fake"}, "plan_id"),
    ):
        response = await api.client.post("/api/v1/subscriptions", json=body, headers=alice.headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [error["field"] for error in response.json()["errors"]] == [field]
    malformed = await api.client.post(
        "/api/v1/subscriptions", content=b"{", headers={**alice.headers, "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400


async def test_p1_a_bad_or_missing_signature_is_refused_before_the_body_is_read(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    alice = await api.sign_in()
    checkout = await order(api, alice)
    invoice_id = invoice_of(checkout)
    await fake_provider.settle(invoice_id)
    body, headers = delivery(fake_provider, invoice_id, "evt-1")
    for sent_body, sent_headers in (
        (body + b" ", headers),
        (body, {"Content-Type": "application/json"}),
        (b"not json at all", headers),
        (body, {**headers, "Fake-Sig": "sha256=" + "0" * 64}),
    ):
        response = await api.client.post("/api/v1/webhooks/fake", content=sent_body, headers=sent_headers)
        assert response.status_code == 400, response.text
        assert response.json()["title"] == "Invalid webhook signature"
    payment = await api.client.get(f"/api/v1/payments/{checkout['payment']['id']}", headers=alice.headers)
    assert payment.json()["status"] == "pending"
    unknown_provider = await api.client.post("/api/v1/webhooks/paypal", content=body, headers=headers)
    assert unknown_provider.status_code == 404


@pytest.mark.parametrize("deliveries", [1, 3, 10])
async def test_p2_one_webhook_delivered_concurrently_and_again_later_credits_once(
    api: Api, fake_provider: FakePaymentProvider, deliveries: int
) -> None:
    alice = await api.sign_in()
    checkout = await order(api, alice)
    invoice_id = invoice_of(checkout)
    await fake_provider.settle(invoice_id)
    body, headers = delivery(fake_provider, invoice_id, f"evt-{uuid4()}")
    answers = await asyncio.gather(
        *(api.client.post("/api/v1/webhooks/fake", content=body, headers=headers) for _ in range(deliveries))
    )
    assert [answer.status_code for answer in answers] == [200] * deliveries
    api.clock.advance(timedelta(hours=2))
    later = await api.client.post("/api/v1/webhooks/fake", content=body, headers=headers)
    other_delivery = delivery(fake_provider, invoice_id, "evt-other")
    again = await api.client.post(
        "/api/v1/webhooks/fake", content=other_delivery[0], headers=other_delivery[1]
    )
    assert (later.status_code, again.status_code) == (200, 200)

    async with api.container.unit_of_work() as uow:
        payments = await uow.payments.list_for_user(alice.user.id)
        subscriptions = await uow.subscriptions.list_for_user(alice.user.id)
    assert len(payments) == 1 and payments[0].receipt_number is not None
    assert str(payments[0].id) == checkout["payment"]["id"]
    (subscription,) = subscriptions
    assert subscription.expires_at == payments[0].paid_at + timedelta(days=30)  # type: ignore[operator]


async def test_concurrent_settlements_take_receipt_numbers_without_gaps_or_duplicates(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    users = [await api.sign_in() for _ in range(12)]
    payment_ids = [(await order(api, user))["payment"]["id"] for user in users]
    answers = await asyncio.gather(
        *(
            api.client.post(f"/api/v1/payments/{payment_id}/fake-settle", headers=user.headers)
            for user, payment_id in zip(users, payment_ids, strict=True)
        )
    )
    numbers = []
    for answer in answers:
        match = RECEIPT.fullmatch(answer.json()["receipt_number"])
        assert match is not None
        numbers.append(int(match.group(2)))
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + 12))


async def test_admin_refund_and_comp_are_audited_with_the_change(
    api: Api, fake_provider: FakePaymentProvider
) -> None:
    admin = await api.sign_in(role=UserRole.ADMIN)
    alice = await api.sign_in()
    payment_id = (await order(api, alice))["payment"]["id"]
    await api.client.post(f"/api/v1/payments/{payment_id}/fake-settle", headers=alice.headers)
    refused = await api.client.post(
        f"/api/v1/admin/payments/{payment_id}/refund", json={"reason": "asked"}, headers=alice.headers
    )
    assert refused.status_code == 403
    refunded = await api.client.post(
        f"/api/v1/admin/payments/{payment_id}/refund", json={"reason": "asked"}, headers=admin.headers
    )
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    bob = await api.sign_in()
    comp = await api.client.post(
        f"/api/v1/admin/users/{bob.user.id}/comp",
        json={"plan_id": "pro-yearly", "days": 14, "reason": "conference speaker"},
        headers=admin.headers,
    )
    assert comp.status_code == 200 and comp.json()["status"] == "active"

    async with api.container.unit_of_work() as uow:
        entries = await uow.audit_log.search(AuditLogQuery(actor_user_id=admin.user.id))
    by_action = {entry.action: entry for entry in entries}
    refund = by_action["admin.payment.refund"]
    assert refund.target_id == payment_id
    assert refund.details["status"] == {"from": "paid", "to": "refunded"}
    assert refund.details["reason"] == "asked"
    comp_entry = by_action["admin.subscription.comp"]
    assert comp_entry.details["days"] == 14 and comp_entry.details["expires_at"]["from"] is None
