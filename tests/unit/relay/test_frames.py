import msgspec
import pytest

from adapters.relay.frames import (
    AuthChallenge,
    ClientEncoder,
    Closed,
    CountMessage,
    CountResult,
    Eose,
    EventMessage,
    Notice,
    Ok,
    filter_to_wire,
    relay_message_decoder,
)
from domain.nostr.event import Event, Filter

EVENT = Event("a" * 64, "b" * 64, 1, 3, (("p", "c" * 64, "wss://r"),), "hi", "d" * 128)


@pytest.mark.parametrize(
    "frame, message",
    [
        (b'["EOSE","s1"]', Eose("s1")),
        (b'["CLOSED","s1","error: nope"]', Closed("s1", "error: nope")),
        (b'["CLOSED","s1"]', Closed("s1", "")),
        (b'["NOTICE","slow down"]', Notice("slow down")),
        (
            b'["OK","' + b"a" * 64 + b'",false,"duplicate: have it"]',
            Ok("a" * 64, False, "duplicate: have it"),
        ),
        (b'["AUTH","challenge-1"]', AuthChallenge("challenge-1")),
        (b'["COUNT","c1",{"count":42}]', CountMessage("c1", CountResult(42))),
        (b'["COUNT","c1",{"count":7,"approximate":true}]', CountMessage("c1", CountResult(7, True))),
        (b'["EOSE","s1","extra"]', Eose("s1")),
    ],
)
def test_relay_frames_decode_to_tagged_structs(frame: bytes, message: object) -> None:
    assert relay_message_decoder().decode(frame) == message


def test_event_frame_decodes_the_event_and_ignores_unknown_fields() -> None:
    event = msgspec.to_builtins(EVENT) | {"extra": 1}
    frame = msgspec.json.encode(["EVENT", "s1", event])
    assert relay_message_decoder().decode(frame) == EventMessage("s1", EVENT)


@pytest.mark.parametrize(
    "frame",
    [
        b"not json",
        b"[]",
        b'["EVENT"]',
        b'["EVENT","s1",{"id":"x"}]',
        b'["EVENT","s1",{"id":"a","pubkey":"b","created_at":"yesterday","kind":1,"tags":[],"content":"","sig":"c"}]',
        b'["HELLO","s1"]',
        b'{"EOSE":"s1"}',
        b'["COUNT","c1",{"count":"many"}]',
    ],
)
def test_anything_else_is_a_decoding_error(frame: bytes) -> None:
    with pytest.raises((msgspec.DecodeError, msgspec.ValidationError)):
        relay_message_decoder().decode(frame)


def test_filters_go_on_the_wire_with_hash_keys_for_tags() -> None:
    wire = filter_to_wire(
        Filter(
            ids=("a",),
            authors=("b",),
            kinds=(0, 3),
            tags={"p": ("c",), "e": ("d",)},
            since=1,
            until=2,
            limit=3,
        )
    )
    assert wire == {
        "ids": ["a"],
        "authors": ["b"],
        "kinds": [0, 3],
        "#e": ["d"],
        "#p": ["c"],
        "since": 1,
        "until": 2,
        "limit": 3,
    }
    assert filter_to_wire(Filter()) == {}


def test_client_messages() -> None:
    encoder = ClientEncoder()
    assert (
        encoder.req("q1", [Filter(kinds=(1,)), Filter(limit=2)]) == b'["REQ","q1",{"kinds":[1]},{"limit":2}]'
    )
    assert encoder.count("c1", [Filter(kinds=(3,))]) == b'["COUNT","c1",{"kinds":[3]}]'
    assert encoder.close("q1") == b'["CLOSE","q1"]'
    kind, event = msgspec.json.decode(encoder.event(EVENT))
    assert kind == "EVENT" and msgspec.convert(event, Event) == EVENT
    assert msgspec.json.decode(encoder.auth(EVENT))[0] == "AUTH"
