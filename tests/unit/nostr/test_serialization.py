import hashlib
import json

import msgspec
import nostr_sdk
import pytest

from domain.nostr.serialization import canonical_bytes, compute_id
from domain.nostr.signing import generate_secret_key, sign_event

PUBKEY = "6e468422dfb74a5738702a8823b9b28168abab8655faacb6853cd0ee15deee93"


def test_layout_has_no_whitespace_and_field_order_of_nip01() -> None:
    serialized = canonical_bytes(PUBKEY, 1, 1, [["e", "x", ""], []], "a b")
    assert serialized == f'[0,"{PUBKEY}",1,1,[["e","x",""],[]],"a b"]'.encode()


@pytest.mark.parametrize(
    "content, escaped",
    [
        ("\n", r"\n"),
        ('"', r"\""),
        ("\\", r"\\"),
        ("\r", r"\r"),
        ("\t", r"\t"),
        ("\b", r"\b"),
        ("\f", r"\f"),
        ("\x00", r"\u0000"),
        ("\x1f", r"\u001f"),
        ("\x7f", "\x7f"),
        ("/", "/"),
        ("é", "é"),
        ("日本語", "日本語"),
        ("😀", "😀"),
        ("\u2028\u2029", "\u2028\u2029"),
        ("<script>&", "<script>&"),
    ],
)
def test_escapes_only_what_nip01_lists_and_keeps_other_characters_raw(content: str, escaped: str) -> None:
    serialized = canonical_bytes(PUBKEY, 0, 1, [], content)
    assert serialized == f'[0,"{PUBKEY}",0,1,[],"{escaped}"]'.encode()


def test_escaping_applies_inside_tags_too() -> None:
    serialized = canonical_bytes(PUBKEY, 0, 1, [["t", 'a"\n😀']], "")
    assert serialized.endswith('[["t","a\\"\\n😀"]],""]'.encode())


def test_emoji_are_raw_utf8_bytes_not_surrogate_escapes() -> None:
    serialized = canonical_bytes(PUBKEY, 0, 1, [], "😀")
    assert "😀".encode() in serialized
    assert b"\\ud83d" not in serialized


def test_id_is_sha256_of_serialization_in_lowercase_hex() -> None:
    tags = [["p", PUBKEY, "wss://relay.example"]]
    expected = hashlib.sha256(
        json.dumps([0, PUBKEY, 1673347337, 3, tags, "x"], separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert compute_id(PUBKEY, 1673347337, 3, tags, "x") == expected


@pytest.mark.parametrize(
    "content",
    [
        "plain",
        'quote " backslash \\ newline \n tab \t cr \r bs \b ff \f',
        "\x00\x01\x1f\x7f",
        "日本語 😀 é",
        "\u2028",
    ],
)
def test_ids_agree_with_an_independent_implementation(content: str) -> None:
    event = sign_event(generate_secret_key(), kind=1, tags=[["t", content]], content=content, created_at=1)
    theirs = nostr_sdk.Event.from_json(msgspec.json.encode(event).decode())
    assert theirs.id().to_hex() == event.id
    assert theirs.verify()
