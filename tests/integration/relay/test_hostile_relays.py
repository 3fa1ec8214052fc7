"""Hostile relays (promise W2): floods, huge frames, sockets that die mid-send or close late. Each
call ends within its caps, holding no more memory than they allow, and leaves nothing behind."""

import asyncio
import contextlib
import gc
import itertools
import json
import tracemalloc
from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from adapters.relay.config import RelayLimits, RelayTimeouts
from adapters.relay.connection import MAX_AUTH_ANSWERS, RelayConnection
from adapters.relay.errors import ConnectionLost
from adapters.relay.metrics import RelayMetrics
from adapters.relay.subscription import Budget
from adapters.relay.verification import EventVerifier
from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.nostr.event import Filter
from domain.nostr.ports import RelayUnavailable
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.hostile_relay import hostile_relay
from tests.support.polling import eventually
from tests.support.relay_client import publish_raw
from tests.support.relay_proxy import RelayProxy
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

HANG_GUARD = 60
MIB = 1024 * 1024


@pytest.fixture
def streaming_relay() -> Iterator[tuple[str, str]]:
    yield from hostile_relay("stream")


@pytest.fixture
def big_frame_relay() -> Iterator[tuple[str, str]]:
    yield from hostile_relay("big")


async def measured(pool: WebsocketRelayPool, wanted: Filter) -> tuple[int, BaseException | None]:
    await pool.start()
    await pool.ping()
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        outcome: BaseException | None = None
        try:
            await pool.query([wanted])
        except RelayUnavailable as error:
            outcome = error
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start, outcome


async def test_w2_a_relay_streaming_events_without_eose_stops_at_the_memory_cap(
    streaming_relay: tuple[str, str],
) -> None:
    url, pubkey = streaming_relay
    cap = 16 * MIB
    registry = CollectorRegistry()
    pool = WebsocketRelayPool(
        [url],
        registry=registry,
        limits=RelayLimits(max_bytes=cap, verify_workers=1),
        timeouts=RelayTimeouts(deadline=600),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            growth, outcome = await measured(pool, Filter(authors=(pubkey,)))
    finally:
        await pool.close()

    assert isinstance(outcome, RelayUnavailable) and "more events or bytes" in str(outcome)
    assert registry.get_sample_value("nostr_relay_failures_total", {"relay": url, "reason": "cap"}) == 1
    assert growth <= cap, f"memory grew by {growth / MIB:.1f} MiB against a cap of {cap / MIB:.0f} MiB"


async def test_w2_a_relay_sending_4_mib_frames_stops_at_the_memory_cap(
    big_frame_relay: tuple[str, str],
) -> None:
    url, pubkey = big_frame_relay
    cap = 64 * MIB
    pool = WebsocketRelayPool(
        [url], limits=RelayLimits(max_bytes=cap, verify_workers=1), timeouts=RelayTimeouts(deadline=600)
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            growth, outcome = await measured(pool, Filter(authors=(pubkey,)))
    finally:
        await pool.close()

    assert isinstance(outcome, RelayUnavailable) and "more events or bytes" in str(outcome)
    assert growth <= cap, f"memory grew by {growth / MIB:.1f} MiB against a cap of {cap / MIB:.0f} MiB"


async def test_w2_verification_batches_are_cancelled_with_the_fetch(streaming_relay: tuple[str, str]) -> None:
    url, pubkey = streaming_relay

    def checks_running() -> list[asyncio.Task[object]]:
        return [
            task
            for task in asyncio.all_tasks()
            if "check_async" in getattr(task.get_coro(), "__qualname__", "") and not task.done()
        ]

    pool = WebsocketRelayPool(
        [url],
        limits=RelayLimits(verify_workers=1, max_bytes=1024 * MIB),
        timeouts=RelayTimeouts(deadline=600),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            query = asyncio.ensure_future(pool.query([Filter(authors=(pubkey,))]))
            await eventually(lambda: len(checks_running()) >= 20)
            query.cancel()
            with pytest.raises(asyncio.CancelledError):
                await query
            # What is still queued once the fetch has finished cancelling must not go on running:
            # without the cancellation these batches would each be checked to the end.
            outliving = checks_running()
            if outliving:
                await asyncio.wait(outliving)
    finally:
        await pool.close()

    finished = [task for task in outliving if not task.cancelled()]
    # Only a batch already handed to the worker thread may finish.
    assert len(finished) <= 1, f"{len(finished)} of {len(outliving)} batches ran on after the fetch"


async def test_w2_an_auth_flood_is_answered_a_bounded_number_of_times(relay_url: str) -> None:
    secret = generate_secret_key()
    published = [
        sign_event(secret, kind=1, tags=[], content=f"{n}", created_at=1_900_000 + n) for n in range(3)
    ]
    await publish_raw(relay_url, published)
    proxy = await RelayProxy(relay_url).start()
    proxy.auth_flood = 3_000
    pool = WebsocketRelayPool(
        [proxy.url],
        service_secret_key=generate_secret_key(),
        limits=RelayLimits(connections_per_relay=1),
        timeouts=RelayTimeouts(deadline=20),
    )
    try:
        async with asyncio.timeout(HANG_GUARD):
            first = await pool.query([Filter(authors=(public_key_of(secret),))])
            # A second round trip on the same socket: every AUTH answer sent before it has arrived.
            second = await pool.query([Filter(authors=(public_key_of(secret),), kinds=(1,))])
    finally:
        await pool.close()
        await proxy.stop()

    assert len(first) == len(second) == 3
    assert 1 <= proxy.auth_answers <= MAX_AUTH_ANSWERS


class FakeRelay:
    """A websockets server in the test: the first socket gets a close frame and is then left
    hanging (its TCP stays open); later sockets answer each REQ with EOSE once `release` is set."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self.sockets = itertools.count(1)
        self.req_on_later_socket = asyncio.Event()
        self.release = asyncio.Event()
        self.stopping = asyncio.Event()

    async def handle(self, client: ServerConnection) -> None:
        number = next(self.sockets)
        with contextlib.suppress(ConnectionClosed):
            if number == 1:
                await client.recv()
                client.transport.pause_reading()
                client.transport.write(b"\x88\x02\x03\xe8")  # a close frame, then silence
                await self.stopping.wait()
                client.transport.abort()
                return
            async for frame in client:
                message = json.loads(frame)
                if message[0] == "REQ":
                    self.req_on_later_socket.set()
                    await self.release.wait()
                    await client.send(json.dumps(["EOSE", message[1]]))


def connection_to(url: str) -> RelayConnection:
    return RelayConnection(
        url,
        verifier=EventVerifier(None),
        metrics=RelayMetrics(CollectorRegistry()),
        timeouts=RelayTimeouts(close=1.0),
    )


async def test_w2_a_late_reader_does_not_orphan_the_newer_socket() -> None:
    relay = FakeRelay()
    wanted = Filter(kinds=(1,))
    async with asyncio.timeout(HANG_GUARD), serve(relay.handle, "127.0.0.1", relay.port):
        connection = connection_to(relay.url)
        try:
            first_socket = await connection.ready()
            on_first = asyncio.ensure_future(connection.fetch(wanted, Budget(100, MIB)))
            await eventually(lambda: first_socket.state.name != "OPEN")
            on_second = asyncio.ensure_future(connection.fetch(wanted, Budget(100, MIB)))
            await relay.req_on_later_socket.wait()
            first_reader = next(
                task for task in asyncio.all_tasks() if task.get_name() == f"relay-reader {relay.url} #1"
            )
            await first_reader
            relay.release.set()
            page = await on_second
            with pytest.raises(ConnectionLost):
                await on_first
            still_connected = connection.is_connected
        finally:
            relay.stopping.set()
            await connection.close()

    assert page.received == 0
    assert still_connected


async def test_w2_a_failed_req_send_leaves_no_subscription_registered(relay_url: str) -> None:
    connection = connection_to(relay_url)
    try:
        async with asyncio.timeout(HANG_GUARD):
            socket = await connection.ready()

            async def failing_send(*args: object, **kwargs: object) -> None:
                raise ConnectionClosed(None, None)

            socket.send = failing_send  # type: ignore[method-assign]
            with pytest.raises(Exception, match="connection lost"):
                await connection.fetch(Filter(kinds=(1,)), Budget(100, MIB))
            registered = connection.open_subscriptions
            del socket.send
            await connection.fetch(Filter(kinds=(1,), limit=1), Budget(100, MIB))
    finally:
        await connection.close()

    assert registered == 0
    assert connection.open_subscriptions == 0
