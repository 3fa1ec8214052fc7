"""The fake payment provider over the Cache port: invoices shared by every provider on one cache
(every process of a fleet on one Redis), and webhooks signed and checked like BTCPay's (P1)."""

import hashlib
import hmac
import json
from datetime import UTC, datetime
from uuid import uuid4

import bolt11
import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.payments.fake import FakePaymentProvider
from domain.billing.ports import (
    InvalidWebhookSignature,
    InvoiceRequest,
    InvoiceState,
    ProviderInvoiceNotFound,
)
from domain.billing.subscriptions import Currency
from domain.shared.clock import FixedClock

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SECRET = "fake-webhook-secret"


def request() -> InvoiceRequest:
    return InvoiceRequest(
        payment_id=uuid4(),
        amount=21_000,
        currency=Currency.SAT,
        description="pro-monthly",
        webhook_url="http://127.0.0.1:9/api/v1/webhooks/fake",
        return_url="http://127.0.0.1:9/",
    )


def providers_on_one_cache() -> tuple[FakePaymentProvider, FakePaymentProvider]:
    clock = FixedClock(NOW)
    cache = MemoryCache(clock)
    return (
        FakePaymentProvider(clock, cache, webhook_secret=SECRET),
        FakePaymentProvider(clock, cache, webhook_secret=SECRET),
    )


async def test_an_invoice_made_by_one_provider_is_known_settled_and_made_once_by_another() -> None:
    one, other = providers_on_one_cache()
    asked = request()
    made = await one.create_invoice(asked)

    assert await other.create_invoice(asked) == made
    assert (await other.settle(made.invoice_id)).state is InvoiceState.PAID
    assert (await one.fetch_invoice(made.invoice_id)).state is InvoiceState.PAID
    with pytest.raises(ProviderInvoiceNotFound):
        await other.fetch_invoice("fake_unknown")


async def test_without_delivery_settings_no_webhook_is_sent() -> None:
    one, _ = providers_on_one_cache()
    made = await one.create_invoice(request())
    assert await one.deliver_webhook(made.invoice_id) is False


def test_p1_fake_webhooks_are_signed_over_the_raw_body_and_anything_else_is_refused() -> None:
    one, _ = providers_on_one_cache()
    body = json.dumps({"event_id": "evt_1", "invoice_id": "fake_1"}).encode()
    signed = one.sign(body)
    assert signed == {"Fake-Sig": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}
    assert one.verify_webhook(signed, body, NOW).invoice_id == "fake_1"
    for headers, sent in (
        (signed, body + b" "),
        ({}, body),
        ({"Fake-Sig": signed["Fake-Sig"].removeprefix("sha256=")}, body),
        ({"Fake-Sig": "sha256="}, body),
        ({"Fake-Sig": signed["Fake-Sig"][:-2]}, body),
        (FakePaymentProvider(FixedClock(NOW), MemoryCache(), webhook_secret="other").sign(body), body),
    ):
        with pytest.raises(InvalidWebhookSignature):
            one.verify_webhook(headers, sent, NOW)
    without_secret = FakePaymentProvider(FixedClock(NOW), MemoryCache())
    with pytest.raises(InvalidWebhookSignature):
        without_secret.verify_webhook(signed, body, NOW)


async def test_an_invoice_in_sats_carries_a_regtest_bolt11_of_the_amount_and_description() -> None:
    one, _ = providers_on_one_cache()

    made = await one.create_invoice(request())

    assert made.bolt11 is not None and made.bolt11.startswith("lnbcrt")
    decoded = bolt11.decode(made.bolt11)
    assert decoded.amount_msat == 21_000 * 1000
    assert decoded.description == "pro-monthly"
    assert decoded.date == int(NOW.timestamp())
