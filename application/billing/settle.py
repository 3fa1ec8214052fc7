"""Crediting a payment from the provider's own view of its invoice, once, with a receipt number."""

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from uuid import UUID

from domain.billing.plans import PlanCatalog
from domain.billing.ports import InvoiceState, ProviderInvoice
from domain.billing.subscriptions import (
    Payment,
    PaymentProviderName,
    PaymentStatus,
    SubscriptionStatus,
    format_receipt_number,
)
from domain.names.nip05 import Nip05Status
from domain.shared.clock import Clock
from domain.shared.unit_of_work import UnitOfWork, UowFactory

log = logging.getLogger(__name__)

# Told, after the commit, which users' plans changed (ApiKeyPlanChanges: their keys' rates reload).
PlanChanges = Callable[[Iterable[UUID]], Awaitable[None]]


class AccountPlanChanges:
    """What follows a change of accounts' plans, once it is committed: each hook in turn (the API
    keys' rates, the names nostr.json serves)."""

    def __init__(self, *hooks: PlanChanges) -> None:
        self._hooks = hooks

    async def __call__(self, user_ids: Iterable[UUID]) -> None:
        accounts = list(user_ids)
        for hook in self._hooks:
            await hook(accounts)


class ApplyInvoiceState:
    """Brings a payment in line with its invoice as the provider reports it, in one transaction.

    With an `event_id` the delivery is recorded in the same transaction, so a redelivered webhook
    changes nothing. The payment row is locked, so of concurrent settlements exactly one credits:
    it takes the year's next receipt number, activates or renews the subscription, and reactivates
    the names billing held. State only moves forward (pending to paid, expired or failed), so
    events arriving out of order end in the provider's current state.
    """

    def __init__(
        self, uow: UowFactory, catalog: PlanCatalog, clock: Clock, plan_changes: PlanChanges
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._clock = clock
        self._plan_changes = plan_changes

    async def __call__(
        self, provider: PaymentProviderName, invoice: ProviderInvoice, event_id: str | None = None
    ) -> Payment | None:
        now = self._clock.now()
        applied = await self._settle(provider, invoice, event_id, now)
        credited_now = applied is not None and applied.status is PaymentStatus.PAID and applied.paid_at == now
        if applied is not None and credited_now and applied.subscription_id is not None:
            await self._plan_changes([applied.user_id])
        return applied

    async def _settle(
        self, provider: PaymentProviderName, invoice: ProviderInvoice, event_id: str | None, now: datetime
    ) -> Payment | None:
        async with self._uow() as uow:
            if event_id is not None and not await uow.webhook_events.mark_processed(provider, event_id, now):
                return await uow.payments.get_by_provider_invoice(provider, invoice.invoice_id)
            found = await uow.payments.get_by_provider_invoice(provider, invoice.invoice_id)
            if found is None:
                log.warning("%s reported invoice %s, which is not ours", provider, invoice.invoice_id)
                await uow.commit()
                return None
            payment = await uow.payments.get_for_update(found.id)
            assert payment is not None
            updated = await self._apply(uow, payment, invoice, now)
            await uow.commit()
            return updated

    async def _apply(
        self, uow: UnitOfWork, payment: Payment, invoice: ProviderInvoice, now: datetime
    ) -> Payment:
        if payment.status is not PaymentStatus.PENDING:
            return payment
        if invoice.state is InvoiceState.PAID:
            if (invoice.amount, invoice.currency) != (payment.amount, payment.currency):
                log.error(
                    "payment %s: provider reports %s %s paid, we asked %s %s; not credited",
                    payment.id,
                    invoice.amount,
                    invoice.currency,
                    payment.amount,
                    payment.currency,
                )
                return payment
            number = await uow.payments.next_receipt_number(now.year)
            paid = payment.mark_paid(now, format_receipt_number(now.year, number))
            await uow.payments.update(paid)
            await self._start_period(uow, paid, now)
            await register_held_names(uow, paid.id, now)
            return paid
        if invoice.state is InvoiceState.EXPIRED:
            expired = payment.mark_expired(now)
            await uow.payments.update(expired)
            await let_held_names_go(uow, expired.id)
            return expired
        if invoice.state is InvoiceState.FAILED:
            failed = payment.mark_failed(now)
            await uow.payments.update(failed)
            await let_held_names_go(uow, failed.id)
            return failed
        return payment

    async def _start_period(self, uow: UnitOfWork, payment: Payment, now: datetime) -> None:
        if payment.subscription_id is None or payment.plan_id is None:
            return
        plan = self._catalog.get(payment.plan_id)
        await start_or_extend(uow, payment.user_id, payment.subscription_id, plan.period, now)


async def start_or_extend(
    uow: UnitOfWork, user_id: UUID, subscription_id: UUID, period: timedelta, now: datetime
) -> None:
    """Applies the plan that was paid, then reactivates held names.

    Paying for the active subscription's plan renews it; paying for another plan's pending
    subscription ends the active one now and runs the paid plan from now for its own period.
    """
    pending = await uow.subscriptions.get(subscription_id)
    if pending is not None and pending.status is not SubscriptionStatus.PENDING:
        pending = None
    active = await uow.subscriptions.get_active_for_user(user_id)
    if active is not None and pending is not None and pending.plan_id != active.plan_id:
        await uow.subscriptions.update(active.cancel(now))
        active = None
    if active is not None:
        await uow.subscriptions.update(active.renew(now, period))
    elif pending is not None:
        await uow.subscriptions.update(pending.activate(now, period))
    await release_names(uow, user_id, now)


async def register_held_names(uow: UnitOfWork, payment_id: UUID, now: datetime) -> None:
    """The names held for a paid payment become active, the buyer's."""
    for nip05_id in await uow.pending_names.release_for_payment(payment_id):
        name = await uow.nip05_names.get(nip05_id)
        if name is not None and name.status is Nip05Status.PENDING_PAYMENT:
            await uow.nip05_names.update(name.activate(now))


async def let_held_names_go(uow: UnitOfWork, payment_id: UUID) -> None:
    """The names held for a payment that ended unpaid are free again."""
    for nip05_id in await uow.pending_names.release_for_payment(payment_id):
        name = await uow.nip05_names.get(nip05_id)
        if name is not None and name.status is Nip05Status.PENDING_PAYMENT:
            await uow.nip05_names.delete(nip05_id)


async def release_names(uow: UnitOfWork, user_id: UUID, now: datetime) -> int:
    """Reactivates the names billing suspended for the user; returns how many."""
    released = 0
    for nip05_id in await uow.name_holds.release_for_user(user_id):
        name = await uow.nip05_names.get(nip05_id)
        if name is not None and name.status is Nip05Status.SUSPENDED:
            await uow.nip05_names.update(name.unsuspend(now))
            released += 1
    return released
