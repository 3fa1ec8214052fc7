"""Admin changes to billing records: refunds and complimentary periods, each audited with the change."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.billing.settle import PlanChanges, release_names
from domain.audit.entries import Actor, AuditLog
from domain.billing.plans import PlanCatalog
from domain.billing.subscriptions import Payment, Subscription
from domain.shared.clock import Clock
from domain.shared.errors import InvalidInput, NotFound
from domain.shared.text import parse_plain_text
from domain.shared.unit_of_work import UowFactory


def _audit(
    actor: Actor, action: str, target: tuple[str, UUID], details: dict[str, Any], now: datetime
) -> AuditLog:
    return AuditLog.record(
        action=action, now=now, actor=actor, target=target, details={**details, "via": actor.via}
    )


class RefundPayment:
    """Marks a paid payment refunded (the money is returned at the provider by the admin)."""

    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: Actor, payment_id: UUID, reason: str) -> Payment:
        parse_plain_text(reason, "reason")
        now = self._clock.now()
        async with self._uow() as uow:
            payment = await uow.payments.get_for_update(payment_id)
            if payment is None:
                raise NotFound("payment not found")
            refunded = payment.refund(now)
            await uow.payments.update(refunded)
            change = {
                "reason": reason,
                "status": {"from": payment.status.value, "to": refunded.status.value},
                "amount": payment.amount,
                "currency": payment.currency.value,
                "receipt_number": payment.receipt_number,
            }
            await uow.audit_log.add(
                _audit(actor, "admin.payment.refund", ("payment", payment.id), change, now)
            )
            await uow.commit()
        return refunded


class CompSubscription:
    """Gives a user a plan for some days without payment: extends the active subscription or
    starts one, and reactivates the names billing held."""

    def __init__(
        self, uow: UowFactory, catalog: PlanCatalog, clock: Clock, plan_changes: PlanChanges
    ) -> None:
        self._uow = uow
        self._catalog = catalog
        self._clock = clock
        self._plan_changes = plan_changes

    async def __call__(
        self, actor: Actor, user_id: UUID, plan_id: str, days: int, reason: str
    ) -> Subscription:
        parse_plain_text(reason, "reason")
        if not 1 <= days <= 3660:
            raise InvalidInput("days must be in 1..3660", {"days": "out of range"})
        plan = self._catalog.get(plan_id)
        now = self._clock.now()
        period = timedelta(days=days)
        async with self._uow() as uow:
            if await uow.users.get(user_id) is None:
                raise NotFound("user not found")
            active = await uow.subscriptions.get_active_for_user(user_id)
            if active is not None:
                after = active.renew(now, period)
                await uow.subscriptions.update(after)
                before_end = active.expires_at
            else:
                after = Subscription.order(user_id=user_id, plan_id=plan.id, now=now).activate(now, period)
                await uow.subscriptions.add(after)
                before_end = None
            await release_names(uow, user_id, now)
            change = {
                "reason": reason,
                "plan_id": after.plan_id,
                "days": days,
                "expires_at": {
                    "from": before_end.isoformat() if before_end else None,
                    "to": after.expires_at.isoformat() if after.expires_at else None,
                },
            }
            await uow.audit_log.add(
                _audit(actor, "admin.subscription.comp", ("subscription", after.id), change, now)
            )
            await uow.commit()
        await self._plan_changes([user_id])
        return after
