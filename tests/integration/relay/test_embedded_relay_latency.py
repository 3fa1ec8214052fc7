"""The embedded relay answers a REQ that finds events without waiting for the client's delayed ACK.

Without TCP_NODELAY on its connections, LocalRelay's EVENT and EOSE frames are two small writes and
the second waits for the client's ACK, which Linux delays by about 40 ms: 100 REQs of one event each
took 4.4 s over one connection. With it they take a few milliseconds; the guard below allows 2 s.
"""

import asyncio
import json

from websockets.asyncio.client import connect

from domain.nostr.signing import generate_secret_key, sign_event
from tests.fixtures.relay import RelayProcess
from tests.support.relay_client import publish_raw

ROUND_TRIPS = 100
GUARD_SECONDS = 2.0


async def test_a_req_that_finds_one_event_is_not_held_by_a_delayed_ack(relay_process: RelayProcess) -> None:
    note = sign_event(generate_secret_key(), kind=1, tags=[], content="hello", created_at=1_700_000_000)
    assert await publish_raw(relay_process.url, [note]) == 1
    async with connect(relay_process.url) as ws:
        answered = 0
        async with asyncio.timeout(GUARD_SECONDS):
            for number in range(ROUND_TRIPS):
                await ws.send(json.dumps(["REQ", f"s{number}", {"ids": [note.id]}]))
                found = []
                while (frame := json.loads(await ws.recv()))[:2] != ["EOSE", f"s{number}"]:
                    if frame[0] == "EVENT":
                        found.append(frame[2]["id"])
                await ws.send(json.dumps(["CLOSE", f"s{number}"]))
                assert found == [note.id]
                answered += 1
    assert answered == ROUND_TRIPS
