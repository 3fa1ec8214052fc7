"""A plain websockets client for seeding a relay in tests, independent of the pool under test."""

import asyncio
import json
from collections.abc import Sequence

import msgspec
from websockets.asyncio.client import connect

from domain.nostr.event import Event

PUBLISH_TIMEOUT = 60.0


async def publish_raw(url: str, events: Sequence[Event]) -> int:
    """Sends every event over one connection and returns how many the relay answered OK true."""
    async with asyncio.timeout(PUBLISH_TIMEOUT), connect(url, max_size=None) as ws:
        for event in events:
            await ws.send(json.dumps(["EVENT", msgspec.to_builtins(event)]))
        waiting = {event.id for event in events}
        accepted = 0
        while waiting:
            message = json.loads(await ws.recv())
            if message[0] == "OK" and message[1] in waiting:
                waiting.discard(message[1])
                accepted += bool(message[2]) or str(message[3]).startswith("duplicate:")
        return accepted
