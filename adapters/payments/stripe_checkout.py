"""Stripe Checkout Sessions through the official `stripe` library, billed in US cents.

Each session is created with our payment id as its Idempotency-Key, so the library's own network
retries (and ours) never open a second session. Webhooks carry
`Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]`, an HMAC-SHA256 of "{t}.{raw body}"; the library's
check only bounds the past, so the timestamp is checked here against 300 s both ways.
"""

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from adapters.payments.http_errors import DEFAULT_TIMEOUT
from adapters.payments.signatures import hmac_sha256_hex, matches
from domain.billing.ports import (
    InvalidWebhookSignature,
    InvoiceRequest,
    InvoiceState,
    ProviderError,
    ProviderInvoice,
    ProviderInvoiceNotFound,
    ProviderRateLimited,
    ProviderRejectedCredentials,
    UnreadableWebhook,
    WebhookNotice,
)
from domain.billing.subscriptions import Currency, PaymentProviderName

NAME = "Stripe"
SIGNATURE_HEADER = "stripe-signature"
TOLERANCE = timedelta(seconds=300)
# Unix seconds in decimal digits only; twelve digits reach past the year 30000.
MAX_TIMESTAMP_DIGITS = 12
# Stripe accepts a Checkout Session expiry between 30 minutes and 24 hours ahead.
MIN_SESSION_SECONDS = 30 * 60 + 60
MAX_SESSION_SECONDS = 24 * 3600
SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)


class StripeProvider:
    name = PaymentProviderName.STRIPE
    currency = Currency.USD

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        api_base: str | None = None,
        max_network_retries: int = 2,
    ) -> None:
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            api_key,
            http_client=stripe.HTTPXClient(timeout=timeout),
            max_network_retries=max_network_retries,
            base_addresses={"api": api_base} if api_base else None,
        )

    async def create_invoice(self, request: InvoiceRequest) -> ProviderInvoice:
        if request.currency is not Currency.USD:
            raise ProviderError("Stripe checkouts are billed in USD here")
        lifetime = min(MAX_SESSION_SECONDS, max(MIN_SESSION_SECONDS, request.expires_in_seconds))
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": request.amount,
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "success_url": request.return_url,
            "cancel_url": request.return_url,
            "client_reference_id": str(request.payment_id),
            "metadata": {"payment_id": str(request.payment_id)},
            "expires_at": int(datetime.now(UTC).timestamp()) + lifetime,
        }
        async with _mapped_errors():
            session = await self._client.v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": f"checkout-{request.payment_id}"},
            )
        return _invoice(session)

    async def fetch_invoice(self, invoice_id: str) -> ProviderInvoice:
        async with _mapped_errors():
            session = await self._client.v1.checkout.sessions.retrieve_async(invoice_id)
        return _invoice(session)

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookNotice:
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
        if header is None:
            raise InvalidWebhookSignature("missing Stripe-Signature header")
        timestamp, signatures = _parse_signature_header(header)
        # Whole seconds compared as integers: no timestamp, however far off, is turned into a date.
        if abs(int(now.timestamp()) - timestamp) > TOLERANCE.total_seconds():
            raise InvalidWebhookSignature("Stripe-Signature timestamp is outside the 300 s tolerance")
        expected = hmac_sha256_hex(self._webhook_secret, f"{timestamp}.".encode() + body)
        # Every v1 is compared (Stripe sends several while a secret is being rolled).
        if not any([matches(expected, signature) for signature in signatures]):
            raise InvalidWebhookSignature("Stripe-Signature does not match the body")
        try:
            event = json.loads(body)
            event_id = str(event["id"])
            event_type = str(event["type"])
            session_id = event["data"]["object"]["id"] if event_type in SESSION_EVENTS else None
        except (ValueError, KeyError, TypeError) as error:
            raise UnreadableWebhook("the Stripe webhook is not an event we can read") from error
        return WebhookNotice(invoice_id=str(session_id) if session_id else None, event_id=event_id)


def _parse_signature_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            if not (value.isascii() and value.isdigit() and len(value) <= MAX_TIMESTAMP_DIGITS):
                raise InvalidWebhookSignature("Stripe-Signature has a malformed timestamp")
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidWebhookSignature("Stripe-Signature lacks a timestamp or a v1 signature")
    return timestamp, signatures


@asynccontextmanager
async def _mapped_errors() -> AsyncIterator[None]:
    try:
        yield
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        raise ProviderRejectedCredentials(
            f"Stripe rejected our credentials ({error.http_status}); check STRIPE_API_KEY"
        ) from error
    except stripe.RateLimitError as error:
        raise ProviderRateLimited("Stripe is rate-limiting us; retry later", 30) from error
    except stripe.InvalidRequestError as error:
        if error.http_status == 404:
            raise ProviderInvoiceNotFound("Stripe does not know this checkout session") from error
        raise ProviderError(f"Stripe refused the request ({error.http_status})") from error
    except stripe.APIConnectionError as error:
        raise ProviderError("Stripe could not be reached or did not answer in time") from error
    except stripe.StripeError as error:
        raise ProviderError(f"Stripe failed ({error.http_status}); retry later") from error


def _invoice(resource: Any) -> ProviderInvoice:
    session: dict[str, Any] = resource.to_dict()
    if session.get("payment_status") == "paid":
        state = InvoiceState.PAID
    elif session.get("status") == "expired":
        state = InvoiceState.EXPIRED
    else:
        state = InvoiceState.PENDING
    expires_at = session.get("expires_at")
    return ProviderInvoice(
        invoice_id=str(session["id"]),
        state=state,
        amount=int(session.get("amount_total") or 0),
        currency=Currency.USD,
        checkout_url=session.get("url"),
        expires_at=datetime.fromtimestamp(expires_at, UTC) if expires_at else None,
    )
