import asyncio
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from adapters.cache.memory_cache import MemoryCache
from adapters.relay.memory_relay import MemoryRelay
from application.cached_relay import CachedRelay, canonical_filters
from domain.nostr.event import Event, Filter
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.clock import FixedClock

ALICE = generate_secret_key()
BOB = generate_secret_key()


class CountingRelay(MemoryRelay):
    """A MemoryRelay that counts round trips and can hold them until released."""

    def __init__(self, events: Sequence[Event] = ()) -> None:
        super().__init__(events)
        self.calls: Counter[str] = Counter()
        self.gate = asyncio.Event()
        self.gate.set()

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        self.calls["query"] += 1
        await self.gate.wait()
        return await super().query(filters)

    async def count(self, filters: Sequence[Filter]) -> int | None:
        self.calls["count"] += 1
        return await super().count(filters)


def note(secret: str, at: int, kind: int = 1) -> Event:
    return sign_event(secret, kind=kind, tags=[], content=str(at), created_at=at)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 1, tzinfo=UTC))


def test_canonical_key_ignores_order_and_repetition() -> None:
    a = [Filter(authors=("b", "a", "a"), kinds=(3, 1), tags={"p": ("y", "x")}), Filter(limit=1)]
    b = [Filter(limit=1), Filter(kinds=(1, 3), authors=("a", "b"), tags={"p": ("x", "y")}), Filter(limit=1)]
    assert canonical_filters(a) == canonical_filters(b)
    assert canonical_filters([Filter(tags={})]) == canonical_filters([Filter()])
    assert canonical_filters([Filter(limit=1)]) != canonical_filters([Filter(limit=2)])
    assert canonical_filters([Filter(authors=("a",))]) != canonical_filters([Filter(ids=("a",))])


async def test_results_are_cached_for_the_ttl(clock: FixedClock) -> None:
    inner = CountingRelay([note(ALICE, 1)])
    relay = CachedRelay(inner, MemoryCache(clock), ttl=60)
    wanted = [Filter(authors=(public_key_of(ALICE),))]

    first = await relay.query(wanted)
    await inner.publish([note(ALICE, 2)])
    second = await relay.query(wanted)
    clock.advance(timedelta(seconds=61))
    third = await relay.query(wanted)

    assert first == second and len(first) == 1
    assert len(third) == 2
    assert inner.calls["query"] == 2


async def test_concurrent_identical_queries_share_one_round_trip(clock: FixedClock) -> None:
    inner = CountingRelay([note(ALICE, 1), note(BOB, 2)])
    inner.gate.clear()
    relay = CachedRelay(inner, MemoryCache(clock), ttl=60)
    pubkeys = (public_key_of(ALICE), public_key_of(BOB))

    calls = [
        asyncio.ensure_future(relay.query([Filter(authors=pubkeys)])),
        asyncio.ensure_future(relay.query([Filter(authors=tuple(reversed(pubkeys)))])),
        asyncio.ensure_future(relay.query([Filter(authors=pubkeys), Filter(authors=pubkeys)])),
    ]
    await asyncio.sleep(0)
    inner.gate.set()
    results = await asyncio.gather(*calls)

    assert inner.calls["query"] == 1
    assert all(len(result) == 2 for result in results)


async def test_counts_including_none_are_cached(clock: FixedClock) -> None:
    class NoCount(CountingRelay):
        async def count(self, filters: Sequence[Filter]) -> int | None:
            self.calls["count"] += 1
            return None

    counting, refusing = CountingRelay([note(ALICE, 1)]), NoCount()
    for inner, expected in ((counting, 1), (refusing, None)):
        relay = CachedRelay(inner, MemoryCache(clock), ttl=60)
        assert await relay.count([Filter(kinds=(1,))]) == expected
        assert await relay.count([Filter(kinds=(1,))]) == expected
        assert inner.calls["count"] == 1


async def test_latest_replaceable_goes_through_the_cache(clock: FixedClock) -> None:
    old, new = note(ALICE, 1, kind=3), note(ALICE, 2, kind=3)
    inner = CountingRelay([old, new, note(BOB, 1, kind=3)])
    relay = CachedRelay(inner, MemoryCache(clock), ttl=60)

    latest = await relay.latest_replaceable([public_key_of(ALICE), public_key_of(ALICE)], 3)
    again = await relay.latest_replaceable([public_key_of(ALICE)], 3)

    assert latest == again == {public_key_of(ALICE): new}
    assert inner.calls["query"] == 1


async def test_large_results_are_answered_but_not_stored(clock: FixedClock) -> None:
    inner = CountingRelay([note(ALICE, n) for n in range(5)])
    relay = CachedRelay(inner, MemoryCache(clock), ttl=60, max_cached_bytes=100)

    first = await relay.query([Filter(kinds=(1,))])
    second = await relay.query([Filter(kinds=(1,))])

    assert len(first) == len(second) == 5
    assert inner.calls["query"] == 2
