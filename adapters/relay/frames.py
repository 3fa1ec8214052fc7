"""NIP-01 wire frames as tagged, array-like msgspec Structs, decoded once at the edge.

`["EOSE","sub1"]` decodes to `Eose(subscription_id="sub1")`. Extra trailing elements are ignored;
a frame of any other shape is a decoding error the connection counts and skips.
"""

from collections.abc import Sequence

import msgspec

from domain.nostr.event import Event, Filter


class EventMessage(msgspec.Struct, tag="EVENT", array_like=True, frozen=True):
    subscription_id: str
    event: Event


class Eose(msgspec.Struct, tag="EOSE", array_like=True, frozen=True):
    subscription_id: str


class Closed(msgspec.Struct, tag="CLOSED", array_like=True, frozen=True):
    subscription_id: str
    message: str = ""


class Notice(msgspec.Struct, tag="NOTICE", array_like=True, frozen=True):
    message: str = ""


class Ok(msgspec.Struct, tag="OK", array_like=True, frozen=True):
    event_id: str
    accepted: bool
    message: str = ""


class AuthChallenge(msgspec.Struct, tag="AUTH", array_like=True, frozen=True):
    challenge: str


class CountResult(msgspec.Struct, frozen=True):
    count: int
    approximate: bool = False


class CountMessage(msgspec.Struct, tag="COUNT", array_like=True, frozen=True):
    subscription_id: str
    result: CountResult


RelayMessage = EventMessage | Eose | Closed | Notice | Ok | AuthChallenge | CountMessage


def relay_message_decoder() -> msgspec.json.Decoder[RelayMessage]:
    return msgspec.json.Decoder(RelayMessage)


def filter_to_wire(filter_: Filter) -> dict[str, object]:
    """The JSON object of a filter, with each tag condition under its `#<letter>` key."""
    wire: dict[str, object] = {}
    for name in ("ids", "authors", "kinds"):
        values = getattr(filter_, name)
        if values is not None:
            wire[name] = list(values)
    for letter, values in sorted((filter_.tags or {}).items()):
        wire[f"#{letter}"] = list(values)
    for name in ("since", "until", "limit"):
        value = getattr(filter_, name)
        if value is not None:
            wire[name] = value
    return wire


class ClientEncoder:
    """Encodes the client messages: REQ, CLOSE, COUNT, EVENT and AUTH."""

    def __init__(self) -> None:
        self._encoder = msgspec.json.Encoder()

    def req(self, subscription_id: str, filters: Sequence[Filter]) -> bytes:
        return self._encoder.encode(["REQ", subscription_id, *(filter_to_wire(f) for f in filters)])

    def count(self, subscription_id: str, filters: Sequence[Filter]) -> bytes:
        return self._encoder.encode(["COUNT", subscription_id, *(filter_to_wire(f) for f in filters)])

    def close(self, subscription_id: str) -> bytes:
        return self._encoder.encode(["CLOSE", subscription_id])

    def event(self, event: Event) -> bytes:
        return self._encoder.encode(["EVENT", event])

    def auth(self, event: Event) -> bytes:
        return self._encoder.encode(["AUTH", event])
