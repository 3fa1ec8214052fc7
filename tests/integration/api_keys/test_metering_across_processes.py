"""Usage metering on Redis and PostgreSQL, with several processes counting and flushing at once."""

import asyncio
import sys
from datetime import date

import pytest
from dependency_injector import providers
from psycopg_pool import AsyncConnectionPool

from adapters.cache.redis_cache import RedisCache
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from application.api_keys.metering import CLAIM_KEY, PENDING_KEY, FlushApiKeyUsage
from bootstrap.container import Container
from bootstrap.settings import Settings
from tests import builders
from tests.integration.postgres.support import committed

pytestmark = pytest.mark.integration

WORKER = [sys.executable, "-m", "tests.support.meter_worker"]
LIMIT = 120.0


@pytest.fixture
async def key_id(postgres_pool: AsyncConnectionPool):
    user = builders.user()
    key = builders.api_key(user.id)
    await committed(lambda: PostgresUnitOfWork(postgres_pool), user, key)
    return key.id


async def _total(pool: AsyncConnectionPool, key_id) -> int:
    async with PostgresUnitOfWork(pool) as uow:
        usages = await uow.api_key_usage.list_for_key(key_id, date(2000, 1, 1), date(2100, 1, 1))
    return sum(usage.count for usage in usages)


def _flush(redis_cache: RedisCache, pool: AsyncConnectionPool) -> FlushApiKeyUsage:
    """The container's flush, over the test's Redis namespace and database pool."""
    container = Container(settings=Settings(environment="test"))
    container.cache.override(providers.Object(redis_cache))
    container.db_pool.override(providers.Object(pool))
    return container.api_keys.flush_api_key_usage()


async def test_1000_uses_metered_by_two_processes_flushing_concurrently_are_recorded_exactly(
    key_id, postgres_dsn, postgres_pool, redis_url, redis_namespace, redis_cache
):
    args = [postgres_dsn, redis_url, redis_namespace, str(key_id), "500", "--flush"]
    workers = [await asyncio.create_subprocess_exec(*WORKER, *args) for _ in range(2)]
    codes = await asyncio.wait_for(asyncio.gather(*(w.wait() for w in workers)), LIMIT)

    assert codes == [0, 0]
    await _flush(redis_cache, postgres_pool)()
    assert await _total(postgres_pool, key_id) == 1000


async def test_uses_counted_by_a_process_killed_before_it_flushed_are_flushed_by_another(
    key_id, postgres_dsn, postgres_pool, redis_url, redis_namespace, redis_cache
):
    args = [postgres_dsn, redis_url, redis_namespace, str(key_id), "300", "--hang"]
    worker = await asyncio.create_subprocess_exec(*WORKER, *args, stdout=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(worker.stdout.readline(), LIMIT)
        assert line.strip() == b"counted"
    finally:
        worker.kill()
        await asyncio.wait_for(worker.wait(), 10)

    assert await _flush(redis_cache, postgres_pool)() == 300
    assert await _total(postgres_pool, key_id) == 300


async def test_a_claim_left_by_a_dead_flusher_is_added_once_on_redis_and_postgres(
    key_id, postgres_pool, redis_cache
):
    field = f"{key_id}|2026-03-01|2xx|GET /api/v1/wot/{{pubkey}}"
    await redis_cache.increment_field(PENDING_KEY, field, 5)
    await redis_cache.claim_fields(PENDING_KEY, CLAIM_KEY, "0f0e0d0c-0000-4000-8000-000000000003")
    await redis_cache.increment_field(PENDING_KEY, field, 2)

    assert await _flush(redis_cache, postgres_pool)() == 7
    assert await _flush(redis_cache, postgres_pool)() == 0
    assert await _total(postgres_pool, key_id) == 7
    async with PostgresUnitOfWork(postgres_pool) as uow:
        key = await uow.api_keys.get(key_id)
    assert key is not None and key.last_used_at is not None
