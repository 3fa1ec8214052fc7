"""A few connections per relay: a slow call on one socket does not hold cheap calls behind it, and
no socket carries more subscriptions than the relay's NIP-11 `max_subscriptions`."""

import asyncio
import contextlib
import json
from collections import Counter

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from adapters.relay.config import RelayLimits, RelayTimeouts
from adapters.relay.websocket_pool import WebsocketRelayPool
from domain.nostr.event import Filter
from tests.support.polling import eventually
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

HANG_GUARD = 60


class SequentialRelay:
    """Reads each socket's messages one at a time, as relays do: a COUNT holds its socket until
    `count_release` is set; REQs are held (without holding the socket) until `req_release` is set."""

    def __init__(self, information: dict[str, object] | None = None) -> None:
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self.information = information
        self.count_release = asyncio.Event()
        self.req_release = asyncio.Event()
        self.counts_received = 0
        self.open_per_socket: Counter[int] = Counter()
        self.most_open_on_a_socket = 0
        self.sockets_used: set[int] = set()

    def respond_information(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade") is not None:
            return None
        if self.information is None:
            return connection.respond(404, "none")
        response = connection.respond(200, json.dumps(self.information))
        response.headers["Content-Type"] = "application/nostr+json"
        return response

    async def handle(self, client: ServerConnection) -> None:
        socket = id(client)
        held: set[asyncio.Task[None]] = set()
        with contextlib.suppress(ConnectionClosed):
            async for frame in client:
                message = json.loads(frame)
                if message[0] == "COUNT":
                    self.counts_received += 1
                    await self.count_release.wait()
                    await client.send(json.dumps(["COUNT", message[1], {"count": 7}]))
                elif message[0] == "REQ":
                    self.sockets_used.add(socket)
                    self.open_per_socket[socket] += 1
                    self.most_open_on_a_socket = max(self.most_open_on_a_socket, self.open_per_socket[socket])
                    task = asyncio.create_task(self.answer(client, socket, message[1]))
                    held.add(task)
                    task.add_done_callback(held.discard)

    async def answer(self, client: ServerConnection, socket: int, subscription_id: str) -> None:
        await self.req_release.wait()
        self.open_per_socket[socket] -= 1
        with contextlib.suppress(ConnectionClosed):
            await client.send(json.dumps(["EOSE", subscription_id]))


async def test_w1_a_slow_count_does_not_hold_back_a_query_behind_it() -> None:
    relay = SequentialRelay()
    relay.req_release.set()
    async with asyncio.timeout(HANG_GUARD), serve(relay.handle, "127.0.0.1", relay.port):
        pool = WebsocketRelayPool([relay.url], timeouts=RelayTimeouts(deadline=30, count=30))
        try:
            counting = asyncio.ensure_future(pool.count([Filter(kinds=(3,))]))
            await eventually(lambda: relay.counts_received == 1)
            answered = await pool.query([Filter(kinds=(1,))])
            count_pending = not counting.done()
            relay.count_release.set()
            counted = await counting
        finally:
            relay.count_release.set()
            await pool.close()

    assert answered == []
    assert count_pending
    assert counted == 7


async def test_w1_no_socket_carries_more_subscriptions_than_the_relay_allows() -> None:
    relay = SequentialRelay(information={"supported_nips": [1, 11], "limitation": {"max_subscriptions": 2}})
    async with (
        asyncio.timeout(HANG_GUARD),
        serve(relay.handle, "127.0.0.1", relay.port, process_request=relay.respond_information),
    ):
        pool = WebsocketRelayPool(
            [relay.url], limits=RelayLimits(connections_per_relay=4), timeouts=RelayTimeouts(deadline=30)
        )
        try:
            await pool.start()
            await eventually(lambda: pool.information(relay.url) is not None)
            queries = [asyncio.ensure_future(pool.query([Filter(kinds=(n,))])) for n in range(12)]
            await eventually(lambda: sum(relay.open_per_socket.values()) == 8)
            relay.req_release.set()
            answers = await asyncio.gather(*queries)
        finally:
            relay.req_release.set()
            await pool.close()

    assert answers == [[]] * 12
    assert relay.most_open_on_a_socket == 2
    assert len(relay.sockets_used) == 4
