"""Consumer contract: what our Stripe client (the official library) expects of Checkout Sessions."""

import pytest
from pact import Pact, match

from adapters.payments.stripe_checkout import StripeProvider
from domain.billing.ports import InvoiceState, ProviderError
from domain.billing.subscriptions import Currency
from tests.contract.payments_support import (
    ERROR_ANSWERS,
    PAYMENT_ID,
    assert_maps,
    invoice_request,
    pact_fixture,
)

fresh_pact_file, pact = pact_fixture("stripe")
API_KEY = "sk_test_51Hcontract"
SESSION = "cs_test_a1B2c3D4e5F6g7H8"
SESSIONS = "/v1/checkout/sessions"
IDEMPOTENCY_KEY = f"checkout-{PAYMENT_ID}"


def client(url: str, retries: int = 0) -> StripeProvider:
    return StripeProvider(API_KEY, "whsec_test", timeout=5, api_base=str(url), max_network_retries=retries)


def session_body(status: str, payment_status: str) -> dict[str, object]:
    return {
        "id": match.str(SESSION),
        "object": "checkout.session",
        "url": match.str(f"https://checkout.stripe.com/c/pay/{SESSION}"),
        "status": status,
        "payment_status": payment_status,
        "amount_total": match.int(500),
        "currency": "usd",
        "client_reference_id": str(PAYMENT_ID),
        "expires_at": match.int(1_796_162_958),
    }


def create_request(pact: Pact, description: str):  # type: ignore[no-untyped-def]
    return (
        pact.upon_receiving(description)
        .with_request("POST", SESSIONS)
        .with_header("Authorization", f"Bearer {API_KEY}")
        .with_header("Idempotency-Key", IDEMPOTENCY_KEY)
    )


async def test_creates_a_checkout_session_with_an_idempotency_key(pact: Pact) -> None:
    (
        create_request(pact, "a request to create a checkout session")
        .given("the account can take payments")
        .will_respond_with(200)
        .with_body(session_body("open", "unpaid"), content_type="application/json")
    )
    with pact.serve() as server:
        invoice = await client(server.url).create_invoice(invoice_request(500, Currency.USD))
    assert (invoice.invoice_id, invoice.state, invoice.amount, invoice.currency) == (
        SESSION,
        InvoiceState.PENDING,
        500,
        Currency.USD,
    )
    assert invoice.checkout_url == f"https://checkout.stripe.com/c/pay/{SESSION}"


async def test_fetches_a_paid_session(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for a paid checkout session")
        .given("the checkout session is paid")
        .with_request("GET", f"{SESSIONS}/{SESSION}")
        .with_header("Authorization", f"Bearer {API_KEY}")
        .will_respond_with(200)
        .with_body(session_body("complete", "paid"), content_type="application/json")
    )
    with pact.serve() as server:
        invoice = await client(server.url).fetch_invoice(SESSION)
    assert (invoice.state, invoice.amount) == (InvoiceState.PAID, 500)


@pytest.mark.parametrize(("status", "error"), ERROR_ANSWERS)
async def test_error_answers_are_clear_errors(pact: Pact, status: int, error: type[Exception]) -> None:
    (
        pact.upon_receiving(f"a request for a checkout session answered {status}")
        .given(f"the server answers {status}")
        .with_request("GET", f"{SESSIONS}/{SESSION}")
        .with_header("Authorization", f"Bearer {API_KEY}")
        .will_respond_with(status)
        .with_body(
            {"error": {"type": match.str("api_error"), "message": match.str("an error")}},
            content_type="application/json",
        )
    )
    with pact.serve() as server, pytest.raises(Exception) as raised:
        await client(server.url).fetch_invoice(SESSION)
    assert_maps(raised.value, error)


async def test_a_create_retried_by_the_library_keeps_its_idempotency_key(pact: Pact) -> None:
    (
        create_request(pact, "a request to create a checkout session answered 503")
        .given("the server answers 503")
        .will_respond_with(503)
        .with_body(
            {"error": {"type": "api_error", "message": match.str("try again")}},
            content_type="application/json",
        )
    )
    with pact.serve() as server, pytest.raises(Exception) as raised:
        await client(server.url, retries=1).create_invoice(invoice_request(500, Currency.USD))
    assert_maps(raised.value, ProviderError)
