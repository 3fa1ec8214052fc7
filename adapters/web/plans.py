"""The plans page: each plan with its list price and the visitor's price after their Web-of-Trust
discount (ListPlans), and choosing one (StartSubscription), which leads to its payment page."""

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from litestar.response import Redirect, Template

from adapters.http.problems import status_of
from adapters.web.amounts import amount_text
from adapters.web.forms import form_of
from adapters.web.pages import page
from application.billing.plans import ListPlans, PricedPlan
from application.billing.subscribe import StartSubscription
from domain.auth.principal import Principal
from domain.billing.subscriptions import Currency, PaymentProviderName
from domain.shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound)
# How the page names each way to pay, in the order it offers them (the first is chosen already).
PROVIDER_LABELS = {
    PaymentProviderName.LNBITS.value: "Lightning",
    PaymentProviderName.BTCPAY.value: "Lightning or on-chain (BTCPay)",
    PaymentProviderName.STRIPE.value: "Card",
    PaymentProviderName.FAKE.value: "Test payment (nothing is charged)",
}


class ChooseForm(msgspec.Struct):
    plan_id: Annotated[str, msgspec.Meta(pattern="^[a-z0-9_-]{1,64}$")]
    provider: Annotated[str, msgspec.Meta(max_length=16)]


@dataclass(frozen=True)
class PlanView:
    id: str
    name: str
    period_days: int
    is_free: bool
    names: int
    custom_domains: int
    api_keys: int
    requests_per_minute: int
    list_sats: str
    list_usd: str
    discount_percent: int
    price_sats: str
    price_usd: str

    @classmethod
    def of(cls, priced: PricedPlan) -> "PlanView":
        plan = priced.plan
        return cls(
            id=plan.id,
            name=plan.name,
            period_days=plan.period_days,
            is_free=plan.is_free,
            names=plan.quotas.names,
            custom_domains=plan.quotas.custom_domains,
            api_keys=plan.quotas.api_keys,
            requests_per_minute=plan.quotas.api_requests_per_minute,
            list_sats=amount_text(plan.price_sats, Currency.SAT),
            list_usd=amount_text(plan.price_usd_cents, Currency.USD),
            discount_percent=priced.discount_percent,
            price_sats=amount_text(priced.discounted_price_sats, Currency.SAT),
            price_usd=amount_text(priced.discounted_price_usd_cents, Currency.USD),
        )


def offered(payment_names: list[str]) -> list[tuple[str, str]]:
    """The configured providers as (name, label), in the page's order."""
    return [(name, label) for name, label in PROVIDER_LABELS.items() if name in payment_names]


@dataclass(frozen=True)
class PlansView:
    request: Request[Any, Any, Any]
    principal: Principal | None
    list_plans: ListPlans
    payment_names: list[str]

    async def __call__(self, *, error: DomainError | None = None) -> Template:
        priced = await self.list_plans(self.principal.pubkey if self.principal else None)
        return page(
            self.request,
            "plans.html",
            title="Plans",
            principal=self.principal,
            status_code=200 if error is None else status_of(error),
            plans=[PlanView.of(plan) for plan in priced],
            discount_percent=priced[0].discount_percent if priced else 0,
            providers=offered(self.payment_names),
            error=str(error) if error is not None else None,
        )


async def plans_view(
    request: Request[Any, Any, Any],
    browser_principal: NamedDependency[Principal | None],
    list_plans: NamedDependency[SkipValidation[ListPlans]],
    payment_names: NamedDependency[SkipValidation[list[str]]],
) -> PlansView:
    return PlansView(request, browser_principal, list_plans, payment_names)


class PlanPages(Controller):
    path = "/plans"

    @get("/")
    async def plans(self, plans_view: NamedDependency[SkipValidation[PlansView]]) -> Template:
        return await plans_view()

    @post("/", status_code=303)
    async def choose(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        start_subscription: NamedDependency[SkipValidation[StartSubscription]],
        plans_view: NamedDependency[SkipValidation[PlansView]],
    ) -> Redirect | Template:
        try:
            form = await form_of(request, ChooseForm)
            checkout = await start_subscription(
                web_principal.user_id, web_principal.pubkey, form.plan_id, form.provider
            )
        except REFUSALS as refused:
            return await plans_view(error=refused)
        payment = checkout.payment
        # A card checkout is left at once for the provider's page: the payment page's script goes.
        to_checkout = "?checkout=1" if payment.checkout_url and not payment.bolt11 else ""
        return Redirect(f"/payments/{payment.id}{to_checkout}", status_code=303)
