"""Subscriptions to a plan, and the payments that activate them."""

import re
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from msgspec import Struct, structs

from domain.shared.errors import InvalidInput, InvalidTransition
from domain.shared.transitions import check_transition

PLAN_ID_SHAPE = re.compile(r"[a-z0-9_-]{1,64}")
RECEIPT_PREFIX = "NID-"


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELED = "canceled"


SUBSCRIPTION_TRANSITIONS = {
    SubscriptionStatus.PENDING: frozenset({SubscriptionStatus.ACTIVE}),
    SubscriptionStatus.ACTIVE: frozenset({SubscriptionStatus.EXPIRED, SubscriptionStatus.CANCELED}),
}


class PaymentProviderName(StrEnum):
    BTCPAY = "btcpay"
    LNBITS = "lnbits"
    STRIPE = "stripe"
    FAKE = "fake"


class Currency(StrEnum):
    SAT = "sat"
    USD = "usd"


class PaymentStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    EXPIRED = "expired"
    FAILED = "failed"
    REFUNDED = "refunded"


PAYMENT_TRANSITIONS = {
    PaymentStatus.PENDING: frozenset({PaymentStatus.PAID, PaymentStatus.EXPIRED, PaymentStatus.FAILED}),
    PaymentStatus.PAID: frozenset({PaymentStatus.REFUNDED}),
}


def format_receipt_number(year: int, sequence: int) -> str:
    """Receipts are numbered consecutively within each year: NID-2026-000001, NID-2026-000002, ..."""
    if sequence < 1:
        raise InvalidInput("receipt sequence numbers start at 1")
    if not 2000 <= year <= 9999:
        raise InvalidInput("receipt year out of range")
    return f"{RECEIPT_PREFIX}{year}-{sequence:06d}"


class Subscription(Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    plan_id: str
    status: SubscriptionStatus = SubscriptionStatus.PENDING
    created_at: datetime
    updated_at: datetime
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    canceled_at: datetime | None = None

    def __post_init__(self) -> None:
        if PLAN_ID_SHAPE.fullmatch(self.plan_id) is None:
            raise InvalidInput("plan_id must be 1 to 64 characters of a-z, 0-9, '-' or '_'")

    @classmethod
    def order(cls, *, user_id: UUID, plan_id: str, now: datetime) -> "Subscription":
        return cls(id=uuid4(), user_id=user_id, plan_id=plan_id, created_at=now, updated_at=now)

    def activate(self, now: datetime, period: timedelta) -> "Subscription":
        """Paid: runs from now for one period."""
        if period <= timedelta(0):
            raise InvalidInput("a subscription period must be positive")
        status = check_transition(
            "subscription", self.status, SubscriptionStatus.ACTIVE, SUBSCRIPTION_TRANSITIONS
        )
        return structs.replace(self, status=status, starts_at=now, expires_at=now + period, updated_at=now)

    def is_expired(self, now: datetime) -> bool:
        """Its period is over (an active subscription ends at the first instant of `expires_at`)."""
        return self.expires_at is not None and now >= self.expires_at

    def is_current(self, now: datetime) -> bool:
        return self.status is SubscriptionStatus.ACTIVE and not self.is_expired(now)

    def renew(self, now: datetime, period: timedelta) -> "Subscription":
        """Paid again while active: one more period from the current end (or from now, if later).

        A cancellation scheduled for the period end is withdrawn by paying again.
        """
        if self.status is not SubscriptionStatus.ACTIVE or self.expires_at is None:
            raise InvalidTransition("only an active subscription can be renewed")
        if period <= timedelta(0):
            raise InvalidInput("a subscription period must be positive")
        start = max(self.expires_at, now)
        return structs.replace(self, expires_at=start + period, canceled_at=None, updated_at=now)

    def cancel_at_period_end(self, now: datetime) -> "Subscription":
        """Stays active until `expires_at`; the expiry job then ends it as canceled."""
        if self.status is not SubscriptionStatus.ACTIVE:
            raise InvalidTransition("only an active subscription can be canceled")
        return structs.replace(self, canceled_at=self.canceled_at or now, updated_at=now)

    def end(self, now: datetime) -> "Subscription":
        """Its period is over: canceled when a cancellation was scheduled, otherwise expired."""
        if self.canceled_at is None:
            return self.expire(now)
        if not self.is_expired(now):
            raise InvalidTransition("subscription has not reached its end yet")
        status = check_transition(
            "subscription", self.status, SubscriptionStatus.CANCELED, SUBSCRIPTION_TRANSITIONS
        )
        return structs.replace(self, status=status, updated_at=now)

    def expire(self, now: datetime) -> "Subscription":
        status = check_transition(
            "subscription", self.status, SubscriptionStatus.EXPIRED, SUBSCRIPTION_TRANSITIONS
        )
        if not self.is_expired(now):
            raise InvalidTransition("subscription has not reached its end yet")
        return structs.replace(self, status=status, updated_at=now)

    def cancel(self, now: datetime) -> "Subscription":
        status = check_transition(
            "subscription", self.status, SubscriptionStatus.CANCELED, SUBSCRIPTION_TRANSITIONS
        )
        return structs.replace(self, status=status, canceled_at=now, updated_at=now)


class Payment(Struct, frozen=True, kw_only=True):
    """One provider invoice. `amount` is in the currency's smallest unit (sats or cents).

    `list_amount` is the plan's price and `discount_percent` the WoT discount, both fixed when the
    invoice was created; `amount` is what the buyer was asked to pay.
    """

    id: UUID
    user_id: UUID
    subscription_id: UUID | None = None
    provider: PaymentProviderName
    provider_invoice_id: str
    amount: int
    currency: Currency
    status: PaymentStatus = PaymentStatus.PENDING
    checkout_url: str | None = None
    bolt11: str | None = None
    receipt_number: str | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    paid_at: datetime | None = None
    refunded_at: datetime | None = None
    plan_id: str | None = None
    list_amount: int | None = None
    discount_percent: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.discount_percent <= 100:
            raise InvalidInput("discount_percent must be in 0..100", {"discount_percent": "out of range"})
        if self.amount <= 0:
            raise InvalidInput("amount must be positive", {"amount": "must be positive"})
        if not 1 <= len(self.provider_invoice_id) <= 200:
            raise InvalidInput("provider_invoice_id must be 1 to 200 characters")

    @classmethod
    def open(
        cls,
        *,
        user_id: UUID,
        provider: PaymentProviderName,
        provider_invoice_id: str,
        amount: int,
        currency: Currency,
        now: datetime,
        subscription_id: UUID | None = None,
        checkout_url: str | None = None,
        bolt11: str | None = None,
        expires_at: datetime | None = None,
        plan_id: str | None = None,
        list_amount: int | None = None,
        discount_percent: int = 0,
        payment_id: UUID | None = None,
    ) -> "Payment":
        return cls(
            id=payment_id or uuid4(),
            user_id=user_id,
            subscription_id=subscription_id,
            provider=provider,
            provider_invoice_id=provider_invoice_id,
            amount=amount,
            currency=currency,
            checkout_url=checkout_url,
            bolt11=bolt11,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
            plan_id=plan_id,
            list_amount=list_amount,
            discount_percent=discount_percent,
        )

    def is_overdue(self, now: datetime) -> bool:
        """Still pending past its invoice expiry."""
        return self.status is PaymentStatus.PENDING and self.expires_at is not None and now >= self.expires_at

    def mark_paid(self, now: datetime, receipt_number: str) -> "Payment":
        status = check_transition("payment", self.status, PaymentStatus.PAID, PAYMENT_TRANSITIONS)
        return structs.replace(
            self, status=status, paid_at=now, receipt_number=receipt_number, updated_at=now
        )

    def mark_expired(self, now: datetime) -> "Payment":
        status = check_transition("payment", self.status, PaymentStatus.EXPIRED, PAYMENT_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def mark_failed(self, now: datetime) -> "Payment":
        status = check_transition("payment", self.status, PaymentStatus.FAILED, PAYMENT_TRANSITIONS)
        return structs.replace(self, status=status, updated_at=now)

    def refund(self, now: datetime) -> "Payment":
        status = check_transition("payment", self.status, PaymentStatus.REFUNDED, PAYMENT_TRANSITIONS)
        return structs.replace(self, status=status, refunded_at=now, updated_at=now)
