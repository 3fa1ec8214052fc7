"""The in-process cache without Redis, its invalidations carried through the real PostgreSQL: two
caches stand for two processes, each with its own memory and its own listening connection."""

import asyncio
from collections.abc import AsyncIterator

import psycopg
import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.postgres.notifying_cache import PostgresNotifyingCache
from adapters.postgres.pool import create_pool
from application.verdicts import Verdicts, is_invalidation_key
from domain.shared.cache import CacheUnavailable

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]
GENERATION = "verdict-generation:names"


@pytest.fixture
async def two_processes(
    postgres_dsn: str,
) -> AsyncIterator[tuple[PostgresNotifyingCache, PostgresNotifyingCache]]:
    pool = create_pool(postgres_dsn)
    await pool.open()
    caches = [
        PostgresNotifyingCache(MemoryCache(), pool, postgres_dsn, is_invalidation_key) for _ in range(2)
    ]
    for cache in caches:
        await cache.start()
    yield caches[0], caches[1]
    for cache in caches:
        await cache.close()
    await pool.close()


async def heard(cache: PostgresNotifyingCache, key: str, value: bytes) -> None:
    async def read() -> None:
        while True:
            try:
                if await cache.get(key) == value:
                    return
            except CacheUnavailable:
                pass
            await asyncio.sleep(0.01)

    async with asyncio.timeout(10):
        await read()


async def test_an_invalidation_key_written_by_one_process_is_heard_by_the_other_and_no_other_key_is(
    two_processes,
):
    first, second = two_processes
    await first.set("rate:someone", b"1")
    await first.set(GENERATION, b"g1")
    await heard(second, GENERATION, b"g1/1")
    assert await second.get("rate:someone") is None
    assert await first.get(GENERATION) == b"g1/1"

    await first.delete(GENERATION)
    await heard(second, GENERATION, b"/1")


async def test_a_verdict_changed_in_one_process_is_forgotten_by_the_other(two_processes):
    first, second = two_processes
    now = [0.0]
    source = {"alice": "v1"}
    reader = Verdicts(first, timer=lambda: now[0]).namespace("names", str, ttl=300)
    writer = Verdicts(second, timer=lambda: now[0]).namespace("names", str, ttl=300)

    async def load() -> str:
        return source["alice"]

    assert await reader.get("alice", load) == "v1"
    async with writer.changing("alice"):
        source["alice"] = "v2"
    tag = await second.get("verdict:names:alice:tag")
    assert tag is not None
    await heard(first, "verdict:names:alice:tag", tag)
    now[0] += 0.5

    assert await reader.get("alice", load) == "v2"


async def test_while_not_listening_invalidation_keys_are_unavailable_and_a_reconnection_reads_as_a_change(
    two_processes, postgres_dsn
):
    first, second = two_processes
    await first.set(GENERATION, b"g1")
    await heard(second, GENERATION, b"g1/1")
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
        )

    async def refused() -> bool:
        try:
            await second.get(GENERATION)
        except CacheUnavailable:
            return True
        return False

    async with asyncio.timeout(10):
        while not await refused():  # noqa: ASYNC110 - the listener's loss is PostgreSQL's doing
            await asyncio.sleep(0.01)
    assert await second.get("rate:someone") is None  # other keys are still answered
    await heard(second, GENERATION, b"g1/2")
