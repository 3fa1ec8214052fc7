"""Consumer contract: what our LNbits client expects of the LNbits payments API."""

import pytest
from pact import Pact, match

from adapters.payments.lnbits import PAYMENT_HASH as PAYMENT_HASH_SHAPE
from adapters.payments.lnbits import LnbitsProvider
from domain.billing.ports import InvoiceState, ProviderMisconfigured
from domain.billing.subscriptions import Currency
from tests.contract.payments_support import (
    ERROR_ANSWERS,
    PAYMENT_HASH,
    CountingTransport,
    assert_maps,
    invoice_request,
    pact_fixture,
)

fresh_pact_file, pact = pact_fixture("lnbits")
KEY = "5e6c06d566024c18b8b811b2829fbee8"
BOLT11 = "lnbc21u1p4s72v3dq8w3jhxaqxqrrsssp5fcjajm83fepqem22l06fcxh7avfd73rtxm4xzxu6cvskptq5wggs"


def client(url: str, transport: CountingTransport | None = None) -> LnbitsProvider:
    return LnbitsProvider(str(url), KEY, timeout=5, transport=transport)


def create_request(pact: Pact, description: str):  # type: ignore[no-untyped-def]
    return (
        pact.upon_receiving(description)
        .with_request("POST", "/api/v1/payments")
        .with_header("X-Api-Key", KEY)
        .with_body(
            {
                "out": False,
                "amount": match.int(2100),
                "unit": "sat",
                "memo": match.str("nostr-id Pro (monthly)"),
                "expiry": match.int(3600),
                "webhook": match.str("https://id.example.com/api/v1/webhooks/lnbits"),
                "extra": {"payment_id": match.uuid()},
            },
            content_type="application/json",
        )
    )


async def test_creates_an_incoming_invoice(pact: Pact) -> None:
    (
        create_request(pact, "a request to create an incoming invoice")
        .given("the wallet exists")
        .will_respond_with(201)
        .with_body(
            {
                "payment_hash": match.regex(PAYMENT_HASH, regex=f"^{PAYMENT_HASH_SHAPE.pattern}$"),
                "bolt11": match.str(BOLT11),
                "amount": match.int(2_100_000),
                "expiry": match.str("2026-12-01T21:09:53"),
                "status": "pending",
            },
            content_type="application/json",
        )
    )
    with pact.serve() as server:
        invoice = await client(server.url).create_invoice(invoice_request(2100, Currency.SAT))
    assert (invoice.invoice_id, invoice.state, invoice.bolt11, invoice.amount) == (
        PAYMENT_HASH,
        InvoiceState.PENDING,
        BOLT11,
        2100,
    )


async def test_fetches_a_paid_invoice_by_payment_hash(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for a paid invoice")
        .given("the invoice is paid")
        .with_request("GET", f"/api/v1/payments/{PAYMENT_HASH}")
        .with_header("X-Api-Key", KEY)
        .will_respond_with(200)
        .with_body(
            {
                "paid": True,
                "details": {
                    "payment_hash": PAYMENT_HASH,
                    "amount": match.int(2_100_000),
                    "status": "success",
                    "bolt11": match.str(BOLT11),
                    "expiry": match.str("2026-12-01T21:09:53+00:00"),
                },
            },
            content_type="application/json",
        )
    )
    with pact.serve() as server:
        invoice = await client(server.url).fetch_invoice(PAYMENT_HASH)
    assert (invoice.state, invoice.amount, invoice.currency) == (InvoiceState.PAID, 2100, Currency.SAT)


@pytest.mark.parametrize(("status", "error"), ERROR_ANSWERS)
async def test_error_answers_to_a_fetch_are_clear_errors(
    pact: Pact, status: int, error: type[Exception]
) -> None:
    (
        pact.upon_receiving(f"a request for an invoice answered {status}")
        .given(f"the server answers {status}")
        .with_request("GET", f"/api/v1/payments/{PAYMENT_HASH}")
        .with_header("X-Api-Key", KEY)
        .will_respond_with(status)
        .with_body({"detail": match.str("an error")}, content_type="application/json")
    )
    with pact.serve() as server, pytest.raises(Exception) as raised:
        await client(server.url).fetch_invoice(PAYMENT_HASH)
    assert_maps(raised.value, error)


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, ProviderMisconfigured) if status == 404 else (status, error) for status, error in ERROR_ANSWERS],
)
async def test_error_answers_to_a_create_are_clear_errors_and_not_retried(
    pact: Pact, status: int, error: type[Exception]
) -> None:
    (
        create_request(pact, f"a request to create an invoice answered {status}")
        .given(f"the server answers {status}")
        .will_respond_with(status)
        .with_body({"detail": match.str("an error")}, content_type="application/json")
    )
    transport = CountingTransport()
    with pact.serve() as server, pytest.raises(Exception) as raised:
        await client(server.url, transport).create_invoice(invoice_request(2100, Currency.SAT))
    assert_maps(raised.value, error)
    # LNbits has no idempotency keys: an answered request is never sent again.
    assert transport.sent == ["POST"]
