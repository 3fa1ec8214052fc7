import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.cache.memory_cache import MemoryCache
from application.wot.compute_figures import MAX_BATCH
from domain.nostr.nip19 import encode_npub
from domain.shared.clock import FixedClock
from domain.shared.errors import DependencyUnavailable, InvalidInput
from domain.wot.settings import WotSettings
from tests.support.app import container_for_tests, settings_for_tests
from tests.unit.wot.fakes import ControllableRelay, contacts
from tests.unit.wot.world import NOW, NOW_TS, PUB, SECRET, world_events

SETTINGS = WotSettings(seeds=(PUB["seed"],), request_deadline=0.2, build_deadline=5.0)
TTL = timedelta(seconds=SETTINGS.cache_ttl)
# One build of this world reads contact lists at depths 0, 1 and 2: three calls.
BUILD_CALLS = 3


class Process:
    """One server process: its own container (so its own singletons), the shared relay and cache."""

    def __init__(
        self, relay: ControllableRelay, cache: MemoryCache, clock: FixedClock, data_dir: Path
    ) -> None:
        container = container_for_tests(
            settings_for_tests(data_dir), clock=clock, relay=relay, cache=cache, wot_settings=SETTINGS
        )
        self.neighbourhood = container.wot.wot_neighbourhood()
        self.figures = container.wot.compute_wot_figures()
        self.batch = container.wot.compute_wot_figures_batch()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def cache(clock: FixedClock) -> MemoryCache:
    return MemoryCache(clock)


@pytest.fixture
def relay() -> ControllableRelay:
    return ControllableRelay(world_events())


@pytest.fixture
def process(relay: ControllableRelay, cache: MemoryCache, clock: FixedClock, tmp_path: Path) -> Process:
    return Process(relay, cache, clock, tmp_path)


async def follow_erin(relay: ControllableRelay, name: str) -> None:
    await relay.publish([contacts(SECRET[name], [PUB["erin"]], NOW_TS)])


async def test_accepts_hex_and_npub_alike(process: Process) -> None:
    by_hex = await process.figures(PUB["carol"])
    by_npub = await process.figures(encode_npub(PUB["carol"]))

    assert by_hex == by_npub
    assert by_hex.figures.pubkey == PUB["carol"]
    assert not by_hex.stale


async def test_rejects_what_is_not_a_pubkey(process: Process) -> None:
    with pytest.raises(InvalidInput):
        await process.figures("carol")


async def test_scores_are_cached_for_one_ttl(
    process: Process, relay: ControllableRelay, clock: FixedClock
) -> None:
    first = await process.figures(PUB["erin"])
    await follow_erin(relay, "dave")

    clock.advance(TTL - timedelta(seconds=1))
    within = await process.figures(PUB["erin"])
    clock.advance(timedelta(seconds=1))
    after = await process.figures(PUB["erin"])

    assert within == first
    assert after.figures.followers_count == first.figures.followers_count + 1
    assert after.figures.computed_at == NOW + TTL
    assert not after.stale


async def test_concurrent_requests_compute_once(process: Process, relay: ControllableRelay) -> None:
    answers = await asyncio.gather(*(process.figures(PUB["carol"]) for _ in range(25)))

    assert len({answer.figures for answer in answers}) == 1
    assert relay.calls["latest_replaceable"] == BUILD_CALLS
    # One score: one query for the target's own events, one for the mutes and reports tagging it,
    # two COUNTs (followers, recent notes).
    assert (relay.calls["query"], relay.calls["count"]) == (2, 2)


async def test_processes_share_scores_and_the_neighbourhood(
    relay: ControllableRelay, cache: MemoryCache, clock: FixedClock, tmp_path: Path
) -> None:
    one, two = Process(relay, cache, clock, tmp_path), Process(relay, cache, clock, tmp_path)

    first = await one.figures(PUB["carol"])
    same = await two.figures(PUB["carol"])
    other = await two.figures(PUB["dave"])

    assert same == first
    assert other.figures.wot_depth == 2
    assert relay.calls["latest_replaceable"] == BUILD_CALLS
    assert relay.calls["count"] == 4  # followers and recent notes: carol once, dave once


async def test_neighbourhood_is_rebuilt_once_per_ttl(
    process: Process, relay: ControllableRelay, clock: FixedClock
) -> None:
    await process.figures(PUB["carol"])
    await relay.publish([contacts(SECRET["seed"], [PUB["alice"], PUB["bob"], PUB["xavier"]], NOW_TS)])

    clock.advance(TTL - timedelta(seconds=1))
    await process.figures(PUB["dave"])
    assert relay.calls["latest_replaceable"] == BUILD_CALLS
    assert (await process.neighbourhood.get()).position_of(PUB["xavier"]).depth is None

    clock.advance(timedelta(seconds=2))
    await process.neighbourhood.ready(wait_for=5)
    await process.figures(PUB["alice"])
    xavier = await process.figures(PUB["xavier"])

    assert xavier.figures.wot_depth == 1
    assert relay.calls["latest_replaceable"] == 2 * BUILD_CALLS


async def test_past_the_ttl_the_previous_neighbourhood_serves_while_the_rebuild_runs(
    process: Process, relay: ControllableRelay, clock: FixedClock
) -> None:
    await process.figures(PUB["carol"])
    clock.advance(TTL + timedelta(seconds=1))
    relay.mode = "slow"  # the rebuild hangs on its first contact-list read

    try:
        previous = await process.neighbourhood.get()
    finally:
        relay.recover()

    assert previous.built_at == NOW_TS
    assert (await process.neighbourhood.ready(wait_for=5)).built_at == NOW_TS + int(TTL.total_seconds()) + 1


async def test_w1_relay_down_serves_the_stale_score_flagged(
    process: Process, relay: ControllableRelay, clock: FixedClock
) -> None:
    fresh = await process.figures(PUB["carol"])
    clock.advance(TTL + timedelta(seconds=1))
    relay.mode = "down"

    served = await process.figures(PUB["carol"])

    assert served.stale
    assert served.figures == fresh.figures


async def test_w1_relay_slow_serves_the_stale_score_within_the_deadline(
    process: Process, relay: ControllableRelay, clock: FixedClock
) -> None:
    fresh = await process.figures(PUB["carol"])
    clock.advance(TTL + timedelta(seconds=1))
    relay.mode = "slow"

    try:
        served = await process.figures(PUB["carol"])
    finally:
        relay.recover()

    assert served.stale
    assert served.figures == fresh.figures


async def test_w1_relay_down_without_an_earlier_score_is_unavailable_with_retry_after(
    process: Process, relay: ControllableRelay
) -> None:
    await process.figures(PUB["carol"])
    relay.mode = "down"

    with pytest.raises(DependencyUnavailable) as raised:
        await process.figures(PUB["dave"])

    assert raised.value.retry_after == 5


async def test_w1_relay_slow_on_a_cold_start_is_unavailable_with_retry_after(
    process: Process, relay: ControllableRelay
) -> None:
    relay.mode = "slow"

    try:
        with pytest.raises(DependencyUnavailable) as raised:
            await process.figures(PUB["carol"])
    finally:
        relay.recover()

    assert raised.value.retry_after == 5


async def test_w1_fresh_scores_are_served_while_the_relay_is_down(
    process: Process, relay: ControllableRelay
) -> None:
    fresh = await process.figures(PUB["carol"])
    relay.mode = "down"

    assert await process.figures(PUB["carol"]) == fresh


async def test_the_stale_copy_expires_after_the_stale_window(
    process: Process, relay: ControllableRelay, clock: FixedClock
) -> None:
    await process.figures(PUB["carol"])
    clock.advance(TTL + timedelta(seconds=SETTINGS.stale_for + 1))
    relay.mode = "down"

    with pytest.raises(DependencyUnavailable):
        await process.figures(PUB["carol"])


async def test_batch_answers_in_order_with_duplicates(process: Process, relay: ControllableRelay) -> None:
    asked = [PUB["dave"], encode_npub(PUB["carol"]), PUB["dave"], PUB["nobody"]]

    answers = await process.batch(asked)

    assert [answer.figures.pubkey for answer in answers] == [
        PUB["dave"],
        PUB["carol"],
        PUB["dave"],
        PUB["nobody"],
    ]
    assert relay.calls["count"] == 6  # two per distinct pubkey


async def test_batch_of_nothing_is_empty(process: Process) -> None:
    assert await process.batch([]) == []


async def test_batch_limit_and_bad_entries_are_named(process: Process) -> None:
    with pytest.raises(InvalidInput) as too_many:
        await process.batch([PUB["carol"]] * (MAX_BATCH + 1))
    with pytest.raises(InvalidInput) as bad:
        await process.batch([PUB["carol"], "npub1nonsense", "x"])

    assert "pubkeys" in too_many.value.errors
    assert set(bad.value.errors) == {"pubkeys[1]", "pubkeys[2]"}
