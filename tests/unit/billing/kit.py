"""A billing world for use-case tests: the service on fakes (`container_for_tests` with a memory
store), a frozen clock, the fake payment provider and a controllable Web-of-Trust answer."""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.cache.memory_cache import MemoryCache
from adapters.payments.fake import FakePaymentProvider
from bootstrap.container import Container
from bootstrap.settings import Settings
from domain.auth.users import User
from domain.shared.clock import FixedClock
from domain.shared.errors import DependencyUnavailable
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.support.app import container_for_tests

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
WEBHOOK_SECRET = "fake-webhook-secret"


@dataclass
class Figures:
    discount_percent: int


@dataclass
class Served:
    figures: Figures
    stale: bool = False


@dataclass
class ControllableWot:
    """Answers a discount per pubkey; `hang` never answers, `fail` raises as an unreachable relay."""

    discounts: dict[str, int] = field(default_factory=dict)
    hang: bool = False
    fail: bool = False
    calls: int = 0

    async def __call__(self, pubkey: str) -> Served:
        self.calls += 1
        if self.hang:
            await asyncio.Event().wait()
        if self.fail:
            raise DependencyUnavailable("relays down")
        return Served(figures=Figures(discount_percent=self.discounts.get(pubkey, 0)))


@dataclass
class BillingWorld:
    container: Container
    store: MemoryStore
    clock: FixedClock
    provider: FakePaymentProvider
    wot: ControllableWot

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    async def user(self) -> User:
        user = builders.user()
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user


def billing_world(environment: str = "test") -> BillingWorld:
    settings = Settings(environment=environment, relay_urls=("memory://",), billing_grace_days=7)
    store = MemoryStore()
    clock = FixedClock(NOW)
    provider = FakePaymentProvider(clock, MemoryCache(clock), webhook_secret=WEBHOOK_SECRET)
    wot = ControllableWot()
    container = container_for_tests(
        settings, clock=clock, store=store, fake_payments=provider, compute_wot_figures=wot
    )
    return BillingWorld(container=container, store=store, clock=clock, provider=provider, wot=wot)
