"""A payment's page: the Lightning invoice (QR code, text, `lightning:` link) or the card checkout,
its status as it changes (the page's script asks `/payments/<id>/status`), the fake provider's
"Simulate payment", and the printable receipt once it is paid (GetPayment, FakeSettle, GetReceipt).
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from adapters.http.problems import status_of
from adapters.web.amounts import amount_text, instant_text
from adapters.web.pages import page
from adapters.web.plans import PROVIDER_LABELS
from adapters.web.qr import qr_svg
from application.billing.payments import FakeSettle, GetPayment, GetReceipt
from domain.auth.principal import Principal
from domain.billing.plans import Plan
from domain.billing.subscriptions import Payment, PaymentProviderName, PaymentStatus
from domain.shared.errors import Forbidden, InvalidTransition, NotFound

STATUS_TEXT = {
    PaymentStatus.PENDING: "Waiting for payment",
    PaymentStatus.PAID: "Paid",
    PaymentStatus.EXPIRED: "Expired: choose the plan again for a new invoice",
    PaymentStatus.FAILED: "Failed: choose the plan again",
    PaymentStatus.REFUNDED: "Refunded",
}
HAS_RECEIPT = (PaymentStatus.PAID, PaymentStatus.REFUNDED)


class PaymentState(msgspec.Struct):
    """What the payment page's script reads: the status, its sentence, and the receipt's page."""

    status: str
    text: str
    done: bool
    receipt: str | None

    @classmethod
    def of(cls, payment: Payment) -> "PaymentState":
        return cls(
            status=payment.status.value,
            text=STATUS_TEXT[payment.status],
            done=payment.status is not PaymentStatus.PENDING,
            receipt=receipt_path(payment) if payment.status in HAS_RECEIPT else None,
        )


def receipt_path(payment: Payment) -> str:
    return f"/payments/{payment.id}/receipt"


def plan_name(plans: tuple[Plan, ...], plan_id: str | None) -> str:
    return next((plan.name for plan in plans if plan.id == plan_id), plan_id or "")


@dataclass(frozen=True)
class PaymentView:
    """Renders one payment of the signed-in user."""

    request: Request[Any, Any, Any]
    principal: Principal
    get_payment: GetPayment
    plans: tuple[Plan, ...]

    async def __call__(
        self, payment_id: UUID, *, error: str | None = None, status_code: int = 200
    ) -> Template:
        payment = await self.get_payment(self.principal.user_id, payment_id)
        lightning = f"lightning:{payment.bolt11}" if payment.bolt11 else None
        return page(
            self.request,
            "payment.html",
            title="Payment",
            principal=self.principal,
            status_code=status_code,
            payment=payment,
            plan=plan_name(self.plans, payment.plan_id),
            amount=amount_text(payment.amount, payment.currency),
            state=PaymentState.of(payment),
            qr=qr_svg(lightning.upper()) if lightning else None,
            lightning=lightning,
            checkout_url=payment.checkout_url if not payment.bolt11 else None,
            simulated=payment.provider is PaymentProviderName.FAKE,
            go_to_checkout=self.request.query_params.get("checkout") == "1",
            expires=instant_text(payment.expires_at),
            error=error,
        )


async def payment_view(
    request: Request[Any, Any, Any],
    web_principal: NamedDependency[Principal],
    get_payment: NamedDependency[SkipValidation[GetPayment]],
    billing_plans: NamedDependency[SkipValidation[tuple[Plan, ...]]],
) -> PaymentView:
    return PaymentView(request, web_principal, get_payment, billing_plans)


class PaymentPages(Controller):
    path = "/payments/{payment_id:uuid}"

    @get("/")
    async def payment(
        self,
        request: Request[Any, Any, Any],
        payment_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        payment_view: NamedDependency[SkipValidation[PaymentView]],
    ) -> Template:
        try:
            return await payment_view(payment_id)
        except NotFound:
            # Another user's payment is answered as one that does not exist (K2).
            return page(
                request,
                "missing.html",
                title="No such payment",
                principal=web_principal,
                status_code=404,
                detail="There is no payment of yours at this address.",
            )

    @get("/status")
    async def status(
        self,
        payment_id: FromPath[UUID],
        unrenewed_principal: NamedDependency[Principal | None],
        get_payment: NamedDependency[SkipValidation[GetPayment]],
    ) -> Response[PaymentState | dict[str, str]]:
        """The payment's state for the page's script (the JSON API takes bearer tokens, not cookies).
        A background request never renews the session: once the access token has expired it answers
        401 and the script reloads the page, whose navigation renews it."""
        if unrenewed_principal is None:
            return Response({"status": "signed_out"}, status_code=401)
        return Response(PaymentState.of(await get_payment(unrenewed_principal.user_id, payment_id)))

    @post("/simulate", status_code=303)
    async def simulate(
        self,
        request: Request[Any, Any, Any],
        payment_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        fake_settle: NamedDependency[SkipValidation[FakeSettle]],
        payment_view: NamedDependency[SkipValidation[PaymentView]],
    ) -> Response[Any]:
        """Pays a fake invoice as its provider would. The page's script posts it and stays (its
        answer is the payment's state); a form posted without the script comes back to the page."""
        try:
            paid = await fake_settle(web_principal.user_id, payment_id)
        except (Forbidden, InvalidTransition) as refused:
            return await payment_view(payment_id, error=str(refused), status_code=status_of(refused))
        if "application/json" in request.headers.get("accept", ""):
            return Response(PaymentState.of(paid), status_code=200)
        return Redirect(f"/payments/{payment_id}", status_code=303)

    @get("/receipt")
    async def receipt(
        self,
        request: Request[Any, Any, Any],
        payment_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        get_receipt: NamedDependency[SkipValidation[GetReceipt]],
        billing_plans: NamedDependency[SkipValidation[tuple[Plan, ...]]],
    ) -> Template | Redirect:
        try:
            payment = await get_receipt(web_principal.user_id, payment_id)
        except NotFound:
            # Not paid yet (or not this user's: the payment page answers that one with 404).
            return Redirect(f"/payments/{payment_id}", status_code=303)
        return page(
            request,
            "receipt.html",
            title=f"Receipt {payment.receipt_number}",
            principal=web_principal,
            payment=payment,
            plan=plan_name(billing_plans, payment.plan_id),
            amount=amount_text(payment.amount, payment.currency),
            list_amount=amount_text(payment.list_amount, payment.currency)
            if payment.list_amount is not None
            else None,
            paid_at=instant_text(payment.paid_at),
            provider=PROVIDER_LABELS.get(payment.provider.value, payment.provider.value),
            refunded_at=instant_text(payment.refunded_at) if payment.refunded_at else None,
        )
