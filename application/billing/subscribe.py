"""Ordering, reading and canceling a subscription."""

from uuid import UUID, uuid4

from msgspec import Struct

from application.billing.plans import WotDiscount
from application.billing.providers import PaymentProviders
from application.names.manage_names import check_name_quota, lookalike_of_another, take_name
from domain.billing.plans import Plan, PlanCatalog, discounted
from domain.billing.ports import InvoiceRequest
from domain.billing.subscriptions import Payment, PaymentStatus, Subscription, SubscriptionStatus
from domain.names.nip05 import (
    Nip05,
    Nip05Status,
    lookalike_refusal,
    parse_registrable_name,
    parse_serving_domain,
)
from domain.shared.clock import Clock
from domain.shared.errors import Conflict, InvalidInput, NotFound, QuotaExceeded
from domain.shared.unit_of_work import UnitOfWork, UowFactory

INVOICE_LIFETIME_SECONDS = 3600


class Checkout(Struct, frozen=True, kw_only=True):
    subscription: Subscription
    payment: Payment


class StartSubscription:
    """Orders a plan: a pending subscription (or a renewal of the active one) and its payment.

    The WoT discount is fixed here and recorded on the payment. Asking again for the same plan and
    provider while the last invoice is still payable returns that invoice instead of a second one.
    An order the service refuses (another plan while one is active) is refused before the provider
    is asked for an invoice.

    `names` (on the service's domain) are held for the buyer, in the transaction that records the
    payment, until the payment is paid (they become active) or ends (they are let go). Of
    concurrent checkouts for one name exactly one holds it; the others are refused, and their
    invoices, never shown, cannot be paid. Names nobody could take are refused before the provider
    is asked.

    A provider with a checkout page of its own (a card's) sends the payer's browser back to the
    payment's web page, /payments/<id>, whoever started the order: the API's JSON answer needs a
    bearer token no browser coming back from the provider holds.
    """

    def __init__(
        self,
        uow: UowFactory,
        catalog: PlanCatalog,
        providers: PaymentProviders,
        discount: WotDiscount,
        clock: Clock,
        public_url: str,
        default_domain: str,
    ) -> None:
        self._default_domain = parse_serving_domain(default_domain)
        self._uow = uow
        self._catalog = catalog
        self._providers = providers
        self._discount = discount
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    async def __call__(
        self, user_id: UUID, pubkey: str, plan_id: str, provider_name: str, names: list[str] | None = None
    ) -> Checkout:
        plan = self._catalog.find(plan_id)
        if plan is None:
            raise InvalidInput(f"no plan {plan_id!r}", {"plan_id": "unknown plan"})
        if plan.is_free:
            raise InvalidInput("the free plan needs no subscription", {"plan_id": "free plan"})
        wanted = self._names(names or [], plan)
        provider = self._providers.for_checkout(provider_name)
        if not wanted and (open_checkout := await self._open_checkout(user_id, plan.id, provider_name)):
            return open_checkout
        async with self._uow() as uow:
            # Refused before the provider is asked, so a refused order leaves no invoice behind.
            await self._subscription_to_pay(uow, user_id, plan.id)
            await self._check_names(uow, user_id, wanted, plan)
        percent = await self._discount(pubkey)
        list_amount = plan.list_price(provider.currency)
        payment_id = uuid4()
        invoice = await provider.create_invoice(
            InvoiceRequest(
                payment_id=payment_id,
                amount=discounted(list_amount, percent),
                currency=provider.currency,
                description=f"nostr-id {plan.name}",
                webhook_url=f"{self._public_url}/api/v1/webhooks/{provider.name.value}",
                return_url=f"{self._public_url}/payments/{payment_id}",
                expires_in_seconds=INVOICE_LIFETIME_SECONDS,
            )
        )
        now = self._clock.now()
        async with self._uow() as uow:
            subscription = await self._subscription_to_pay(uow, user_id, plan.id)
            if await uow.subscriptions.get(subscription.id) is None:
                await uow.subscriptions.add(subscription)
            payment = Payment.open(
                payment_id=payment_id,
                user_id=user_id,
                subscription_id=subscription.id,
                provider=provider.name,
                provider_invoice_id=invoice.invoice_id,
                amount=invoice.amount,
                currency=invoice.currency,
                now=now,
                checkout_url=invoice.checkout_url,
                bolt11=invoice.bolt11,
                expires_at=invoice.expires_at,
                plan_id=plan.id,
                list_amount=list_amount,
                discount_percent=percent,
            )
            await uow.payments.add(payment)
            await self._hold_names(uow, user_id, pubkey, wanted, plan, payment)
            await uow.commit()
        return Checkout(subscription=subscription, payment=payment)

    def _names(self, names: list[str], plan: Plan) -> list[str]:
        wanted = list(dict.fromkeys(parse_registrable_name(name, owns_domain=False) for name in names))
        if len(wanted) > plan.quotas.names:
            raise QuotaExceeded(
                f"names quota: the {plan.name} plan allows {plan.quotas.names} NIP-05 name(s), "
                f"and the order holds {len(wanted)}"
            )
        return wanted

    async def _check_names(self, uow: UnitOfWork, user_id: UUID, names: list[str], plan: Plan) -> None:
        if not names:
            return
        now = self._clock.now()
        await check_name_quota(uow, self._catalog, user_id, now, adding=len(names), plan_id=plan.id)
        for name in names:
            existing = await uow.nip05_names.find(name, self._default_domain)
            if (
                existing is not None
                and existing.user_id == user_id
                and existing.status is not Nip05Status.RELEASED
            ):
                raise Conflict(f"{existing.identifier} is already yours")
            if existing is not None and existing.user_id != user_id and existing.blocks_others(now):
                raise Conflict(lookalike_refusal(name, existing))
            if (other := await lookalike_of_another(uow, user_id, name, self._default_domain)) is not None:
                raise Conflict(lookalike_refusal(name, other))

    async def _hold_names(
        self, uow: UnitOfWork, user_id: UUID, pubkey: str, names: list[str], plan: Plan, payment: Payment
    ) -> None:
        if not names:
            return
        now = self._clock.now()
        await uow.users.get_for_update(user_id)
        await check_name_quota(uow, self._catalog, user_id, now, adding=len(names), plan_id=plan.id)
        for name in names:
            claim = Nip05.claim(
                user_id=user_id,
                name=name,
                domain=self._default_domain,
                pubkey=pubkey,
                now=now,
                status=Nip05Status.PENDING_PAYMENT,
            )
            held = await take_name(uow, claim, now)
            await uow.pending_names.hold(held.id, payment.id)

    async def _open_checkout(self, user_id: UUID, plan_id: str, provider_name: str) -> Checkout | None:
        now = self._clock.now()
        async with self._uow() as uow:
            for payment in await uow.payments.list_for_user(user_id):
                if (
                    payment.status is PaymentStatus.PENDING
                    and payment.plan_id == plan_id
                    and payment.provider.value == provider_name
                    and not payment.is_overdue(now)
                    and payment.subscription_id is not None
                ):
                    subscription = await uow.subscriptions.get(payment.subscription_id)
                    if subscription is not None and subscription.status in (
                        SubscriptionStatus.PENDING,
                        SubscriptionStatus.ACTIVE,
                    ):
                        return Checkout(subscription=subscription, payment=payment)
        return None

    async def _subscription_to_pay(self, uow: UnitOfWork, user_id: UUID, plan_id: str) -> Subscription:
        active = await uow.subscriptions.get_active_for_user(user_id)
        if active is not None:
            if active.plan_id != plan_id:
                raise Conflict(
                    f"the active subscription is to {active.plan_id!r}; a different plan can be "
                    "ordered once it ends"
                )
            return active
        for subscription in await uow.subscriptions.list_for_user(user_id):
            if subscription.status is SubscriptionStatus.PENDING and subscription.plan_id == plan_id:
                return subscription
        return Subscription.order(user_id=user_id, plan_id=plan_id, now=self._clock.now())


class GetCurrentSubscription:
    """The user's active subscription, else the newest pending one; NotFound when there is none."""

    def __init__(self, uow: UowFactory) -> None:
        self._uow = uow

    async def __call__(self, user_id: UUID) -> Subscription:
        async with self._uow() as uow:
            active = await uow.subscriptions.get_active_for_user(user_id)
            if active is not None:
                return active
            for subscription in await uow.subscriptions.list_for_user(user_id):
                if subscription.status is SubscriptionStatus.PENDING:
                    return subscription
        raise NotFound("no current subscription")


class CancelSubscription:
    """Cancels the active subscription at the end of its period (it stays active until then)."""

    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, user_id: UUID) -> Subscription:
        async with self._uow() as uow:
            active = await uow.subscriptions.get_active_for_user(user_id)
            if active is None:
                raise NotFound("no active subscription")
            canceled = active.cancel_at_period_end(self._clock.now())
            await uow.subscriptions.update(canceled)
            await uow.commit()
        return canceled
