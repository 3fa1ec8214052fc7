"""Consumer contract: what our BTCPay Server client expects of the Greenfield invoices API."""

import pytest
from pact import Pact, match

from adapters.payments.btcpay import BtcpayProvider
from domain.billing.ports import (
    InvoiceState,
    ProviderMisconfigured,
    ProviderRateLimited,
    ProviderRejectedCredentials,
)
from domain.billing.subscriptions import Currency
from tests.contract.payments_support import (
    ERROR_ANSWERS,
    PAYMENT_ID,
    CountingTransport,
    assert_maps,
    invoice_request,
    pact_fixture,
)

fresh_pact_file, pact = pact_fixture("btcpay-greenfield")
API_KEY = "a0b1c2d3e4f5a0b1c2d3e4f5a0b1c2d3e4f5a0b1"
STORE = "9CiNzKoANXxmk5ayZngSXrHTiVvvgCrwrpFQd4m2K776"
INVOICE = "Q3vTZ9fGq2ZrJ9m3pYh2kx"
INVOICES = f"/api/v1/stores/{STORE}/invoices"


def client(url: str, transport: CountingTransport | None = None) -> BtcpayProvider:
    return BtcpayProvider(str(url), API_KEY, STORE, "webhook-secret", timeout=5, transport=transport)


def invoice_body(status: str) -> dict[str, object]:
    return {
        "id": match.str(INVOICE),
        "storeId": STORE,
        "amount": match.str("2100"),
        "currency": "SATS",
        "status": status,
        "additionalStatus": match.str("None"),
        "checkoutLink": match.str(f"https://btcpay.example.com/i/{INVOICE}"),
        "createdTime": match.int(1_796_155_758),
        "expirationTime": match.int(1_796_159_358),
        "metadata": {"orderId": str(PAYMENT_ID)},
    }


def create_request(pact: Pact, description: str):  # type: ignore[no-untyped-def]
    return (
        pact.upon_receiving(description)
        .with_request("POST", INVOICES)
        .with_header("Authorization", f"token {API_KEY}")
        .with_body(
            {
                "amount": match.str("2100"),
                "currency": "SATS",
                "metadata": {"orderId": str(PAYMENT_ID), "itemDesc": match.str("nostr-id Pro (monthly)")},
                "checkout": {
                    "expirationMinutes": match.int(60),
                    "redirectURL": match.str(f"https://id.example.com/api/v1/payments/{PAYMENT_ID}"),
                },
            },
            content_type="application/json",
        )
    )


async def test_creates_an_invoice_in_sats_with_our_payment_id_as_order_id(pact: Pact) -> None:
    (
        create_request(pact, "a request to create an invoice")
        .given("the store exists")
        .will_respond_with(200)
        .with_body(invoice_body("New"), content_type="application/json")
    )
    with pact.serve() as server:
        invoice = await client(server.url).create_invoice(invoice_request(2100, Currency.SAT))
    assert (invoice.invoice_id, invoice.state, invoice.amount) == (INVOICE, InvoiceState.PENDING, 2100)
    assert invoice.checkout_url == f"https://btcpay.example.com/i/{INVOICE}"


async def test_fetches_a_settled_invoice(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for a settled invoice")
        .given("the invoice is settled")
        .with_request("GET", f"{INVOICES}/{INVOICE}")
        .with_header("Authorization", f"token {API_KEY}")
        .will_respond_with(200)
        .with_body(invoice_body("Settled"), content_type="application/json")
    )
    with pact.serve() as server:
        invoice = await client(server.url).fetch_invoice(INVOICE)
    assert (invoice.state, invoice.amount, invoice.currency) == (InvoiceState.PAID, 2100, Currency.SAT)


async def test_a_retry_after_a_failed_create_finds_the_invoice_instead_of_making_a_second(pact: Pact) -> None:
    (
        create_request(pact, "a request to create an invoice that fails after creating it")
        .given("the server fails after creating the invoice")
        .will_respond_with(502)
    )
    (
        pact.upon_receiving("a look-up of invoices by our order id")
        .given("the server fails after creating the invoice")
        .with_request("GET", INVOICES)
        .with_query_parameter("orderId", str(PAYMENT_ID))
        .with_header("Authorization", f"token {API_KEY}")
        .will_respond_with(200)
        .with_body([invoice_body("New")], content_type="application/json")
    )
    transport = CountingTransport()
    with pact.serve() as server:
        invoice = await client(server.url, transport).create_invoice(invoice_request(2100, Currency.SAT))
    assert invoice.invoice_id == INVOICE
    assert transport.sent == ["POST", "GET"]


@pytest.mark.parametrize(("status", "error"), ERROR_ANSWERS)
async def test_error_answers_to_a_fetch_are_clear_errors(
    pact: Pact, status: int, error: type[Exception]
) -> None:
    (
        pact.upon_receiving(f"a request for an invoice answered {status}")
        .given(f"the server answers {status}")
        .with_request("GET", f"{INVOICES}/{INVOICE}")
        .with_header("Authorization", f"token {API_KEY}")
        .will_respond_with(status)
        .with_body(
            {"code": match.str("error-code"), "message": match.str("an error")},
            content_type="application/json",
        )
    )
    with pact.serve() as server, pytest.raises(Exception) as raised:
        await client(server.url).fetch_invoice(INVOICE)
    assert_maps(raised.value, error)


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, ProviderRejectedCredentials), (404, ProviderMisconfigured), (429, ProviderRateLimited)],
)
async def test_credential_store_and_rate_limit_answers_to_a_create_are_not_retried(
    pact: Pact, status: int, error: type[Exception]
) -> None:
    (
        create_request(pact, f"a request to create an invoice answered {status}")
        .given(f"the server answers {status}")
        .will_respond_with(status)
        .with_body(
            {"code": match.str("error-code"), "message": match.str("an error")},
            content_type="application/json",
        )
    )
    transport = CountingTransport()
    with pact.serve() as server, pytest.raises(Exception) as raised:
        await client(server.url, transport).create_invoice(invoice_request(2100, Currency.SAT))
    assert_maps(raised.value, error)
    assert transport.sent == ["POST"]
