"""The billing jobs of `nostr-id jobs run`: unpaid invoices, ended periods, and lapsed names."""

import logging
from datetime import timedelta

from application.billing.providers import PaymentProviders
from application.billing.settle import ApplyInvoiceState, PlanChanges
from domain.billing.plans import PlanCatalog
from domain.billing.ports import InvoiceState, ProviderInvoice
from domain.names.nip05 import Nip05Status
from domain.shared.clock import Clock
from domain.shared.errors import DependencyUnavailable, NotFound
from domain.shared.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
BATCH = 500


class ExpireUnpaidInvoices:
    """Pending payments past their invoice expiry: asks the provider first (a late payment is
    credited, not lost); expires them when the provider agrees or no longer knows the invoice.
    A provider that cannot answer leaves its payments for the next run."""

    def __init__(
        self, uow: UnitOfWork, providers: PaymentProviders, apply_state: ApplyInvoiceState, clock: Clock
    ) -> None:
        self._uow = uow
        self._providers = providers
        self._apply_state = apply_state
        self._clock = clock

    async def __call__(self) -> int:
        async with self._uow as uow:
            overdue = await uow.payments.list_overdue(self._clock.now(), BATCH)
        changed = 0
        for payment in overdue:
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
                    continue
                if invoice.state is InvoiceState.PENDING:
                    invoice = ProviderInvoice(
                        invoice_id=invoice.invoice_id,
                        state=InvoiceState.EXPIRED,
                        amount=invoice.amount,
                        currency=invoice.currency,
                    )
            applied = await self._apply_state(payment.provider, invoice)
            changed += applied is not None and applied.status is not payment.status
        return changed


class EndSubscriptions:
    """Active subscriptions whose period is over become expired (or canceled, when scheduled)."""

    def __init__(self, uow: UnitOfWork, clock: Clock, plan_changes: PlanChanges) -> None:
        self._uow = uow
        self._clock = clock
        self._plan_changes = plan_changes

    async def __call__(self) -> int:
        now = self._clock.now()
        async with self._uow as uow:
            due = await uow.subscriptions.list_due_to_expire(now, BATCH)
            for subscription in due:
                await uow.subscriptions.update(subscription.end(now))
            await uow.commit()
        await self._plan_changes(subscription.user_id for subscription in due)
        return len(due)


class SuspendLapsedNames:
    """After the grace period, a user without a paid plan keeps the free plan's number of names
    (the oldest); billing suspends the others, which leave nostr.json until a renewal is paid."""

    def __init__(self, uow: UnitOfWork, catalog: PlanCatalog, clock: Clock, grace: timedelta) -> None:
        self._uow = uow
        self._catalog = catalog
        self._clock = clock
        self._grace = grace

    async def __call__(self) -> int:
        now = self._clock.now()
        free_names = self._catalog.free.quotas.names
        suspended = 0
        async with self._uow as uow:
            for user_id in await uow.subscriptions.list_lapsed_users(now - self._grace, free_names, BATCH):
                names = await uow.nip05_names.list_for_user(user_id)
                active = [name for name in names if name.status is Nip05Status.ACTIVE]
                for name in active[free_names:]:
                    await uow.nip05_names.update(name.suspend(now))
                    await uow.name_holds.hold(name.id, user_id, now)
                    suspended += 1
            await uow.commit()
        return suspended
