"""Plans: what a subscription costs and what it allows."""

from datetime import timedelta

from msgspec import Struct

from domain.billing.subscriptions import PLAN_ID_SHAPE, Currency
from domain.shared.errors import InvalidInput, NotFound

# API keys a plan allows when its definition (an older BILLING_PLANS) does not say.
DEFAULT_API_KEYS = 5


class Quotas(Struct, frozen=True, kw_only=True):
    """What a plan allows: NIP-05 names, custom domains, API requests per minute (for the whole
    account, however many keys it holds) and unrevoked API keys."""

    names: int
    custom_domains: int
    api_requests_per_minute: int
    api_keys: int = DEFAULT_API_KEYS


class Plan(Struct, frozen=True, kw_only=True):
    id: str
    name: str
    period_days: int
    price_sats: int
    price_usd_cents: int
    quotas: Quotas

    def __post_init__(self) -> None:
        if PLAN_ID_SHAPE.fullmatch(self.id) is None:
            raise InvalidInput(f"plan id {self.id!r} must be 1 to 64 characters of a-z, 0-9, '-' or '_'")
        if self.price_sats < 0 or self.price_usd_cents < 0 or self.period_days < 0:
            raise InvalidInput(f"plan {self.id}: prices and period must not be negative")
        if not self.is_free and self.period_days < 1:
            raise InvalidInput(f"plan {self.id}: a paid plan needs a period of at least one day")

    @property
    def is_free(self) -> bool:
        return self.price_sats == 0 and self.price_usd_cents == 0

    @property
    def period(self) -> timedelta:
        return timedelta(days=self.period_days)

    def list_price(self, currency: Currency) -> int:
        return self.price_sats if currency is Currency.SAT else self.price_usd_cents


def discounted(amount: int, percent: int) -> int:
    """The price after a whole-percent discount, rounded down, never below 1 for a paid price."""
    if not 0 <= percent <= 100:
        raise InvalidInput("discount percent must be in 0..100")
    if amount <= 0:
        return 0
    return max(1, amount * (100 - percent) // 100)


class PlanCatalog:
    """The plans on offer, from settings; exactly one free plan is what everyone has by default."""

    def __init__(self, plans: tuple[Plan, ...]) -> None:
        ids = [plan.id for plan in plans]
        if len(set(ids)) != len(ids):
            raise InvalidInput("plan ids must be unique")
        free = [plan for plan in plans if plan.is_free]
        if len(free) != 1:
            raise InvalidInput("exactly one plan must be free")
        self._plans = {plan.id: plan for plan in plans}
        self.free = free[0]

    @property
    def plans(self) -> tuple[Plan, ...]:
        return tuple(self._plans.values())

    def get(self, plan_id: str) -> Plan:
        plan = self._plans.get(plan_id)
        if plan is None:
            raise NotFound(f"no plan {plan_id!r}")
        return plan

    def find(self, plan_id: str) -> Plan | None:
        return self._plans.get(plan_id)


DEFAULT_PLANS = (
    Plan(
        id="free",
        name="Free",
        period_days=0,
        price_sats=0,
        price_usd_cents=0,
        quotas=Quotas(names=1, custom_domains=0, api_requests_per_minute=60, api_keys=3),
    ),
    Plan(
        id="pro-monthly",
        name="Pro (monthly)",
        period_days=30,
        price_sats=21_000,
        price_usd_cents=500,
        quotas=Quotas(names=5, custom_domains=1, api_requests_per_minute=600, api_keys=10),
    ),
    Plan(
        id="pro-yearly",
        name="Pro (yearly)",
        period_days=365,
        price_sats=210_000,
        price_usd_cents=5_000,
        quotas=Quotas(names=5, custom_domains=1, api_requests_per_minute=600, api_keys=10),
    ),
)
