"""The PaymentProvider port: invoices at an outside payment provider, and its webhooks.

Every adapter bounds each outside call with a timeout and maps the provider's answers to the
errors below; a retried invoice creation never creates a second invoice (idempotency keys, or a
look-up by our payment id before creating again).
"""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from msgspec import Struct

from domain.errors import DependencyUnavailable, DomainError, NotFound
from domain.records.billing import Currency, PaymentProviderName


class InvoiceState(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"
    FAILED = "failed"


class InvoiceRequest(Struct, frozen=True, kw_only=True):
    """What we ask a provider to bill; `payment_id` doubles as the idempotency key."""

    payment_id: UUID
    amount: int
    currency: Currency
    description: str
    webhook_url: str
    return_url: str
    expires_in_seconds: int = 3600


class ProviderInvoice(Struct, frozen=True, kw_only=True):
    """An invoice as the provider sees it now."""

    invoice_id: str
    state: InvoiceState
    amount: int
    currency: Currency
    checkout_url: str | None = None
    bolt11: str | None = None
    expires_at: datetime | None = None


class WebhookNotice(Struct, frozen=True, kw_only=True):
    """A verified webhook: which invoice to re-fetch (None: an event about nothing we bill), and
    the delivery's event id when it has one."""

    invoice_id: str | None
    event_id: str | None = None


class InvalidWebhookSignature(DomainError):
    """The webhook's signature is missing, malformed, wrong, or outside its time tolerance."""

    title = "Invalid webhook signature"


class UnreadableWebhook(DomainError):
    """The webhook was authentic but names no invoice we can re-fetch."""

    title = "Unreadable webhook"


class ProviderError(DependencyUnavailable):
    """The payment provider could not do what we asked; nothing was charged by this call."""

    title = "Payment provider unavailable"


class ProviderMisconfigured(ProviderError):
    """The provider refuses our configuration (a store or wallet it does not know); retrying will not help."""


class ProviderRejectedCredentials(ProviderMisconfigured):
    """The provider answered 401/403: our API key is wrong or lacks a permission."""


class ProviderRateLimited(ProviderError):
    """The provider answered 429."""


class ProviderInvoiceNotFound(NotFound):
    """The provider does not know the invoice (404)."""


class PaymentProvider(Protocol):
    """One outside payment provider (BTCPay Server, LNbits, Stripe, or the fake)."""

    name: PaymentProviderName
    currency: Currency

    async def create_invoice(self, request: InvoiceRequest) -> ProviderInvoice:
        """Creates the invoice (or checkout); a retry with the same payment id returns the same one."""
        ...

    async def fetch_invoice(self, invoice_id: str) -> ProviderInvoice:
        """The invoice's current state, read from the provider (never from the webhook body)."""
        ...

    def verify_webhook(self, headers: Mapping[str, str], body: bytes, now: datetime) -> WebhookNotice:
        """Checks the signature over the raw body before parsing it (InvalidWebhookSignature), then
        reads which invoice the delivery is about (UnreadableWebhook)."""
        ...


class SettlesOnDemand(PaymentProvider, Protocol):
    """A provider that can mark one of its invoices paid at once: the fake provider, outside production."""

    def settle(self, invoice_id: str) -> ProviderInvoice:
        """Marks the invoice paid and answers its new state."""
        ...
