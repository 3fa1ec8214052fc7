"""Ports of billing: subscriptions, payments and processed webhooks (semantics in
domain.shared.unit_of_work), and the PaymentProvider port: invoices at an outside payment
provider, and its webhooks.

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

from domain.billing.reminders import DueReminder
from domain.billing.subscriptions import Currency, Payment, PaymentProviderName, Subscription
from domain.shared.errors import DependencyUnavailable, DomainError, NotFound


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

    async def settle(self, invoice_id: str) -> ProviderInvoice:
        """Marks the invoice paid and answers its new state."""
        ...

    async def deliver_webhook(self, invoice_id: str) -> bool:
        """Announces the invoice's state with a signed webhook; True when the service took it."""
        ...


class SubscriptionRepository(Protocol):
    """Subscriptions; a user has at most one active subscription."""

    async def add(self, subscription: Subscription) -> None: ...

    async def get(self, subscription_id: UUID) -> Subscription | None: ...

    async def get_active_for_user(self, user_id: UUID) -> Subscription | None: ...

    async def list_for_user(self, user_id: UUID) -> list[Subscription]:
        """The user's subscriptions, newest first."""
        ...

    async def list_due_to_expire(self, now: datetime, limit: int) -> list[Subscription]:
        """Active subscriptions whose period has ended, earliest end first."""
        ...

    async def list_lapsed_users(self, before: datetime, free_names: int, limit: int) -> list[UUID]:
        """Users whose last paid period ended at or before `before`, who have no active subscription
        and more than `free_names` active NIP-05 names; earliest lapse first."""
        ...

    async def update(self, subscription: Subscription) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...


class PaymentRepository(Protocol):
    """Payments; one per (provider, provider invoice id)."""

    async def add(self, payment: Payment) -> None: ...

    async def get(self, payment_id: UUID) -> Payment | None: ...

    async def get_by_provider_invoice(
        self, provider: PaymentProviderName, provider_invoice_id: str
    ) -> Payment | None: ...

    async def list_for_user(self, user_id: UUID) -> list[Payment]:
        """The user's payments, newest first."""
        ...

    async def get_for_update(self, payment_id: UUID) -> Payment | None:
        """Reads the payment and locks it until the unit of work ends: concurrent settlements of
        one payment run one after another and each sees the previous one's outcome."""
        ...

    async def list_overdue(self, now: datetime, limit: int) -> list[Payment]:
        """Pending payments whose invoice expired at or before `now`: never tried first (earliest
        expiry first), then those whose expiry failed, least recently tried first."""
        ...

    async def mark_expiry_tried(self, payment_id: UUID, now: datetime) -> None:
        """Records that expiring the payment failed at `now`, so the queue moves on past it."""
        ...

    async def next_receipt_number(self, year: int) -> int:
        """The next receipt number of the year (starting at 1), without gaps: the number is taken
        inside the unit of work, held until it ends, and given back if it rolls back."""
        ...

    async def update(self, payment: Payment) -> None:
        """Stores the record's new state; raises NotFound when it was never added."""
        ...


class ProcessedWebhookRepository(Protocol):
    """Which payment-provider webhook deliveries were already handled."""

    async def mark_processed(self, provider: PaymentProviderName, event_id: str, now: datetime) -> bool:
        """Records the event; True the first time, False when it was already recorded. Concurrent
        calls for one event: exactly one True once their units of work commit."""
        ...


class RenewalReminderRepository(Protocol):
    """Renewal reminders: which are due, and one claim per (subscription, kind, period end)."""

    async def list_due(self, now: datetime, limit: int) -> list[DueReminder]:
        """Reminders whose moment has come, for active owners who want them, not yet sent: never claimed,
        failed, or claimed before `now - CLAIM_LEASE` and never marked."""
        ...

    async def claim(self, reminder: DueReminder, now: datetime) -> bool:
        """Atomically claims the reminder for sending: True when it was never claimed, failed, or
        its claim is older than CLAIM_LEASE. Of concurrent claims exactly one is True."""
        ...

    async def mark_sent(self, reminder: DueReminder, now: datetime) -> None: ...

    async def mark_failed(self, reminder: DueReminder, now: datetime) -> None:
        """The send failed: the next run claims it again."""
        ...
