"""One behavioural suite for every Cache adapter: the memory cache on a frozen clock (alone, and
wrapped to carry its invalidations through the real PostgreSQL), the Redis cache against the real
Redis. Expiry on Redis is shown by `ttl()` values and by waiting past a
short TTL; exact boundaries are shown on the frozen clock."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import redis.asyncio as redis

from adapters.cache.memory_cache import MemoryCache
from adapters.cache.redis_cache import RedisCache
from adapters.postgres.notifying_cache import PostgresNotifyingCache
from adapters.postgres.pool import create_pool
from application.verdicts import is_invalidation_key
from domain.shared.cache import Cache
from domain.shared.clock import FixedClock

pytestmark = pytest.mark.integration


@dataclass
class Subject:
    cache: Cache
    pass_time: Callable[[float], Awaitable[None]]


@pytest.fixture
async def notifying_memory_cache(memory_cache: MemoryCache, postgres_dsn: str) -> AsyncIterator[Cache]:
    pool = create_pool(postgres_dsn)
    await pool.open()
    cache = PostgresNotifyingCache(memory_cache, pool, postgres_dsn, is_invalidation_key)
    await cache.start()
    yield cache
    await cache.close()
    await pool.close()


@pytest.fixture(params=["memory", "memory_notified", "redis"])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param in ("memory", "memory_notified"):
        clock: FixedClock = request.getfixturevalue("cache_clock")

        async def advance(seconds: float) -> None:
            clock.advance(timedelta(seconds=seconds))

        fixture = "memory_cache" if request.param == "memory" else "notifying_memory_cache"
        return Subject(request.getfixturevalue(fixture), advance)
    return Subject(request.getfixturevalue("redis_cache"), asyncio.sleep)


@pytest.fixture
def cache(subject: Subject) -> Cache:
    return subject.cache


async def test_get_of_an_absent_key_is_none(cache):
    assert await cache.get("absent") is None
    assert await cache.ttl("absent") is None


async def test_set_then_get_returns_the_bytes_and_a_second_set_replaces_them(cache):
    await cache.set("key", b"\x00first\xff")
    assert await cache.get("key") == b"\x00first\xff"

    await cache.set("key", b"second")
    assert await cache.get("key") == b"second"


async def test_get_many_answers_in_order_with_none_for_absent_keys(cache):
    await cache.set("one", b"1")
    await cache.set("three", b"3")

    assert await cache.get_many(["three", "two", "one"]) == [b"3", None, b"1"]
    assert await cache.get_many([]) == []


async def test_delete_reports_whether_the_key_existed(cache):
    await cache.set("key", b"value")

    assert await cache.delete("key") is True
    assert await cache.get("key") is None
    assert await cache.delete("key") is False


async def test_a_key_without_ttl_never_expires(cache):
    await cache.set("key", b"value")

    assert await cache.ttl("key") is None


async def test_a_key_with_ttl_is_present_and_reports_the_time_left(cache):
    await cache.set("key", b"value", ttl=60)

    assert await cache.get("key") == b"value"
    assert 0 < await cache.ttl("key") <= 60


async def test_a_key_is_gone_once_its_ttl_has_passed(subject):
    cache = subject.cache
    await cache.set("short", b"value", ttl=0.2)
    assert 0 < await cache.ttl("short") <= 0.2

    await subject.pass_time(0.3)

    assert await cache.get("short") is None
    assert await cache.get_many(["short"]) == [None]
    assert await cache.ttl("short") is None
    assert await cache.delete("short") is False


async def test_set_without_ttl_clears_an_earlier_ttl(cache):
    await cache.set("key", b"value", ttl=60)
    await cache.set("key", b"value")

    assert await cache.ttl("key") is None


async def test_set_if_absent_stores_only_the_first_value(cache):
    assert await cache.set_if_absent("key", b"first", ttl=60) is True
    assert await cache.set_if_absent("key", b"second", ttl=60) is False

    assert await cache.get("key") == b"first"
    assert 0 < await cache.ttl("key") <= 60


async def test_set_if_absent_succeeds_again_after_the_key_expired(subject):
    cache = subject.cache
    assert await cache.set_if_absent("guard", b"first", ttl=0.2) is True

    await subject.pass_time(0.3)

    assert await cache.set_if_absent("guard", b"second") is True
    assert await cache.get("guard") == b"second"
    assert await cache.ttl("guard") is None


async def test_increment_counts_from_zero_and_returns_each_total(cache):
    assert await cache.increment("counter") == 1
    assert await cache.increment("counter", 5) == 6
    assert await cache.increment("counter", -10) == -4
    assert await cache.get("counter") == b"-4"


async def test_increment_continues_a_counter_written_with_set(cache):
    await cache.set("counter", b"41")

    assert await cache.increment("counter") == 42


async def test_increment_sets_the_ttl_only_when_it_creates_the_key(cache):
    await cache.increment("counter", ttl=60)
    await cache.increment("counter", ttl=6000)

    assert 0 < await cache.ttl("counter") <= 60

    await cache.increment("plain")
    await cache.increment("plain", ttl=60)

    assert await cache.ttl("plain") is None


async def test_an_expired_counter_starts_again_with_a_fresh_ttl(subject):
    cache = subject.cache
    assert await cache.increment("window", 3, ttl=0.2) == 3

    await subject.pass_time(0.3)

    assert await cache.increment("window", ttl=60) == 1
    assert 0 < await cache.ttl("window") <= 60


async def test_increment_of_a_value_that_is_not_a_counter_is_a_value_error(cache):
    await cache.set("text", b"not a number")

    with pytest.raises(ValueError):
        await cache.increment("text")
    assert await cache.get("text") == b"not a number"


async def test_increment_past_the_64_bit_range_is_a_value_error(cache):
    await cache.set("big", str(2**63 - 1).encode())

    with pytest.raises(ValueError):
        await cache.increment("big")
    assert await cache.get("big") == str(2**63 - 1).encode()


async def test_concurrent_increments_are_exact(cache):
    totals = await asyncio.gather(*(cache.increment("hits", ttl=60) for _ in range(1000)))

    assert sorted(totals) == list(range(1, 1001))
    assert await cache.get("hits") == b"1000"


async def test_of_concurrent_set_if_absent_exactly_one_wins(cache):
    outcomes = await asyncio.gather(
        *(cache.set_if_absent("once", str(n).encode(), ttl=60) for n in range(200))
    )

    assert outcomes.count(True) == 1
    assert await cache.get("once") == str(outcomes.index(True)).encode()


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf")])
async def test_a_ttl_that_is_not_a_positive_finite_number_is_rejected(cache, ttl):
    for call in (
        lambda: cache.set("key", b"value", ttl),
        lambda: cache.set_if_absent("key", b"value", ttl),
        lambda: cache.increment("key", 1, ttl),
    ):
        with pytest.raises(ValueError, match="ttl"):
            await call()
    assert await cache.get("key") is None


async def test_values_must_be_bytes_and_amounts_integers(cache):
    with pytest.raises(TypeError):
        await cache.set("key", "text")
    with pytest.raises(TypeError):
        await cache.set_if_absent("key", "text")
    with pytest.raises(ValueError):
        await cache.increment("key", 1.5)
    assert await cache.get("key") is None


async def test_ping_answers(cache):
    await cache.ping()


async def test_memory_expiry_is_exact_to_the_millisecond(memory_cache: MemoryCache, cache_clock: FixedClock):
    await memory_cache.set("key", b"value", ttl=1.5)
    assert await memory_cache.ttl("key") == 1.5

    cache_clock.advance(timedelta(milliseconds=1499))
    assert await memory_cache.get("key") == b"value"
    assert await memory_cache.ttl("key") == 0.001

    cache_clock.advance(timedelta(milliseconds=1))
    assert await memory_cache.get("key") is None


async def test_memory_ttls_round_to_milliseconds_and_never_to_zero(memory_cache: MemoryCache):
    await memory_cache.set("quarter", b"v", ttl=0.25)
    await memory_cache.set("tiny", b"v", ttl=0.0001)

    assert await memory_cache.ttl("quarter") == 0.25
    assert await memory_cache.ttl("tiny") == 0.001


async def test_redis_increments_from_two_clients_are_exact(redis_url: str, redis_namespace: str):
    first = RedisCache.from_url(redis_url, namespace=redis_namespace, socket_timeout=5.0)
    second = RedisCache.from_url(redis_url, namespace=redis_namespace, socket_timeout=5.0)
    try:
        totals = await asyncio.gather(
            *(client.increment("shared", ttl=60) for _ in range(250) for client in (first, second))
        )
        assert sorted(totals) == list(range(1, 501))
        assert 0 < await second.ttl("shared") <= 60
    finally:
        await first.close()
        await second.close()


async def test_redis_namespaces_keep_keys_apart(redis_url: str, redis_namespace: str):
    mine = RedisCache.from_url(redis_url, namespace=redis_namespace + ":a", socket_timeout=5.0)
    theirs = RedisCache.from_url(redis_url, namespace=redis_namespace + ":b", socket_timeout=5.0)
    raw = redis.Redis.from_url(redis_url, socket_timeout=5.0)
    try:
        await mine.set("key", b"mine")

        assert await theirs.get("key") is None
        assert await raw.get(redis_namespace + ":a:key") == b"mine"
    finally:
        await mine.close()
        await theirs.close()
        await raw.aclose()
