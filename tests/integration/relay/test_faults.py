"""Faults: relays killed, hung, lying or down. Every call ends with the right events or a clear
RelayUnavailable, never a hang (promises W1 and W2). The hang guard is generous on purpose."""

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest
import pytest_asyncio
from prometheus_client import CollectorRegistry

from adapters.relay.config import RelayLimits, RelayTimeouts
from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayUnavailable
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.fixtures.relay import RelayProcess
from tests.support.relay_client import publish_raw
from tests.support.relay_proxy import RelayProxy, tampered_by
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

HANG_GUARD = 60


def notes(secret: str, count: int) -> list[Event]:
    return [
        sign_event(secret, kind=1, tags=[["t", "fault"]], content=f"note {n}", created_at=2_000_000 + n)
        for n in range(count)
    ]


def ids(events: list[Event]) -> set[str]:
    return {event.id for event in events}


def sample(registry: CollectorRegistry, name: str, relay: str) -> float:
    return registry.get_sample_value(name, {"relay": relay}) or 0.0


@pytest_asyncio.fixture(loop_scope="session")
async def seeded(relay_url: str) -> tuple[str, list[Event]]:
    secret = generate_secret_key()
    events = notes(secret, 40)
    await publish_raw(relay_url, events)
    return public_key_of(secret), events


@pytest_asyncio.fixture(loop_scope="session")
async def proxy(relay_url: str) -> AsyncIterator[RelayProxy]:
    proxy = await RelayProxy(relay_url).start()
    yield proxy
    await proxy.stop()


def closed_port_url() -> str:
    return f"ws://127.0.0.1:{free_port()}"


async def test_w1_relay_killed_mid_query_raises_relay_unavailable_without_waiting_for_the_deadline() -> None:
    relay = RelayProcess().start()
    proxy = await RelayProxy(relay.url).start()
    proxy.drop_eose = True  # keeps the query open until the relay goes away
    secret = generate_secret_key()
    await publish_raw(relay.url, notes(secret, 30))
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=600))
    try:
        query = asyncio.ensure_future(pool.query([Filter(authors=(public_key_of(secret),))]))
        async with asyncio.timeout(HANG_GUARD):
            await proxy.forwarded(30)
            relay.stop()
            with pytest.raises(RelayUnavailable) as unavailable:
                await query
    finally:
        await pool.close()
        await proxy.stop()
        relay.stop()

    assert "connection lost" in str(unavailable.value)


async def test_w1_relay_killed_mid_query_the_other_relay_answers(
    relay_url: str, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    doomed = RelayProcess().start()
    proxy = await RelayProxy(doomed.url).start()
    proxy.drop_eose = True
    await publish_raw(doomed.url, events[:10])
    pool = WebsocketRelayPool(
        [proxy.url, relay_url], timeouts=RelayTimeouts(deadline=600, straggler_grace=600)
    )
    try:
        query = asyncio.ensure_future(pool.query([Filter(authors=(author,))]))
        async with asyncio.timeout(HANG_GUARD):
            await proxy.forwarded(10)
            doomed.stop()
            result = await query
    finally:
        await pool.close()
        await proxy.stop()
        doomed.stop()

    assert ids(result) == ids(events)


async def test_w1_relay_that_never_sends_eose_ends_at_the_deadline(
    proxy: RelayProxy, seeded: tuple[str, list[Event]]
) -> None:
    author, _ = seeded
    proxy.drop_eose = True
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=1.0))
    try:
        async with asyncio.timeout(HANG_GUARD):
            with pytest.raises(RelayUnavailable) as unavailable:
                await pool.query([Filter(authors=(author,))])
    finally:
        await pool.close()

    assert "no answer" in str(unavailable.value)


async def test_w1_relay_that_never_sends_eose_does_not_hold_back_the_one_that_does(
    proxy: RelayProxy, relay_url: str, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    proxy.drop_eose = True
    registry = CollectorRegistry()
    pool = WebsocketRelayPool(
        [proxy.url, relay_url], registry=registry, timeouts=RelayTimeouts(deadline=600, straggler_grace=0.5)
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            result = await pool.query([Filter(authors=(author,))])
    finally:
        await pool.close()

    assert ids(result) == ids(events)
    assert (
        registry.get_sample_value("nostr_relay_failures_total", {"relay": proxy.url, "reason": "timeout"})
        == 1
    )


async def test_w1_one_of_two_relays_down_answers_and_the_breaker_stops_trying_it(
    relay_url: str, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    down = closed_port_url()
    registry = CollectorRegistry()
    pool = WebsocketRelayPool(
        [down, relay_url],
        registry=registry,
        limits=RelayLimits(breaker_failures=2),
        timeouts=RelayTimeouts(deadline=10, breaker_first_trial_after=600, breaker_max_trial_after=600),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            results = [await pool.query([Filter(authors=(author,))]) for _ in range(4)]
            counted = await pool.count([Filter(authors=(author,))])
    finally:
        await pool.close()

    assert all(ids(result) == ids(events) for result in results)
    assert counted == len(events)
    assert sample(registry, "nostr_relay_skipped_total", down) >= 2
    assert sample(registry, "nostr_relay_breaker_open", down) == 1


async def test_w1_every_relay_down_raises_relay_unavailable_with_retry_after() -> None:
    pool = WebsocketRelayPool(
        [closed_port_url(), closed_port_url()],
        limits=RelayLimits(breaker_failures=1),
        timeouts=RelayTimeouts(deadline=10, breaker_first_trial_after=600, breaker_max_trial_after=600),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            with pytest.raises(RelayUnavailable) as first:
                await pool.query([Filter(kinds=(1,))])
            with pytest.raises(RelayUnavailable) as second:
                await pool.query([Filter(kinds=(1,))])
            with pytest.raises(RelayUnavailable):
                await pool.ping()
            with pytest.raises(RelayUnavailable):
                await pool.count([Filter(kinds=(1,))])
    finally:
        await pool.close()

    assert "unreachable" in str(first.value) or "Connect" in str(first.value)
    assert "every relay is failing" in str(second.value)
    assert second.value.retry_after >= 1


async def test_w2_garbage_frames_are_skipped_and_counted(
    proxy: RelayProxy, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    proxy.garbage = True
    registry = CollectorRegistry()
    pool = WebsocketRelayPool([proxy.url], registry=registry, timeouts=RelayTimeouts(deadline=20))
    try:
        async with asyncio.timeout(HANG_GUARD):
            result = await pool.query([Filter(authors=(author,))])
    finally:
        await pool.close()

    assert ids(result) == ids(events)
    assert sample(registry, "nostr_relay_invalid_frames_total", proxy.url) >= 5 * len(events)


async def test_w2_events_with_bad_ids_or_signatures_are_dropped_and_counted(
    proxy: RelayProxy, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    proxy.tamper_every = 4
    registry = CollectorRegistry()
    pool = WebsocketRelayPool([proxy.url], registry=registry, timeouts=RelayTimeouts(deadline=20))
    try:
        async with asyncio.timeout(HANG_GUARD):
            result = await pool.query([Filter(authors=(author,))])
    finally:
        await pool.close()

    genuine = {event.id for event in events if not tampered_by(4, event.id)}
    assert 0 < len(genuine) < len(events)
    assert ids(result) == genuine
    assert sample(registry, "nostr_relay_invalid_events_total", proxy.url) >= len(events) - len(genuine)


async def test_w2_a_forged_copy_does_not_shadow_the_genuine_event_from_another_relay(
    proxy: RelayProxy, relay_url: str, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    proxy.tamper_every = 1
    pool = WebsocketRelayPool([proxy.url, relay_url], timeouts=RelayTimeouts(deadline=20, straggler_grace=20))
    try:
        async with asyncio.timeout(HANG_GUARD):
            result = await pool.query([Filter(authors=(author,))])
    finally:
        await pool.close()

    assert sorted(result, key=lambda e: e.id) == sorted(events, key=lambda e: e.id)


async def test_w2_events_that_do_not_match_the_filter_are_dropped(relay_url: str) -> None:
    # A relay that ignores `kinds` would send these; a signed but unrequested event must not get through.
    secret = generate_secret_key()
    wanted = notes(secret, 3)
    other = sign_event(secret, kind=7, tags=[], content="+", created_at=2_000_010)
    await publish_raw(relay_url, [*wanted, other])
    pool = WebsocketRelayPool([relay_url], timeouts=RelayTimeouts(deadline=20))
    try:
        async with asyncio.timeout(HANG_GUARD):
            result = await pool.query([Filter(authors=(public_key_of(secret),), kinds=(1,))])
    finally:
        await pool.close()

    assert ids(result) == ids(wanted)


@pytest.mark.parametrize("cap", [RelayLimits(max_events=25), RelayLimits(max_bytes=12_000)])
async def test_w2_a_call_past_the_event_or_byte_cap_is_refused(
    relay_url: str, seeded: tuple[str, list[Event]], cap: RelayLimits
) -> None:
    author, _ = seeded
    registry = CollectorRegistry()
    pool = WebsocketRelayPool([relay_url], registry=registry, limits=cap, timeouts=RelayTimeouts(deadline=20))
    try:
        async with asyncio.timeout(HANG_GUARD):
            with pytest.raises(RelayUnavailable) as refused:
                await pool.query([Filter(authors=(author,))])
            within_cap = await pool.query([Filter(authors=(author,), limit=5)])
    finally:
        await pool.close()

    assert "more events or bytes" in str(refused.value)
    assert len(within_cap) == 5
    assert registry.get_sample_value("nostr_relay_failures_total", {"relay": relay_url, "reason": "cap"}) == 1


async def test_a_rate_limited_request_is_tried_again_after_a_pause(
    proxy: RelayProxy, seeded: tuple[str, list[Event]]
) -> None:
    author, events = seeded
    proxy.rate_limit_next = 2
    pool = WebsocketRelayPool([proxy.url], timeouts=RelayTimeouts(deadline=30))
    try:
        async with asyncio.timeout(HANG_GUARD):
            result = await pool.query([Filter(authors=(author,))])
    finally:
        await pool.close()

    assert ids(result) == ids(events)
    assert proxy.rate_limit_next == 0


async def test_reconnects_after_the_relay_comes_back() -> None:
    relay = RelayProcess().start()
    pool = WebsocketRelayPool(
        [relay.url], limits=RelayLimits(breaker_failures=100), timeouts=RelayTimeouts(deadline=5)
    )
    secret = generate_secret_key()
    try:
        async with asyncio.timeout(HANG_GUARD):
            await pool.publish(notes(secret, 3))
            relay.stop()
            with pytest.raises(RelayUnavailable):
                await pool.query([Filter(authors=(public_key_of(secret),))])
            relay.start()
            await publish_raw(relay.url, notes(secret, 3))
            while True:
                try:
                    result = await pool.query([Filter(authors=(public_key_of(secret),))])
                    break
                except RelayUnavailable:
                    await asyncio.sleep(0.1)
    finally:
        await pool.close()
        relay.stop()

    assert len(result) == 3


async def test_tampered_event_is_never_published(relay_url: str) -> None:
    secret = generate_secret_key()
    genuine = notes(secret, 1)[0]
    forged = msgspec.structs.replace(genuine, content="forged", id=genuine.id)
    pool = WebsocketRelayPool([relay_url], timeouts=RelayTimeouts(deadline=10))
    try:
        async with asyncio.timeout(HANG_GUARD):
            assert await pool.publish([forged]) == 0
            assert await pool.query([Filter(authors=(public_key_of(secret),))]) == []
    finally:
        await pool.close()
