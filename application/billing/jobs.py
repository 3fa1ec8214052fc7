"""The billing jobs of `nostr-id jobs run`: unpaid invoices, ended periods, and lapsed names.

Each record (a payment, a subscription, a user's names) is handled in its own transaction and alone:
one that fails is logged and skipped, the others are still handled, and the job then raises
RecordsFailed, so the run reports it (T2).
"""

import functools
import logging
from datetime import timedelta
from uuid import UUID

from application.billing.providers import PaymentProviders
from application.billing.settle import ApplyInvoiceState, PlanChanges
from application.jobs import EachAlone
from domain.billing.plans import PlanCatalog
from domain.billing.ports import InvoiceState, ProviderInvoice
from domain.billing.subscriptions import Payment
from domain.names.nip05 import Nip05Status
from domain.shared.clock import Clock
from domain.shared.errors import DependencyUnavailable, NotFound
from domain.shared.unit_of_work import UowFactory

log = logging.getLogger(__name__)
BATCH = 500


class ExpireUnpaidInvoices:
    """Pending payments past their invoice expiry: asks the provider first (a late payment is
    credited, not lost); expires them when the provider agrees or no longer knows the invoice.
    A provider that cannot answer leaves its payments for the next run; a payment that fails is
    marked as tried, so the next runs take the others first."""

    def __init__(
        self, uow: UowFactory, providers: PaymentProviders, apply_state: ApplyInvoiceState, clock: Clock
    ) -> None:
        self._uow = uow
        self._providers = providers
        self._apply_state = apply_state
        self._clock = clock

    async def __call__(self) -> int:
        async with self._uow() as uow:
            overdue = await uow.payments.list_overdue(self._clock.now(), BATCH)
        records = EachAlone("payments")
        changed = 0
        for payment in overdue:
            async with records.alone(payment.id, on_failure=functools.partial(self._tried, payment.id)):
                changed += await self._expire(payment)
        return records.settle(changed)

    async def _tried(self, payment_id: UUID) -> None:
        async with self._uow() as uow:
            await uow.payments.mark_expiry_tried(payment_id, self._clock.now())
            await uow.commit()

    async def _expire(self, payment: Payment) -> bool:
        provider = self._providers.get(payment.provider)
        invoice = ProviderInvoice(
            invoice_id=payment.provider_invoice_id,
            state=InvoiceState.EXPIRED,
            amount=payment.amount,
            currency=payment.currency,
        )
        if provider is not None:
            try:
                invoice = await provider.fetch_invoice(payment.provider_invoice_id)
            except NotFound:
                pass
            except DependencyUnavailable as error:
                log.warning("payment %s left pending: %s", payment.id, error)
                return False
            if invoice.state is InvoiceState.PENDING:
                invoice = ProviderInvoice(
                    invoice_id=invoice.invoice_id,
                    state=InvoiceState.EXPIRED,
                    amount=invoice.amount,
                    currency=invoice.currency,
                )
        applied = await self._apply_state(payment.provider, invoice)
        return applied is not None and applied.status is not payment.status


class EndSubscriptions:
    """Active subscriptions whose period is over become expired (or canceled, when scheduled)."""

    def __init__(self, uow: UowFactory, clock: Clock, plan_changes: PlanChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._plan_changes = plan_changes

    async def __call__(self) -> int:
        now = self._clock.now()
        async with self._uow() as uow:
            due = await uow.subscriptions.list_due_to_expire(now, BATCH)
        records = EachAlone("subscriptions")
        ended = []
        for subscription in due:
            async with records.alone(subscription.id), self._uow() as uow:
                await uow.subscriptions.update(subscription.end(now))
                await uow.commit()
                ended.append(subscription.user_id)
        await self._plan_changes(ended)
        return records.settle(len(ended))


class SuspendLapsedNames:
    """After the grace period, a user without a paid plan keeps the free plan's number of names
    (the oldest); billing suspends the others, which leave nostr.json until a renewal is paid."""

    def __init__(
        self, uow: UowFactory, catalog: PlanCatalog, clock: Clock, grace: timedelta, plan_changes: PlanChanges
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._clock = clock
        self._grace = grace
        self._plan_changes = plan_changes

    async def __call__(self) -> int:
        now = self._clock.now()
        free_names = self._catalog.free.quotas.names
        async with self._uow() as uow:
            lapsed = await uow.subscriptions.list_lapsed_users(now - self._grace, free_names, BATCH)
        records = EachAlone("lapsed users")
        suspended = 0
        for user_id in lapsed:
            async with records.alone(user_id):
                async with self._uow() as uow:
                    names = await uow.nip05_names.list_for_user(user_id)
                    active = [name for name in names if name.status is Nip05Status.ACTIVE]
                    for name in active[free_names:]:
                        await uow.nip05_names.update(name.suspend(now))
                        await uow.name_holds.hold(name.id, user_id, now)
                    await uow.commit()
                await self._plan_changes([user_id])
                suspended += len(active[free_names:])
        return records.settle(suspended)
