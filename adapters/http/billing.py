"""Billing over HTTP: plans, subscriptions, payments and receipts, provider webhooks, admin changes."""

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, SkipValidation

from adapters.http.billing_models import (
    CheckoutRequest,
    CheckoutResponse,
    CompRequest,
    PaymentResponse,
    PlanList,
    PlanResponse,
    ReceiptResponse,
    RefundRequest,
    SubscriptionResponse,
    WebhookReceived,
)
from adapters.http.principal import actor_of
from adapters.http.responses import JSON_BODY, problem_responses
from application.billing.admin import CompSubscription, RefundPayment
from application.billing.payments import FakeSettle, GetPayment, GetReceipt, HandleWebhook
from application.billing.plans import ListPlans
from application.billing.subscribe import CancelSubscription, GetCurrentSubscription, StartSubscription
from domain.auth.principal import Principal


class BillingController(Controller):
    path = "/api/v1"
    tags = ["billing"]

    @get("/plans", **problem_responses(401, 503))
    async def plans(
        self,
        maybe_principal: NamedDependency[Principal | None],
        list_plans: NamedDependency[SkipValidation[ListPlans]],
    ) -> PlanList:
        """Every plan: the list price, and the caller's price after their Web-of-Trust discount."""
        pubkey = maybe_principal.pubkey if maybe_principal else None
        return PlanList(items=[PlanResponse.of(priced) for priced in await list_plans(pubkey)])

    @post("/subscriptions", status_code=201, **problem_responses(*JSON_BODY, 401, 403, 409, 502, 503))
    async def subscribe(
        self,
        data: JSONBody[CheckoutRequest],
        principal: NamedDependency[Principal],
        start_subscription: NamedDependency[SkipValidation[StartSubscription]],
    ) -> CheckoutResponse:
        """Orders a plan through a payment provider: the pending subscription and the invoice to pay.

        `names` are held for you until the invoice ends and registered when it is paid; 409 when
        one is taken, held for another buyer, or passes for another account's name."""
        checkout = await start_subscription(
            principal.user_id, principal.pubkey, data.plan_id, data.provider, data.names
        )
        return CheckoutResponse(
            subscription=SubscriptionResponse.of(checkout.subscription),
            payment=PaymentResponse.of(checkout.payment),
        )

    @get("/subscriptions/me", **problem_responses(401, 403, 404))
    async def my_subscription(
        self,
        principal: NamedDependency[Principal],
        get_current_subscription: NamedDependency[SkipValidation[GetCurrentSubscription]],
    ) -> SubscriptionResponse:
        """The current subscription (active, else pending), or 404."""
        return SubscriptionResponse.of(await get_current_subscription(principal.user_id))

    @post("/subscriptions/me/cancel", status_code=200, **problem_responses(401, 403, 404))
    async def cancel(
        self,
        principal: NamedDependency[Principal],
        cancel_subscription: NamedDependency[SkipValidation[CancelSubscription]],
    ) -> SubscriptionResponse:
        """Cancels at the end of the paid period; the subscription stays active until then."""
        return SubscriptionResponse.of(await cancel_subscription(principal.user_id))

    @get("/payments/{payment_id:uuid}", **problem_responses(400, 401, 403, 404))
    async def payment(
        self,
        payment_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        get_payment: NamedDependency[SkipValidation[GetPayment]],
    ) -> PaymentResponse:
        """One of the caller's payments."""
        return PaymentResponse.of(await get_payment(principal.user_id, payment_id))

    @get("/payments/{payment_id:uuid}/receipt", **problem_responses(400, 401, 403, 404))
    async def receipt(
        self,
        payment_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        get_receipt: NamedDependency[SkipValidation[GetReceipt]],
    ) -> ReceiptResponse:
        """The receipt of a paid payment of the caller (404 until it is paid)."""
        payment = await get_receipt(principal.user_id, payment_id)
        assert payment.receipt_number is not None
        return ReceiptResponse(
            receipt_number=payment.receipt_number,
            payment_id=str(payment.id),
            plan_id=payment.plan_id,
            provider=payment.provider.value,
            amount=payment.amount,
            currency=payment.currency.value,
            list_amount=payment.list_amount,
            discount_percent=payment.discount_percent,
            paid_at=payment.paid_at,
            refunded_at=payment.refunded_at,
        )

    @post(
        "/payments/{payment_id:uuid}/fake-settle",
        status_code=200,
        **problem_responses(400, 401, 403, 404, 409, 503),
    )
    async def fake_settle(
        self,
        payment_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        fake_settle: NamedDependency[SkipValidation[FakeSettle]],
    ) -> PaymentResponse:
        """Pays an invoice of the `fake` provider (never in production), as its callback would."""
        return PaymentResponse.of(await fake_settle(principal.user_id, payment_id))

    @post("/webhooks/{provider:str}", status_code=200, **problem_responses(400, 404, 502, 503))
    async def webhook(
        self,
        provider: FromPath[str],
        request: Request[Any, Any, Any],
        handle_webhook: NamedDependency[SkipValidation[HandleWebhook]],
    ) -> WebhookReceived:
        """A payment provider's callback. The signature is checked over the raw body before it is
        read; the invoice's state is then fetched from the provider. Redeliveries change nothing."""
        body = await request.body()
        await handle_webhook(provider, dict(request.headers), body)
        return WebhookReceived()


class AdminBillingController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]

    @post(
        "/payments/{payment_id:uuid}/refund",
        status_code=200,
        **problem_responses(*JSON_BODY, 401, 403, 404, 409),
    )
    async def refund(
        self,
        request: Request[Any, Any, Any],
        payment_id: FromPath[UUID],
        data: JSONBody[RefundRequest],
        admin_principal: NamedDependency[Principal],
        refund_payment: NamedDependency[SkipValidation[RefundPayment]],
    ) -> PaymentResponse:
        """Records a refund made at the provider; audited with the change."""
        actor = actor_of(request, admin_principal)
        return PaymentResponse.of(await refund_payment(actor, payment_id, data.reason))

    @post("/users/{user_id:uuid}/comp", status_code=200, **problem_responses(*JSON_BODY, 401, 403, 404, 409))
    async def comp(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        data: JSONBody[CompRequest],
        admin_principal: NamedDependency[Principal],
        comp_subscription: NamedDependency[SkipValidation[CompSubscription]],
    ) -> SubscriptionResponse:
        """Gives a plan for some days without payment; audited with the change."""
        actor = actor_of(request, admin_principal)
        subscription = await comp_subscription(actor, user_id, data.plan_id, data.days, data.reason)
        return SubscriptionResponse.of(subscription)
