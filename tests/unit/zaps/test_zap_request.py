"""Z2: a zap request is checked as NIP-57 says before an invoice is asked for."""

import msgspec
import pytest

from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.errors import InvalidInput
from domain.zaps.zap_request import parse_zap_request

SENDER = generate_secret_key()
RECIPIENT = public_key_of(generate_secret_key())
EVENT_ID = "ab" * 32
RELAYS = ["relays", "wss://relay.example", "wss://other.example"]


def zap_request(tags: list[list[str]], *, kind: int = 9734, key: str = SENDER) -> str:
    event = sign_event(key, kind=kind, tags=tags, content="great post", created_at=1_700_000_000)
    return msgspec.json.encode(event).decode()


def good_tags(amount: int = 21_000) -> list[list[str]]:
    return [RELAYS, ["amount", str(amount)], ["p", RECIPIENT], ["e", EVENT_ID]]


def test_z2_a_well_formed_zap_request_is_accepted_with_what_the_receipt_copies() -> None:
    raw = zap_request(good_tags())
    checked = parse_zap_request(raw, recipient=RECIPIENT, amount_msat=21_000)
    assert checked.json == raw
    assert checked.relays == ("wss://relay.example", "wss://other.example")
    assert checked.event_tag == ("e", EVENT_ID)
    assert checked.address_tag is None


def test_z2_the_amount_tag_is_optional() -> None:
    raw = zap_request([RELAYS, ["p", RECIPIENT]])
    assert parse_zap_request(raw, recipient=RECIPIENT, amount_msat=5_000).recipient == RECIPIENT


def test_z2_a_forged_signature_is_refused() -> None:
    event = msgspec.json.decode(zap_request(good_tags()))
    event["content"] = "changed after signing"
    with pytest.raises(InvalidInput, match="signature"):
        parse_zap_request(msgspec.json.encode(event).decode(), recipient=RECIPIENT, amount_msat=21_000)


@pytest.mark.parametrize(
    ("tags", "kind", "reason"),
    [
        (good_tags(), 1, "kind"),
        ([RELAYS, ["amount", "21000"]], 9734, "p tag"),
        ([RELAYS, ["p", RECIPIENT], ["p", RECIPIENT]], 9734, "p tag"),
        ([RELAYS, ["p", "cd" * 32]], 9734, "owner"),
        ([RELAYS, ["p", RECIPIENT], ["e", EVENT_ID], ["e", "cd" * 32]], 9734, "e tag"),
        ([RELAYS, ["p", RECIPIENT], ["a", "30023:" + RECIPIENT + ":x"], ["a", "1:2:3"]], 9734, "a tag"),
        ([RELAYS, ["p", RECIPIENT], ["a", "not a coordinate"]], 9734, "a tag"),
        ([["p", RECIPIENT]], 9734, "relays"),
        ([["relays"], ["p", RECIPIENT]], 9734, "relays"),
        (good_tags(amount=20_000), 9734, "amount"),
    ],
)
def test_z2_a_zap_request_breaking_a_rule_is_refused(tags: list[list[str]], kind: int, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_zap_request(zap_request(tags, kind=kind), recipient=RECIPIENT, amount_msat=21_000)


@pytest.mark.parametrize("raw", ["", "not json", "[]", '{"kind": 9734}'])
def test_z2_something_that_is_not_an_event_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="JSON Nostr event"):
        parse_zap_request(raw, recipient=RECIPIENT, amount_msat=21_000)


def test_z2_the_description_hash_is_taken_over_the_json_as_received() -> None:
    raw = zap_request(good_tags())
    spaced = raw.replace(",", ", ")
    first = parse_zap_request(raw, recipient=RECIPIENT, amount_msat=21_000)
    second = parse_zap_request(spaced, recipient=RECIPIENT, amount_msat=21_000)
    assert first.description_hash != second.description_hash
