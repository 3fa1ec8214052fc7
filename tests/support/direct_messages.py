"""Reading NIP-17 direct messages on a relay in tests: gift wraps for a recipient, unwrapped with
the recipient's key (NIP-44 v2), each layer checked as a client checks it."""

import asyncio
import json

import msgspec
from websockets.asyncio.client import connect

from domain.nostr import nip44
from domain.nostr.event import Event
from domain.nostr.nip17 import GIFT_WRAP_KIND, RUMOR_KIND, SEAL_KIND, Rumor
from domain.nostr.signing import verify_event

READ_GUARD = 30.0


async def gift_wraps(relay_url: str, recipient: str) -> list[Event]:
    """Every kind-1059 event the relay holds for the recipient (read up to EOSE)."""
    async with asyncio.timeout(READ_GUARD), connect(relay_url) as socket:
        await socket.send(json.dumps(["REQ", "dms", {"kinds": [GIFT_WRAP_KIND], "#p": [recipient]}]))
        found: list[Event] = []
        while True:
            frame = json.loads(await socket.recv())
            if frame[0] == "EOSE":
                return found
            if frame[0] == "EVENT":
                found.append(msgspec.convert(frame[2], Event))


def unwrap(wrap: Event, recipient_secret: str) -> tuple[Event, Rumor]:
    """The seal and the rumor inside a gift wrap; AssertionError when a layer is not right."""
    assert wrap.kind == GIFT_WRAP_KIND and verify_event(wrap)
    seal = msgspec.json.decode(
        nip44.decrypt(wrap.content, nip44.conversation_key(recipient_secret, wrap.pubkey)), type=Event
    )
    assert seal.kind == SEAL_KIND and verify_event(seal) and seal.tags == ()
    rumor = msgspec.json.decode(
        nip44.decrypt(seal.content, nip44.conversation_key(recipient_secret, seal.pubkey)), type=Rumor
    )
    assert rumor.kind == RUMOR_KIND and rumor.pubkey == seal.pubkey
    return seal, rumor
