"""The fake payment provider: invoices in memory that settle on demand, for `make run`, demos and tests.

Its webhooks are signed like BTCPay's (`Fake-Sig: sha256=<hex HMAC of the raw body>`) when it has a
webhook secret; without one it accepts none. It is never configured in production.
"""

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

from adapters.payments.signatures import hmac_sha256_hex, matches
from domain.billing.ports import (
    InvalidWebhookSignature,
    InvoiceRequest,
    InvoiceState,
    ProviderInvoice,
    ProviderInvoiceNotFound,
    UnreadableWebhook,
    WebhookNotice,
)
from domain.billing.subscriptions import Currency, PaymentProviderName
from domain.shared.clock import Clock

SIGNATURE_HEADER = "fake-sig"


class FakePaymentProvider:
    name = PaymentProviderName.FAKE

    def __init__(
        self,
        clock: Clock,
        public_url: str = "http://127.0.0.1:8000",
        webhook_secret: str | None = None,
        currency: Currency = Currency.SAT,
    ) -> None:
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self._webhook_secret = webhook_secret
        self.currency = currency
        self.invoices: dict[str, ProviderInvoice] = {}
        self.created = 0

    async def create_invoice(self, request: InvoiceRequest) -> ProviderInvoice:
        invoice_id = f"fake_{request.payment_id.hex}"
        if invoice_id in self.invoices:
            return self.invoices[invoice_id]
        self.created += 1
        invoice = ProviderInvoice(
            invoice_id=invoice_id,
            state=InvoiceState.PENDING,
            amount=request.amount,
            currency=request.currency,
            checkout_url=f"{self._public_url}/api/v1/payments/{request.payment_id}",
            expires_at=self._clock.now() + timedelta(seconds=request.expires_in_seconds),
        )
        self.invoices[invoice_id] = invoice
        return invoice

    async def fetch_invoice(self, invoice_id: str) -> ProviderInvoice:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            raise ProviderInvoiceNotFound("the fake provider does not know this invoice")
        if invoice.state is InvoiceState.PENDING and _past(invoice.expires_at, self._clock.now()):
            return self.set_state(invoice_id, InvoiceState.EXPIRED)
        return invoice

    def settle(self, invoice_id: str) -> ProviderInvoice:
        return self.set_state(invoice_id, InvoiceState.PAID)

    def set_state(self, invoice_id: str, state: InvoiceState) -> ProviderInvoice:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            raise ProviderInvoiceNotFound("the fake provider does not know this invoice")
        changed = ProviderInvoice(
            invoice_id=invoice.invoice_id,
            state=state,
            amount=invoice.amount,
            currency=invoice.currency,
            checkout_url=invoice.checkout_url,
            bolt11=invoice.bolt11,
            expires_at=invoice.expires_at,
        )
        self.invoices[invoice_id] = changed
        return changed

    def sign(self, body: bytes) -> dict[str, str]:
        """The headers the fake provider would send with this body."""
        assert self._webhook_secret is not None
        return {"Fake-Sig": f"sha256={hmac_sha256_hex(self._webhook_secret, body)}"}

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookNotice:
        if self._webhook_secret is None:
            raise InvalidWebhookSignature("the fake provider accepts no webhooks without a secret")
        presented = _header(headers, SIGNATURE_HEADER)
        if presented is None or not presented.startswith("sha256="):
            raise InvalidWebhookSignature("missing or malformed Fake-Sig header")
        if not matches(hmac_sha256_hex(self._webhook_secret, body), presented.removeprefix("sha256=")):
            raise InvalidWebhookSignature("Fake-Sig does not match the body")
        try:
            event = json.loads(body)
            return WebhookNotice(invoice_id=str(event["invoice_id"]), event_id=str(event["event_id"]))
        except (ValueError, KeyError, TypeError) as error:
            raise UnreadableWebhook("the webhook names no invoice") from error


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _past(at: datetime | None, now: datetime) -> bool:
    return at is not None and now >= at
