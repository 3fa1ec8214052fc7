"""Signature vectors for the providers' webhooks (promise P1): checked over the raw body first."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.payments.btcpay import BtcpayProvider
from adapters.payments.lnbits import LnbitsProvider
from adapters.payments.stripe_checkout import StripeProvider
from domain.billing.ports import InvalidWebhookSignature, UnreadableWebhook

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
STRIPE_SECRET = "whsec_test_secret"
BTCPAY_SECRET = "btcpay-webhook-secret"
SESSION = "cs_test_a1b2c3"
STRIPE_EVENT = json.dumps(
    {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"id": SESSION}}}
).encode()
BTCPAY_EVENT = json.dumps(
    {
        "deliveryId": "d1",
        "webhookId": "w1",
        "originalDeliveryId": "d1",
        "isRedelivery": False,
        "type": "InvoiceSettled",
        "timestamp": 1772366400,
        "storeId": "store1",
        "invoiceId": "inv1",
    }
).encode()


def stripe_provider() -> StripeProvider:
    return StripeProvider("sk_test_key", STRIPE_SECRET)


def stripe_header(body: bytes, signed_at: datetime, secret: str = STRIPE_SECRET) -> dict[str, str]:
    t = int(signed_at.timestamp())
    v1 = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={v1}"}


def btcpay_provider() -> BtcpayProvider:
    return BtcpayProvider("https://btcpay.example.com", "key", "store1", BTCPAY_SECRET)


def btcpay_header(body: bytes, secret: str = BTCPAY_SECRET) -> dict[str, str]:
    return {"BTCPay-Sig": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def test_p1_stripe_valid_signature_names_the_session_and_event() -> None:
    notice = stripe_provider().verify_webhook(stripe_header(STRIPE_EVENT, NOW), STRIPE_EVENT, NOW)
    assert (notice.invoice_id, notice.event_id) == (SESSION, "evt_1")


@pytest.mark.parametrize("offset", [-299, 299, -300, 300])
def test_p1_stripe_timestamps_within_300_seconds_either_way_are_accepted(offset: int) -> None:
    header = stripe_header(STRIPE_EVENT, NOW + timedelta(seconds=offset))
    assert stripe_provider().verify_webhook(header, STRIPE_EVENT, NOW).invoice_id == SESSION


@pytest.mark.parametrize("offset", [-301, 301, -86_400, 86_400])
def test_p1_stripe_timestamps_301_seconds_past_or_future_are_refused(offset: int) -> None:
    header = stripe_header(STRIPE_EVENT, NOW + timedelta(seconds=offset))
    with pytest.raises(InvalidWebhookSignature, match="tolerance"):
        stripe_provider().verify_webhook(header, STRIPE_EVENT, NOW)


def test_p1_stripe_tampered_body_missing_header_and_wrong_secret_are_refused() -> None:
    provider = stripe_provider()
    header = stripe_header(STRIPE_EVENT, NOW)
    for headers, body in (
        (header, STRIPE_EVENT.replace(b"cs_test", b"cs_evil")),
        ({}, STRIPE_EVENT),
        (stripe_header(STRIPE_EVENT, NOW, secret="whsec_other"), STRIPE_EVENT),
        ({"Stripe-Signature": "t=abc,v1=00"}, STRIPE_EVENT),
        ({"Stripe-Signature": f"t={int(NOW.timestamp())}"}, STRIPE_EVENT),
        ({"Stripe-Signature": header["Stripe-Signature"].replace("v1=", "v0=")}, STRIPE_EVENT),
    ):
        with pytest.raises(InvalidWebhookSignature):
            provider.verify_webhook(headers, body, NOW)


def test_p1_stripe_signature_is_checked_before_the_body_is_parsed() -> None:
    garbage = b"\xff not json"
    with pytest.raises(InvalidWebhookSignature):
        stripe_provider().verify_webhook({"Stripe-Signature": "t=1,v1=00"}, garbage, NOW)
    with pytest.raises(UnreadableWebhook):
        stripe_provider().verify_webhook(stripe_header(garbage, NOW), garbage, NOW)


def test_stripe_any_matching_v1_is_enough_and_other_events_name_no_session() -> None:
    header = stripe_header(STRIPE_EVENT, NOW)["Stripe-Signature"]
    t, v1 = header.split(",")
    rolled = {"Stripe-Signature": f"{t},v1={'0' * 64},{v1}"}
    assert stripe_provider().verify_webhook(rolled, STRIPE_EVENT, NOW).invoice_id == SESSION
    other = json.dumps(
        {"id": "evt_2", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    ).encode()
    notice = stripe_provider().verify_webhook(stripe_header(other, NOW), other, NOW)
    assert (notice.invoice_id, notice.event_id) == (None, "evt_2")


def test_p1_btcpay_valid_signature_names_the_invoice_and_delivery() -> None:
    notice = btcpay_provider().verify_webhook(btcpay_header(BTCPAY_EVENT), BTCPAY_EVENT, NOW)
    assert (notice.invoice_id, notice.event_id) == ("inv1", "InvoiceSettled:d1")


def test_btcpay_redelivery_keeps_the_original_delivery_as_event_id() -> None:
    event = json.loads(BTCPAY_EVENT)
    event.update(deliveryId="d2", isRedelivery=True)
    body = json.dumps(event).encode()
    assert btcpay_provider().verify_webhook(btcpay_header(body), body, NOW).event_id == "InvoiceSettled:d1"


def test_p1_btcpay_tampered_body_missing_or_malformed_header_are_refused() -> None:
    provider = btcpay_provider()
    for headers, body in (
        (btcpay_header(BTCPAY_EVENT), BTCPAY_EVENT.replace(b"inv1", b"inv2")),
        ({}, BTCPAY_EVENT),
        ({"BTCPay-Sig": btcpay_header(BTCPAY_EVENT)["BTCPay-Sig"].removeprefix("sha256=")}, BTCPAY_EVENT),
        (btcpay_header(BTCPAY_EVENT, secret="other"), BTCPAY_EVENT),
        ({"BTCPay-Sig": "sha256=zz"}, b"not json"),
    ):
        with pytest.raises(InvalidWebhookSignature):
            provider.verify_webhook(headers, body, NOW)


def test_lnbits_callbacks_are_only_a_payment_hash_to_refetch() -> None:
    provider = LnbitsProvider("http://lnbits.example", "invoice-key")
    payment_hash = "ab" * 32
    body = json.dumps({"payment_hash": payment_hash, "amount": 2_100_000, "status": "success"}).encode()
    assert provider.verify_webhook({}, body, NOW).invoice_id == payment_hash
    as_lnbits_sends_it = json.dumps(body.decode()).encode()
    assert provider.verify_webhook({}, as_lnbits_sends_it, NOW).invoice_id == payment_hash
    for bad in (b"{}", b"not json", json.dumps({"payment_hash": "../etc"}).encode()):
        with pytest.raises(UnreadableWebhook):
            provider.verify_webhook({}, bad, NOW)


@pytest.mark.parametrize("kept", [0, 1, 32, 63])
def test_t5_p1_btcpay_empty_and_truncated_signatures_are_refused(kept: int) -> None:
    digest = btcpay_header(BTCPAY_EVENT)["BTCPay-Sig"].removeprefix("sha256=")
    for presented in (digest[:kept], digest[-kept:] if kept else ""):
        with pytest.raises(InvalidWebhookSignature):
            btcpay_provider().verify_webhook({"BTCPay-Sig": f"sha256={presented}"}, BTCPAY_EVENT, NOW)


@pytest.mark.parametrize("kept", [0, 1, 32, 63])
def test_t5_p1_stripe_empty_and_truncated_signatures_are_refused(kept: int) -> None:
    t, v1 = stripe_header(STRIPE_EVENT, NOW)["Stripe-Signature"].split(",")
    digest = v1.removeprefix("v1=")
    for presented in (digest[:kept], digest[-kept:] if kept else ""):
        with pytest.raises(InvalidWebhookSignature):
            stripe_provider().verify_webhook({"Stripe-Signature": f"{t},v1={presented}"}, STRIPE_EVENT, NOW)
