"""A websocket proxy in front of a real relay that misbehaves on request, for fault tests.

Every event it forwards comes from the real relay; the proxy only withholds, alters or adds frames,
or rewrites what the client asks (to play a relay that reads `since`/`until` exclusively, or one
that caps a REQ without saying so).
"""

import asyncio
import contextlib
import json

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.support.tcp_proxy import free_port


class RelayProxy:
    def __init__(self, upstream_url: str) -> None:
        self.upstream_url = upstream_url
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        # "closed" or "notice": answer COUNT like a relay without NIP-45; "ignore": never answer it.
        self.refuse_count: str | None = None
        self.count_answer: object = None  # when set, every COUNT is answered with this as its count
        self.drop_eose = False  # forward events but never the end of stored events
        self.garbage = False  # put frames that are not NIP-01 messages before every forwarded frame
        self.tamper_every = 0  # alter the id, sig or content of the events whose id is 0 modulo n
        self.rate_limit_next = 0  # refuse this many REQs with `rate-limited:` before passing them on
        self.until_exclusive = False  # pass `until` on as `until - 1`: the relay reads it as `<`
        self.since_exclusive = False  # pass `since` on as `since + 1`: the relay reads it as `>`
        self.silent_cap: int | None = None  # cap each REQ's `limit` at this, announcing nothing
        self.notice_before_count: str | None = None  # send this NOTICE when a COUNT arrives
        self.auth_flood = 0  # send this many AUTH challenges when a client connects
        self.information: dict[str, object] | None = None  # served as the NIP-11 document
        self.requests: list[list[object]] = []  # every REQ and COUNT the client sent, as sent
        self.auth_answers = 0  # AUTH messages the client sent
        self.forwarded_events = 0
        self._progress = asyncio.Condition()
        self._server: Server | None = None

    async def start(self) -> "RelayProxy":
        self._server = await serve(
            self._handle, "127.0.0.1", self.port, max_size=None, process_request=self._information
        )
        return self

    def _information(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade") is not None:
            return None
        if self.information is None:
            return connection.respond(404, "no information document")
        response = connection.respond(200, json.dumps(self.information))
        response.headers["Content-Type"] = "application/nostr+json"
        return response

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def forwarded(self, count: int) -> None:
        """Returns once `count` events have gone through to a client."""
        async with self._progress:
            await self._progress.wait_for(lambda: self.forwarded_events >= count)

    async def _handle(self, client: ServerConnection) -> None:
        try:
            upstream = await connect(self.upstream_url, max_size=None)
        except OSError:
            await client.close()
            return
        async with upstream:
            for turn in range(self.auth_flood):
                await client.send(json.dumps(["AUTH", f"challenge-{turn}"]))
            tasks = [
                asyncio.create_task(self._client_to_relay(client, upstream)),
                asyncio.create_task(self._relay_to_client(upstream, client)),
            ]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await client.close()

    async def _client_to_relay(self, client: ServerConnection, upstream: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in client:
                message = json.loads(frame)
                if message[0] in ("REQ", "COUNT"):
                    self.requests.append(message)
                    message = [*message[:2], *(self._rewritten(f) for f in message[2:])]
                    frame = json.dumps(message)
                if message[0] == "AUTH":
                    self.auth_answers += 1
                    continue
                if message[0] == "COUNT" and self.notice_before_count is not None:
                    await client.send(json.dumps(["NOTICE", self.notice_before_count]))
                if message[0] == "COUNT" and self.refuse_count == "closed":
                    await client.send(json.dumps(["CLOSED", message[1], "error: COUNT is not supported"]))
                elif message[0] == "COUNT" and self.refuse_count == "notice":
                    await client.send(json.dumps(["NOTICE", "unknown message type COUNT"]))
                elif message[0] == "COUNT" and self.refuse_count == "ignore":
                    continue
                elif message[0] == "COUNT" and self.count_answer is not None:
                    await client.send(json.dumps(["COUNT", message[1], {"count": self.count_answer}]))
                elif message[0] == "REQ" and self.rate_limit_next > 0:
                    self.rate_limit_next -= 1
                    await client.send(json.dumps(["CLOSED", message[1], "rate-limited: slow down"]))
                else:
                    await upstream.send(frame)

    def _rewritten(self, filter_: dict[str, object]) -> dict[str, object]:
        changed = dict(filter_)
        if self.until_exclusive and isinstance(changed.get("until"), int):
            changed["until"] = int(changed["until"]) - 1  # type: ignore[call-overload]
        if self.since_exclusive and isinstance(changed.get("since"), int):
            changed["since"] = int(changed["since"]) + 1  # type: ignore[call-overload]
        if self.silent_cap is not None:
            limit = changed.get("limit")
            changed["limit"] = min(limit, self.silent_cap) if isinstance(limit, int) else self.silent_cap
        return changed

    async def _relay_to_client(self, upstream: ClientConnection, client: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in upstream:
                message = json.loads(frame)
                if message[0] == "EOSE" and self.drop_eose:
                    continue
                if message[0] == "EVENT":
                    self.forwarded_events += 1
                    turn = int(message[2]["id"][:8], 16)
                    if self.tamper_every and turn % self.tamper_every == 0:
                        message[2] = _tampered(message[2], turn // max(self.tamper_every, 1))
                        frame = json.dumps(message)
                if self.garbage:
                    for junk in ("not json", '["EVENT"]', '{"id": 1}', '["EVENT","x",{"id":"zz"}]', "[]"):
                        await client.send(junk)
                await client.send(frame)
                if message[0] == "EVENT":
                    async with self._progress:
                        self._progress.notify_all()


def tampered_by(tamper_every: int, event_id: str) -> bool:
    """Whether a proxy with this `tamper_every` alters the event with this id."""
    return tamper_every > 0 and int(event_id[:8], 16) % tamper_every == 0


def _tampered(event: dict[str, object], turn: int) -> dict[str, object]:
    altered = dict(event)
    field = ("sig", "id", "content")[turn % 3]
    if field == "content":
        altered["content"] = f"{event['content']} (altered)"
    else:
        value = str(event[field])
        altered[field] = value[:-1] + ("0" if value[-1] != "0" else "1")
    return altered
