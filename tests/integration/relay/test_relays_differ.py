"""Relays differ, results do not (promise W3): a real relay behind a proxy that reads `since` and
`until` exclusively, caps a REQ without saying so, announces odd NIP-11 values, or ignores, refuses
or mangles COUNT. Every call still returns exactly the events the filter selects."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from adapters.relay.config import RelayLimits, RelayTimeouts
from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.nostr.event import Event, Filter
from domain.nostr.filters import select
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.polling import eventually
from tests.support.relay_client import publish_raw
from tests.support.relay_proxy import RelayProxy

pytestmark = pytest.mark.integration

HANG_GUARD = 60


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def ids(events: list[Event]) -> set[str]:
    return {event.id for event in events}


def contact_lists(target: str, count: int, per_second: int, start: int = 1_500_000) -> list[Event]:
    """`count` accounts following `target`, their lists `per_second` to a second."""
    return [
        sign_event(
            generate_secret_key(),
            kind=3,
            tags=[["p", target]],
            content="",
            created_at=start + n // per_second,
        )
        for n in range(count)
    ]


def notes(secret: str, count: int, per_second: int = 3, start: int = 1_600_000) -> list[Event]:
    return [
        sign_event(secret, kind=1, tags=[], content=f"note {n}", created_at=start + n // per_second)
        for n in range(count)
    ]


@pytest_asyncio.fixture(loop_scope="session")
async def proxy(relay_url: str) -> AsyncIterator[RelayProxy]:
    proxy = await RelayProxy(relay_url).start()
    yield proxy
    await proxy.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def followed(relay_url: str) -> tuple[str, list[Event]]:
    target = public_key_of(generate_secret_key())
    followers = contact_lists(target, 1_200, per_second=3)
    assert await publish_raw(relay_url, followers) == len(followers)
    return target, followers


@pytest.mark.parametrize("parallel_windows", [1, 4])
@pytest.mark.parametrize("reading", ["until", "since", "both"])
async def test_w3_followers_are_exact_whichever_way_the_relay_reads_since_and_until(
    proxy: RelayProxy, followed: tuple[str, list[Event]], reading: str, parallel_windows: int
) -> None:
    target, followers = followed
    proxy.until_exclusive = reading in ("until", "both")
    proxy.since_exclusive = reading in ("since", "both")
    proxy.refuse_count = "ignore"
    everyone = Filter(kinds=(3,), tags={"p": (target,)})
    bounded = Filter(kinds=(3,), tags={"p": (target,)}, since=1_500_050, until=1_500_300)
    pool = WebsocketRelayPool(
        [proxy.url],
        limits=RelayLimits(parallel_windows=parallel_windows),
        timeouts=RelayTimeouts(deadline=30),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            every_follower = await pool.query([everyone])
            in_range = await pool.query([bounded])
    finally:
        await pool.close()

    assert ids(every_follower) == ids(followers)
    assert ids(in_range) == ids(select(bounded, followers))


@pytest.mark.parametrize("cap", [100, 499])
async def test_w3_a_relay_that_caps_a_req_below_the_page_size_without_saying_so_loses_nothing(
    proxy: RelayProxy, relay_url: str, cap: int
) -> None:
    secret = generate_secret_key()
    published = notes(secret, 1_050)
    await publish_raw(relay_url, published)
    proxy.silent_cap = cap
    wanted = Filter(authors=(public_key_of(secret),))
    limited = Filter(authors=(public_key_of(secret),), limit=700)
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=30))
    try:
        async with asyncio.timeout(HANG_GUARD):
            events = await pool.query([wanted])
            newest = await pool.query([limited])
    finally:
        await pool.close()

    assert ids(events) == ids(published)
    assert ids(newest) == ids(select(limited, published))


@pytest.mark.parametrize("max_limit", [0, -5, "500", 10**12])
async def test_w3_nip11_values_that_are_not_positive_integers_are_ignored(
    proxy: RelayProxy, relay_url: str, max_limit: object
) -> None:
    secret = generate_secret_key()
    published = notes(secret, 620)
    await publish_raw(relay_url, published)
    proxy.information = {
        "supported_nips": [1, 11, 45],
        "limitation": {"max_limit": max_limit, "max_subscriptions": -1},
    }
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=30))
    try:
        async with asyncio.timeout(HANG_GUARD):
            await pool.start()
            await eventually(lambda: pool.information(proxy.url) is not None)
            events = await pool.query([Filter(authors=(public_key_of(secret),))])
            counted = await pool.count([Filter(authors=(public_key_of(secret),))])
    finally:
        await pool.close()

    assert ids(events) == ids(published)
    assert counted == len(published)


async def test_w3_an_unanswered_count_falls_back_without_opening_the_breaker_and_is_probed_later(
    proxy: RelayProxy, relay_url: str
) -> None:
    secret = generate_secret_key()
    published = notes(secret, 12)
    await publish_raw(relay_url, published)
    proxy.refuse_count = "ignore"
    clock = Clock()
    registry = CollectorRegistry()
    wanted = Filter(authors=(public_key_of(secret),))
    pool = WebsocketRelayPool(
        [proxy.url],
        clock=clock,
        registry=registry,
        limits=RelayLimits(breaker_failures=1),
        timeouts=RelayTimeouts(deadline=4, count_retry_after=300),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            unanswered = [await pool.count([wanted]) for _ in range(3)]
            events = await pool.query([wanted])
            counts_sent_while_off = sum(1 for message in proxy.requests if message[0] == "COUNT")
            proxy.refuse_count = None
            still_off = await pool.count([wanted])
            clock.now += 301
            probed = await pool.count([wanted])
    finally:
        await pool.close()

    assert unanswered == [None, None, None]
    assert ids(events) == ids(published)
    assert counts_sent_while_off == 1
    assert still_off is None
    assert probed == len(published)
    assert registry.get_sample_value("nostr_relay_breaker_open", {"relay": proxy.url}) == 0


async def test_w3_a_notice_about_something_else_does_not_reject_a_pending_count(
    proxy: RelayProxy, relay_url: str
) -> None:
    secret = generate_secret_key()
    await publish_raw(relay_url, notes(secret, 42))
    proxy.notice_before_count = "please slow down a little"
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=20))
    try:
        async with asyncio.timeout(HANG_GUARD):
            counted = await pool.count([Filter(authors=(public_key_of(secret),))])
    finally:
        await pool.close()

    assert counted == 42


@pytest.mark.parametrize("refusal", ["notice", "closed"])
async def test_w3_count_refused_is_off_for_a_while_not_for_the_life_of_the_process(
    proxy: RelayProxy, relay_url: str, refusal: str
) -> None:
    secret = generate_secret_key()
    await publish_raw(relay_url, notes(secret, 9))
    proxy.refuse_count = refusal
    clock = Clock()
    wanted = Filter(authors=(public_key_of(secret),))
    pool = WebsocketRelayPool(
        [proxy.url], clock=clock, timeouts=RelayTimeouts(deadline=20, count_retry_after=60)
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            refused = await pool.count([wanted])
            proxy.refuse_count = None
            clock.now += 61
            counted = await pool.count([wanted])
    finally:
        await pool.close()

    assert refused is None
    assert counted == 9


async def test_w3_a_count_over_a_split_tag_list_is_not_summed(proxy: RelayProxy, relay_url: str) -> None:
    targets = tuple(public_key_of(generate_secret_key()) for _ in range(8))
    author = generate_secret_key()
    # Each event tags one key of the first chunk and one of the second: summing chunks counts it twice.
    published = [
        sign_event(
            author,
            kind=1,
            tags=[["p", targets[n]], ["p", targets[4 + n]]],
            content=f"{n}",
            created_at=1_700_000 + n,
        )
        for n in range(4)
    ]
    await publish_raw(relay_url, published)
    wanted = Filter(kinds=(1,), tags={"p": targets})
    pool = WebsocketRelayPool(
        [proxy.url], limits=RelayLimits(chunk_size=4), timeouts=RelayTimeouts(deadline=20)
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            counted = await pool.count([wanted])
            events = await pool.query([wanted])
    finally:
        await pool.close()

    assert counted in (None, len(published))
    assert ids(events) == ids(published)
    assert not [message for message in proxy.requests if message[0] == "COUNT" and len(message[2]["#p"]) < 8]  # type: ignore[index,arg-type]


@pytest.mark.parametrize("answer", [-3, "12", 1.5, True, {"n": 1}])
async def test_w3_count_answers_that_are_not_non_negative_integers_are_discarded(
    proxy: RelayProxy, relay_url: str, answer: object
) -> None:
    secret = generate_secret_key()
    await publish_raw(relay_url, notes(secret, 5))
    proxy.count_answer = answer
    registry = CollectorRegistry()
    pool = WebsocketRelayPool(
        [proxy.url],
        registry=registry,
        limits=RelayLimits(breaker_failures=1),
        timeouts=RelayTimeouts(deadline=20),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            counted = await pool.count([Filter(authors=(public_key_of(secret),))])
            events = await pool.query([Filter(authors=(public_key_of(secret),))])
    finally:
        await pool.close()

    assert counted is None
    assert len(events) == 5
