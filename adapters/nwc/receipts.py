"""`WebsocketReceiptPublisher`: a zap receipt sent to the relays the zap request names."""

import asyncio
from collections.abc import Sequence

import msgspec
import websockets

from adapters.nwc.public_address import refuse_private
from domain.nostr.event import Event
from domain.shared.errors import InvalidInput

DEFAULT_DEADLINE = 5.0
_frame = msgspec.json.Decoder(list[object])


class WebsocketReceiptPublisher:
    """The ReceiptPublisher port: one short connection per relay, all at once, each bounded. With
    `public_only` (production), relays on private or loopback addresses are skipped."""

    def __init__(self, deadline: float = DEFAULT_DEADLINE, public_only: bool = False) -> None:
        self._deadline = deadline
        self._public_only = public_only

    async def publish(self, relays: Sequence[str], event: Event) -> int:
        results = await asyncio.gather(*(self._send(relay, event) for relay in dict.fromkeys(relays)))
        return sum(results)

    async def _send(self, relay: str, event: Event) -> bool:
        try:
            if self._public_only:
                await refuse_private(relay)
            async with asyncio.timeout(self._deadline), websockets.connect(relay) as socket:
                await socket.send(msgspec.json.encode(["EVENT", event]).decode())
                async for raw in socket:
                    frame = _frame.decode(raw)
                    if len(frame) >= 3 and frame[0] == "OK" and frame[1] == event.id:
                        return bool(frame[2])
        except (
            TimeoutError,
            OSError,
            ValueError,
            InvalidInput,
            websockets.WebSocketException,
            msgspec.DecodeError,
        ):
            return False
        return False
