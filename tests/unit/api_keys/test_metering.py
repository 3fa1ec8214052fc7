"""Usage metering on the memory cache and the memory unit of work: exact counts, and nothing lost
or added twice whichever step of a flush is interrupted."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from adapters.cache.memory_cache import MemoryCache
from application.api_keys.metering import CLAIM_KEY, PENDING_KEY, FlushApiKeyUsage, MeterApiKeyUse
from bootstrap.settings import Settings
from domain.shared.cache import CacheUnavailable
from domain.shared.clock import FixedClock
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.integration.postgres.support import committed
from tests.support.app import container_for_tests

ENDPOINT = "GET /api/v1/wot/{pubkey}"


class FailingOverCache(MemoryCache):
    """A memory cache whose counter calls fail with CacheUnavailable while `down` is set."""

    down = False

    async def increment_field(self, key: str, field: str, amount: int = 1) -> int:
        if self.down:
            raise CacheUnavailable("cache is failing over")
        return await super().increment_field(key, field, amount)

    async def claim_fields(self, key: str, claim_key: str, token: str) -> tuple[str, dict[str, int]] | None:
        if self.down:
            raise CacheUnavailable("cache is failing over")
        return await super().claim_fields(key, claim_key, token)


class World:
    def __init__(self) -> None:
        self.clock = FixedClock(datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC))
        self.cache = FailingOverCache(self.clock)
        self.store = MemoryStore()
        container = container_for_tests(
            Settings(environment="test"), clock=self.clock, cache=self.cache, store=self.store
        )
        self.meter: MeterApiKeyUse = container.api_keys.meter_api_key_use()
        self.flush: FlushApiKeyUsage = container.api_keys.flush_api_key_usage()

    def new_uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    async def key(self) -> UUID:
        user = builders.user()
        key = builders.api_key(user.id)
        await committed(self.new_uow, user, key)
        return key.id

    async def counts(self, key_id: UUID) -> dict[tuple[date, str, str], int]:
        async with self.new_uow() as uow:
            usages = await uow.api_key_usage.list_for_key(key_id, date(2026, 1, 1), date(2026, 12, 31))
        return {(u.day, u.endpoint, u.status_class): u.count for u in usages}


@pytest.fixture
def world() -> World:
    return World()


async def test_uses_are_counted_by_day_endpoint_and_status_class_and_flushed_once(world):
    key_id = await world.key()
    await asyncio.gather(*(world.meter(key_id, ENDPOINT, 200) for _ in range(500)))
    await world.meter(key_id, ENDPOINT, 429)
    world.clock.advance(timedelta(seconds=1))  # the next day begins
    await world.meter(key_id, ENDPOINT, 204)

    assert await world.flush() == 502
    assert await world.flush() == 0
    async with world.new_uow() as uow:
        used = await uow.api_keys.get(key_id)
    assert used is not None and used.last_used_at == world.clock.now()
    assert await world.counts(key_id) == {
        (date(2026, 3, 1), ENDPOINT, "2xx"): 500,
        (date(2026, 3, 1), ENDPOINT, "4xx"): 1,
        (date(2026, 3, 2), ENDPOINT, "2xx"): 1,
    }


async def test_a_flush_interrupted_before_its_commit_is_completed_by_the_next(world):
    key_id = await world.key()
    for _ in range(7):
        await world.meter(key_id, ENDPOINT, 200)
    # A process claimed the counts and died before its transaction committed.
    assert await world.cache.claim_fields(PENDING_KEY, CLAIM_KEY, "0f0e0d0c-0000-4000-8000-000000000001")
    for _ in range(3):
        await world.meter(key_id, ENDPOINT, 200)

    assert await world.flush() == 10
    assert await world.counts(key_id) == {(date(2026, 3, 1), ENDPOINT, "2xx"): 10}


async def test_a_flush_interrupted_after_its_commit_is_not_added_twice(world):
    key_id = await world.key()
    for _ in range(4):
        await world.meter(key_id, ENDPOINT, 200)
    token, counts = await world.cache.claim_fields(
        PENDING_KEY, CLAIM_KEY, "0f0e0d0c-0000-4000-8000-000000000002"
    )
    assert sum(counts.values()) == 4
    async with world.new_uow() as uow:
        assert await uow.api_key_usage.add_flush(UUID(token), [], world.clock.now())
        await uow.api_key_usage.increment(key_id, date(2026, 3, 1), ENDPOINT, "2xx", 4)
        await uow.commit()
    # ... and died before releasing its claim.

    assert await world.flush() == 0
    assert await world.counts(key_id) == {(date(2026, 3, 1), ENDPOINT, "2xx"): 4}
    await world.meter(key_id, ENDPOINT, 200)
    assert await world.flush() == 1


async def test_counts_of_a_key_deleted_meanwhile_are_dropped_and_do_not_block_the_flush(world):
    kept = await world.key()
    await world.meter(UUID(int=7), ENDPOINT, 200)
    await world.meter(kept, ENDPOINT, 200)

    await world.flush()
    assert await world.counts(kept) == {(date(2026, 3, 1), ENDPOINT, "2xx"): 1}
    assert await world.cache.claim_fields(PENDING_KEY, CLAIM_KEY, "x") is None


async def test_f2_uses_counted_while_the_cache_fails_over_are_held_and_flushed_to_the_database(world):
    key_id = await world.key()
    await world.meter(key_id, ENDPOINT, 200)
    world.cache.down = True
    for _ in range(5):
        await world.meter(key_id, ENDPOINT, 200)

    with pytest.raises(CacheUnavailable):
        await world.flush()
    assert await world.counts(key_id) == {(date(2026, 3, 1), ENDPOINT, "2xx"): 5}
    world.cache.down = False
    await world.meter(key_id, ENDPOINT, 200)
    assert await world.flush() == 2
    assert await world.flush() == 0
    assert await world.counts(key_id) == {(date(2026, 3, 1), ENDPOINT, "2xx"): 7}
