"""Plans with the caller's price, the Web-of-Trust discount, and the quotas a user has now."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

from msgspec import Struct

from domain.billing.plans import Plan, PlanCatalog, Quotas, discounted
from domain.shared.clock import Clock
from domain.shared.errors import DomainError
from domain.shared.unit_of_work import UnitOfWork, UowFactory

log = logging.getLogger(__name__)


class WotDiscount:
    """The discount percent a pubkey earns from the Web of Trust, asked with a short deadline.

    `figures` answers the WoT figures of a pubkey (ComputeWotFigures). If it cannot answer in time,
    or fails in any way, the buyer pays the list price: the answer is 0, never an error.
    """

    def __init__(self, figures: Callable[[str], Awaitable[object]], deadline: float) -> None:
        self._figures = figures
        self._deadline = deadline

    async def __call__(self, pubkey: str | None) -> int:
        if pubkey is None:
            return 0
        try:
            async with asyncio.timeout(self._deadline):
                served = await self._figures(pubkey)
        except (TimeoutError, DomainError) as error:
            log.info("WoT discount unavailable for %s (%s): list price", pubkey, type(error).__name__)
            return 0
        figures = getattr(served, "figures", served)
        percent = getattr(figures, "discount_percent", 0)
        return percent if isinstance(percent, int) and 0 <= percent <= 100 else 0


class PricedPlan(Struct, frozen=True, kw_only=True):
    plan: Plan
    discount_percent: int
    discounted_price_sats: int
    discounted_price_usd_cents: int


class ListPlans:
    """Every plan, with the list price and the caller's discounted price beside it."""

    def __init__(self, catalog: PlanCatalog, discount: WotDiscount) -> None:
        self._catalog = catalog
        self._discount = discount

    async def __call__(self, pubkey: str | None) -> list[PricedPlan]:
        percent = await self._discount(pubkey)
        return [
            PricedPlan(
                plan=plan,
                discount_percent=percent,
                discounted_price_sats=discounted(plan.price_sats, percent),
                discounted_price_usd_cents=discounted(plan.price_usd_cents, percent),
            )
            for plan in self._catalog.plans
        ]


async def current_plan(uow: UnitOfWork, catalog: PlanCatalog, user_id: UUID, now: datetime) -> Plan:
    """The plan a user has now, read in the caller's unit of work: their current paid plan, else free."""
    active = await uow.subscriptions.get_active_for_user(user_id)
    if active is None or not active.is_current(now):
        return catalog.free
    return catalog.find(active.plan_id) or catalog.free


class GetQuotas:
    """The quotas a user has now: those of their current paid plan, otherwise the free plan's.

    Called where names and custom domains are created and by the rate limiter.
    """

    def __init__(self, uow: UowFactory, catalog: PlanCatalog, clock: Clock) -> None:
        self._uow = uow
        self._catalog = catalog
        self._clock = clock

    async def __call__(self, user_id: UUID) -> Quotas:
        async with self._uow() as uow:
            plan = await current_plan(uow, self._catalog, user_id, self._clock.now())
        return plan.quotas
