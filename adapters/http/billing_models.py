"""The request and response Structs of the billing routes."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from adapters.http.fields import NameText
from application.billing.plans import PricedPlan
from domain.billing.subscriptions import Payment, Subscription
from domain.shared.text import PLAIN_TEXT_PATTERN


class PlanFeatures(msgspec.Struct):
    names: int
    custom_domains: int
    api_requests_per_minute: int
    api_keys: int


class PlanResponse(msgspec.Struct):
    id: str
    name: str
    period_days: int
    price_sats: int
    price_usd_cents: int
    discount_percent: int
    discounted_price_sats: int
    discounted_price_usd_cents: int
    features: PlanFeatures

    @classmethod
    def of(cls, priced: PricedPlan) -> "PlanResponse":
        plan = priced.plan
        return cls(
            id=plan.id,
            name=plan.name,
            period_days=plan.period_days,
            price_sats=plan.price_sats,
            price_usd_cents=plan.price_usd_cents,
            discount_percent=priced.discount_percent,
            discounted_price_sats=priced.discounted_price_sats,
            discounted_price_usd_cents=priced.discounted_price_usd_cents,
            features=PlanFeatures(**msgspec.structs.asdict(plan.quotas)),
        )


class PlanList(msgspec.Struct):
    items: list[PlanResponse]


class SubscriptionResponse(msgspec.Struct):
    id: str
    plan_id: str
    status: str
    created_at: datetime
    starts_at: datetime | None
    expires_at: datetime | None
    canceled_at: datetime | None
    cancel_at_period_end: bool

    @classmethod
    def of(cls, subscription: Subscription) -> "SubscriptionResponse":
        return cls(
            id=str(subscription.id),
            plan_id=subscription.plan_id,
            status=subscription.status.value,
            created_at=subscription.created_at,
            starts_at=subscription.starts_at,
            expires_at=subscription.expires_at,
            canceled_at=subscription.canceled_at,
            cancel_at_period_end=subscription.canceled_at is not None
            and subscription.status.value == "active",
        )


class PaymentResponse(msgspec.Struct):
    id: str
    status: str
    provider: str
    amount: int
    currency: str
    checkout_url: str | None
    bolt11: str | None
    expires_at: datetime | None
    paid_at: datetime | None
    plan_id: str | None
    subscription_id: str | None
    list_amount: int | None
    discount_percent: int
    receipt_number: str | None
    created_at: datetime

    @classmethod
    def of(cls, payment: Payment) -> "PaymentResponse":
        return cls(
            id=str(payment.id),
            status=payment.status.value,
            provider=payment.provider.value,
            amount=payment.amount,
            currency=payment.currency.value,
            checkout_url=payment.checkout_url,
            bolt11=payment.bolt11,
            expires_at=payment.expires_at,
            paid_at=payment.paid_at,
            plan_id=payment.plan_id,
            subscription_id=str(payment.subscription_id) if payment.subscription_id else None,
            list_amount=payment.list_amount,
            discount_percent=payment.discount_percent,
            receipt_number=payment.receipt_number,
            created_at=payment.created_at,
        )


class ReceiptResponse(msgspec.Struct):
    receipt_number: str
    payment_id: str
    plan_id: str | None
    provider: str
    amount: int
    currency: str
    list_amount: int | None
    discount_percent: int
    paid_at: datetime | None
    refunded_at: datetime | None


# Names one checkout may hold; the plan's names quota bounds them further.
MAX_CHECKOUT_NAMES = 20


class CheckoutRequest(msgspec.Struct, forbid_unknown_fields=True):
    plan_id: Annotated[str, msgspec.Meta(pattern="^[a-z0-9_-]{1,64}$", description="a plan of GET /plans")]
    provider: Literal["btcpay", "lnbits", "stripe", "fake"]
    names: Annotated[
        list[NameText],
        msgspec.Meta(
            max_length=MAX_CHECKOUT_NAMES,
            description="names on the service's domain to hold for you until the invoice ends, "
            "registered when it is paid",
        ),
    ] = []


class CheckoutResponse(msgspec.Struct):
    subscription: SubscriptionResponse
    payment: PaymentResponse


Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=PLAIN_TEXT_PATTERN)]


class RefundRequest(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class CompRequest(msgspec.Struct, forbid_unknown_fields=True):
    plan_id: Annotated[str, msgspec.Meta(pattern="^[a-z0-9_-]{1,64}$")]
    days: Annotated[int, msgspec.Meta(ge=1, le=3660)]
    reason: Reason


class WebhookReceived(msgspec.Struct):
    received: bool = True
