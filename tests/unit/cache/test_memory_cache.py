"""What only the memory cache has: a bound on entries and the sweeping of expired keys.
The behaviour it shares with Redis is in tests/integration/cache/test_cache_contract.py."""

from datetime import UTC, datetime, timedelta

import pytest

from adapters.cache.memory_cache import MemoryCache
from domain.shared.clock import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2025, 1, 1, tzinfo=UTC))


async def test_expired_keys_no_longer_count(clock):
    cache = MemoryCache(clock)
    for n in range(100):
        await cache.set(f"short-{n}", b"v", ttl=1)
    await cache.set("lasting", b"v")

    clock.advance(timedelta(seconds=1))

    assert len(cache) == 1


async def test_a_full_cache_evicts_the_key_nearest_expiry_then_the_oldest(clock):
    cache = MemoryCache(clock, max_entries=3)
    await cache.set("later", b"v", ttl=60)
    await cache.set("sooner", b"v", ttl=10)
    await cache.set("forever", b"v")

    await cache.set("new-1", b"v")
    assert await cache.get_many(["later", "sooner", "forever"]) == [b"v", None, b"v"]

    await cache.set("new-2", b"v")
    assert await cache.get_many(["later", "forever", "new-1"]) == [None, b"v", b"v"]

    await cache.set("new-3", b"v")
    assert await cache.get_many(["forever", "new-1", "new-2", "new-3"]) == [None, b"v", b"v", b"v"]
    assert len(cache) == 3


async def test_a_full_cache_makes_room_from_expired_keys_before_evicting(clock):
    cache = MemoryCache(clock, max_entries=2)
    await cache.set("expiring", b"v", ttl=1)
    await cache.set("kept", b"v")
    clock.advance(timedelta(seconds=2))

    await cache.set("new", b"v")

    assert await cache.get_many(["kept", "new"]) == [b"v", b"v"]


async def test_overwriting_a_key_in_a_full_cache_evicts_nothing(clock):
    cache = MemoryCache(clock, max_entries=2)
    await cache.set("a", b"1", ttl=5)
    await cache.set("b", b"1", ttl=10)

    await cache.set("a", b"2", ttl=20)
    assert await cache.set_if_absent("b", b"2") is False
    assert await cache.increment("c", ttl=30) == 1

    assert await cache.get_many(["a", "b", "c"]) == [b"2", None, b"1"]


async def test_an_overwritten_key_keeps_its_new_expiry(clock):
    cache = MemoryCache(clock)
    await cache.set("key", b"old", ttl=1)
    await cache.set("key", b"new", ttl=10)

    clock.advance(timedelta(seconds=5))

    assert await cache.get("key") == b"new"


async def test_time_left_rounds_up_so_a_present_key_never_reports_zero(clock):
    cache = MemoryCache(clock)
    await cache.set("key", b"v", ttl=1)

    clock.advance(timedelta(microseconds=999_500))

    assert await cache.get("key") == b"v"
    assert await cache.ttl("key") == 0.001


async def test_close_drops_every_entry(clock):
    cache = MemoryCache(clock)
    await cache.set("key", b"v")

    await cache.close()

    assert len(cache) == 0


def test_max_entries_must_be_positive():
    with pytest.raises(ValueError, match="max_entries"):
        MemoryCache(max_entries=0)
