"""The rate limiter (GCRA) and the counter groups of the Cache port, on both adapters: the memory
cache on a frozen clock, the Redis cache against the real Redis. The Redis limiter runs on Redis's
own clock, so its tests use periods long enough that the test's own run time cannot matter."""

import asyncio
import secrets
from datetime import timedelta

import pytest

from adapters.cache.memory_cache import MemoryCache
from domain.shared.cache import Cache
from domain.shared.clock import FixedClock

pytestmark = pytest.mark.integration

HOUR = 3600.0


@pytest.fixture(params=["memory", "redis"])
def cache(request: pytest.FixtureRequest) -> Cache:
    return request.getfixturevalue(f"{request.param}_cache")


async def test_r1_of_1000_concurrent_attempts_against_a_limit_of_100_exactly_100_pass(cache):
    decisions = await asyncio.gather(*(cache.acquire_rate("burst", 100, HOUR) for _ in range(1000)))

    assert sum(decision.allowed for decision in decisions) == 100
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(100))
    refused = [d for d in decisions if not d.allowed]
    assert all(d.remaining == 0 and d.retry_after > 0 for d in refused)


async def test_remaining_counts_down_and_a_refusal_says_when_to_retry(cache):
    first = await cache.acquire_rate("key", 3, HOUR)
    assert (first.allowed, first.limit, first.remaining) == (True, 3, 2)
    assert first.retry_after == 0
    assert HOUR / 3 - 1 <= first.reset_after <= HOUR / 3

    await cache.acquire_rate("key", 3, HOUR)
    third = await cache.acquire_rate("key", 3, HOUR)
    assert (third.allowed, third.remaining) == (True, 0)

    refused = await cache.acquire_rate("key", 3, HOUR)
    assert refused.allowed is False
    # The next attempt passes one emission interval (period / limit) after the first.
    assert HOUR / 3 - 1 <= refused.retry_after <= HOUR / 3
    assert HOUR - 1 <= refused.reset_after <= HOUR


async def test_keys_are_limited_apart(cache):
    assert (await cache.acquire_rate("one", 1, HOUR)).allowed
    assert not (await cache.acquire_rate("one", 1, HOUR)).allowed
    assert (await cache.acquire_rate("two", 1, HOUR)).allowed


async def test_bad_limits_are_refused(cache):
    with pytest.raises(ValueError):
        await cache.acquire_rate("key", 0, 60)
    with pytest.raises(ValueError):
        await cache.acquire_rate("key", 10, 0)


async def test_on_a_frozen_clock_one_attempt_passes_per_interval_at_the_exact_boundary(
    cache_clock: FixedClock,
):
    cache = MemoryCache(cache_clock)
    assert (await cache.acquire_rate("key", 2, 10)).allowed
    assert (await cache.acquire_rate("key", 2, 10)).allowed
    refused = await cache.acquire_rate("key", 2, 10)
    assert not refused.allowed and refused.retry_after == 5.0

    cache_clock.advance(timedelta(seconds=5) - timedelta(microseconds=1))
    assert not (await cache.acquire_rate("key", 2, 10)).allowed
    cache_clock.advance(timedelta(microseconds=1))
    passed = await cache.acquire_rate("key", 2, 10)
    assert passed.allowed and passed.remaining == 0

    cache_clock.advance(timedelta(seconds=10))
    assert (await cache.acquire_rate("key", 2, 10)).remaining == 1


async def test_counter_groups_add_exactly_under_concurrency(cache):
    await asyncio.gather(*(cache.increment_field("group", f"f{i % 3}") for i in range(300)))
    assert await cache.increment_field("group", "f0", 5) == 105


async def test_a_claim_moves_the_group_and_new_counts_start_a_new_group(cache):
    await cache.increment_field("group", "a", 2)
    await cache.increment_field("group", "b", 3)

    claimed = await cache.claim_fields("group", "group:claim", "token-1")
    assert claimed == ("token-1", {"a": 2, "b": 3})

    await cache.increment_field("group", "a", 7)
    assert await cache.release_claim("group:claim", "token-1") is True
    assert await cache.claim_fields("group", "group:claim", "token-2") == ("token-2", {"a": 7})


async def test_an_unreleased_claim_is_answered_again_with_its_own_token(cache):
    await cache.increment_field("group", "a", 2)
    await cache.claim_fields("group", "group:claim", "abandoned")
    await cache.increment_field("group", "a", 5)

    assert await cache.claim_fields("group", "group:claim", "later") == ("abandoned", {"a": 2})
    assert await cache.release_claim("group:claim", "later") is False
    assert await cache.release_claim("group:claim", "abandoned") is True
    assert await cache.claim_fields("group", "group:claim", "later") == ("later", {"a": 5})


async def test_nothing_to_claim_is_none(cache):
    assert await cache.claim_fields("group", "group:claim", secrets.token_hex(4)) is None
    assert await cache.release_claim("group:claim", "token") is False


async def test_field_names_are_not_empty(cache):
    with pytest.raises(ValueError):
        await cache.increment_field("group", "")
