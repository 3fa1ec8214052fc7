"""Each test module gets a relay process of its own: nothing published by an earlier module (and no
connection limit it used up) reaches this one. With one relay for the whole run this module, which
runs after the other relay modules, would find their events."""

import asyncio
import json

import pytest
from websockets.asyncio.client import connect

pytestmark = pytest.mark.integration


async def stored_events(url: str) -> list[dict[str, object]]:
    async with asyncio.timeout(30), connect(url) as ws:
        await ws.send(json.dumps(["REQ", "everything", {"limit": 10}]))
        events = []
        while (message := json.loads(await ws.recv()))[0] != "EOSE":
            if message[0] == "EVENT":
                events.append(message[2])
        return events


async def test_the_module_relay_holds_nothing_of_other_modules(relay_url: str) -> None:
    assert await stored_events(relay_url) == []
