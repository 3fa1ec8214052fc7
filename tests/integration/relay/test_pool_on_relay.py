"""WebsocketRelayPool against a real relay process (nostr-sdk LocalRelay, 500 events per filter)."""

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from adapters.relay.config import RelayLimits, RelayTimeouts
from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.nostr.event import Event, Filter
from domain.nostr.filters import select
from domain.nostr.ports import RelayUnavailable
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.relay import RelayProcess
from tests.support.relay_client import publish_raw
from tests.support.relay_proxy import RelayProxy

pytestmark = pytest.mark.integration

HANG_GUARD = 60


def notes(secret: str, count: int, kind: int = 1, per_second: int = 3, start: int = 1_000_000) -> list[Event]:
    return [
        sign_event(secret, kind=kind, tags=[], content=f"note {n}", created_at=start + n // per_second)
        for n in range(count)
    ]


@pytest_asyncio.fixture(loop_scope="session")
async def pool(relay_url: str) -> AsyncIterator[WebsocketRelayPool]:
    pool = WebsocketRelayPool([relay_url], registry=CollectorRegistry(), timeouts=RelayTimeouts(deadline=20))
    await pool.start()
    yield pool
    await pool.close()


async def test_query_pages_past_the_relay_cap(pool: WebsocketRelayPool, relay_url: str) -> None:
    secret = generate_secret_key()
    published = notes(secret, 1300)
    assert await publish_raw(relay_url, published) == 1300

    async with asyncio.timeout(HANG_GUARD):
        events = await pool.query([Filter(authors=(public_key_of(secret),))])

    assert sorted(e.id for e in events) == sorted(e.id for e in published)


@pytest.mark.parametrize("parallel_windows", [1, 4])
@pytest.mark.parametrize(
    "bounds", [(None, None), (1_000_050, None), (None, 1_000_300), (1_000_010, 1_000_400)]
)
async def test_paging_in_time_windows_finds_exactly_the_events_in_range(
    relay_url: str, parallel_windows: int, bounds: tuple[int | None, int | None]
) -> None:
    secret = generate_secret_key()
    published = notes(secret, 1600, per_second=2) + notes(secret, 700, per_second=700, start=1_000_200)
    await publish_raw(relay_url, published)
    since, until = bounds
    wanted = Filter(authors=(public_key_of(secret),), since=since, until=until)
    pool = WebsocketRelayPool(
        [relay_url],
        limits=RelayLimits(parallel_windows=parallel_windows),
        timeouts=RelayTimeouts(deadline=30),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            events = await pool.query([wanted])
    finally:
        await pool.close()

    expected = select(wanted, published)
    # 700 events share one second: a relay capped at 500 per filter cannot page through that second,
    # so the pool returns at least the 500 it can reach there and every other event in range.
    crowded = {e.id for e in published[1600:]}
    assert {e.id for e in expected} - crowded <= {e.id for e in events} <= {e.id for e in expected}
    reachable_crowded = {e.id for e in events} & crowded
    assert len(reachable_crowded) >= min(500, len(crowded & {e.id for e in expected}))


async def test_limit_returns_the_newest_events_past_the_cap(pool: WebsocketRelayPool, relay_url: str) -> None:
    secret = generate_secret_key()
    published = notes(secret, 900)
    await publish_raw(relay_url, published)
    wanted = Filter(authors=(public_key_of(secret),), limit=620)

    async with asyncio.timeout(HANG_GUARD):
        events = await pool.query([wanted])

    assert [e.id for e in events] == [e.id for e in select(wanted, published)]


async def test_long_author_lists_are_chunked_and_replaced_lists_ignored(
    pool: WebsocketRelayPool, relay_url: str
) -> None:
    secrets = [generate_secret_key() for _ in range(700)]
    target = public_key_of(generate_secret_key())
    old = [sign_event(s, kind=3, tags=[], content="", created_at=10) for s in secrets[:50]]
    new = [sign_event(s, kind=3, tags=[["p", target]], content="", created_at=20) for s in secrets]
    await publish_raw(relay_url, old + new)

    async with asyncio.timeout(HANG_GUARD):
        latest = await pool.latest_replaceable([public_key_of(s) for s in secrets], 3)

    assert {pubkey: event.id for pubkey, event in latest.items()} == {e.pubkey: e.id for e in new}


async def test_count_uses_nip45(pool: WebsocketRelayPool, relay_url: str) -> None:
    secret = generate_secret_key()
    await publish_raw(relay_url, notes(secret, 42))

    async with asyncio.timeout(HANG_GUARD):
        counted = await pool.count([Filter(authors=(public_key_of(secret),))])

    assert counted == 42


async def test_count_of_a_long_author_list_adds_up_the_chunks(
    pool: WebsocketRelayPool, relay_url: str
) -> None:
    secrets = [generate_secret_key() for _ in range(600)]
    await publish_raw(relay_url, [notes(s, 1)[0] for s in secrets])

    async with asyncio.timeout(HANG_GUARD):
        counted = await pool.count([Filter(authors=tuple(public_key_of(s) for s in secrets))])

    assert counted == 600


@pytest.mark.parametrize("refusal", ["closed", "notice"])
async def test_count_is_none_without_nip45_and_queries_still_answer(relay_url: str, refusal: str) -> None:
    proxy = await RelayProxy(relay_url).start()
    proxy.refuse_count = refusal
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=20))
    secret = generate_secret_key()
    await publish_raw(relay_url, notes(secret, 7))
    try:
        async with asyncio.timeout(HANG_GUARD):
            counted = await pool.count([Filter(authors=(public_key_of(secret),))])
            counted_again = await pool.count([Filter(authors=(public_key_of(secret),))])
            events = await pool.query([Filter(authors=(public_key_of(secret),))])
    finally:
        await pool.close()
        await proxy.stop()

    assert counted is None and counted_again is None
    assert len(events) == 7


async def test_publish_sends_only_valid_events(pool: WebsocketRelayPool, relay_url: str) -> None:
    secret = generate_secret_key()
    good, bad = notes(secret, 2)
    tampered = msgspec.structs.replace(bad, content="changed")

    async with asyncio.timeout(HANG_GUARD):
        accepted = await pool.publish([good, tampered])
        stored = await pool.query([Filter(authors=(public_key_of(secret),))])

    assert accepted == 1
    assert stored == [good]


async def test_ping_answers_when_the_relay_is_up(pool: WebsocketRelayPool) -> None:
    async with asyncio.timeout(HANG_GUARD):
        await pool.ping()


async def test_nip42_auth_is_answered_with_the_service_key() -> None:
    relay = RelayProcess(extra_args=["--auth-required"]).start()
    secret = generate_secret_key()
    with_key = WebsocketRelayPool(
        [relay.url], service_secret_key=generate_secret_key(), timeouts=RelayTimeouts(deadline=10)
    )
    without_key = WebsocketRelayPool([relay.url], timeouts=RelayTimeouts(deadline=3))
    try:
        async with asyncio.timeout(HANG_GUARD):
            assert await with_key.publish(notes(secret, 3)) == 3
            events = await with_key.query([Filter(authors=(public_key_of(secret),))])
            with pytest.raises(RelayUnavailable):
                await without_key.query([Filter(authors=(public_key_of(secret),))])
    finally:
        await with_key.close()
        await without_key.close()
        relay.stop()

    assert len(events) == 3
