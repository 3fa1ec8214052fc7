import csv
from pathlib import Path

import msgspec
import pytest

from domain.nostr.event import Event
from domain.nostr.serialization import event_id
from domain.nostr.signing import (
    generate_secret_key,
    public_key_of,
    sign_event,
    sign_schnorr,
    verify_event,
    verify_schnorr,
)

VECTORS = list(csv.DictReader((Path(__file__).parents[2] / "data" / "bip340_vectors.csv").open()))


@pytest.mark.parametrize("row", VECTORS, ids=lambda row: f"vector-{row['index']}")
def test_bip340_official_vectors_verify_as_specified(row: dict[str, str]) -> None:
    result = verify_schnorr(
        row["public key"].lower(), bytes.fromhex(row["message"]), row["signature"].lower()
    )
    assert result is (row["verification result"] == "TRUE")


@pytest.mark.parametrize(
    "row", [row for row in VECTORS if row["secret key"]], ids=lambda row: f"vector-{row['index']}"
)
def test_bip340_official_vectors_sign_as_specified(row: dict[str, str]) -> None:
    secret = row["secret key"].lower()
    assert public_key_of(secret) == row["public key"].lower()
    signature = sign_schnorr(secret, bytes.fromhex(row["message"]), bytes.fromhex(row["aux_rand"]))
    assert signature == row["signature"].lower()


def test_vector_zero_is_the_final_even_y_version() -> None:
    assert VECTORS[0]["signature"].startswith("E907831F80848D10")


@pytest.fixture
def event() -> Event:
    return sign_event(
        generate_secret_key(),
        kind=1,
        tags=[["p", "ab" * 32], ["t", "nostr"]],
        content="hi",
        created_at=1_700_000_000,
    )


def test_signed_event_verifies_and_carries_its_recomputed_id(event: Event) -> None:
    assert verify_event(event)
    assert event.id == event_id(event)


def test_n1_tampered_id_is_rejected(event: Event) -> None:
    flipped = ("0" if event.id[0] != "0" else "1") + event.id[1:]
    assert not verify_event(msgspec.structs.replace(event, id=flipped))


def test_n1_tampered_sig_is_rejected(event: Event) -> None:
    flipped = event.sig[:-1] + ("0" if event.sig[-1] != "0" else "1")
    assert not verify_event(msgspec.structs.replace(event, sig=flipped))


def test_n1_tampered_content_is_rejected(event: Event) -> None:
    assert not verify_event(msgspec.structs.replace(event, content="hi!"))


def test_n1_tampered_content_with_matching_id_is_rejected(event: Event) -> None:
    tampered = msgspec.structs.replace(event, content="other")
    assert not verify_event(msgspec.structs.replace(tampered, id=event_id(tampered)))


def test_n1_tampered_tags_created_at_kind_and_pubkey_are_rejected(event: Event) -> None:
    other_pubkey = public_key_of(generate_secret_key())
    for tampered in (
        msgspec.structs.replace(event, tags=[["p", "cd" * 32]]),
        msgspec.structs.replace(event, created_at=event.created_at + 1),
        msgspec.structs.replace(event, kind=2),
        msgspec.structs.replace(event, pubkey=other_pubkey),
    ):
        assert not verify_event(tampered)


def test_n1_sig_from_another_key_over_the_same_id_is_rejected(event: Event) -> None:
    forged = sign_schnorr(generate_secret_key(), bytes.fromhex(event.id), bytes(32))
    assert not verify_event(msgspec.structs.replace(event, sig=forged))


@pytest.mark.parametrize(
    "field, value",
    [
        ("id", "zz" * 32),
        ("sig", "00" * 63),
        ("pubkey", "00" * 31),
        ("pubkey", "ff" * 32),
    ],
)
def test_malformed_fields_are_invalid_not_errors(event: Event, field: str, value: str) -> None:
    assert not verify_event(msgspec.structs.replace(event, **{field: value}))


def test_uppercase_hex_is_not_accepted(event: Event) -> None:
    assert not verify_event(msgspec.structs.replace(event, id=event.id.upper()))
    assert not verify_event(msgspec.structs.replace(event, sig=event.sig.upper()))


def test_lone_surrogate_content_is_invalid_not_an_error(event: Event) -> None:
    assert not verify_event(msgspec.structs.replace(event, content="\ud800"))


def test_invalid_secret_key_is_refused() -> None:
    with pytest.raises(ValueError):
        public_key_of("00" * 32)
    with pytest.raises(ValueError):
        public_key_of("AB" * 32)
