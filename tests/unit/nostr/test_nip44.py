"""NIP-44 v2 against the official test vectors (nip44.vectors.json as published with the NIP)."""

import hashlib
import json
from pathlib import Path

import pytest

from domain.nostr import nip44
from domain.nostr.signing import public_key_of

VECTORS = json.loads((Path(__file__).parents[2] / "data" / "nip44.vectors.json").read_text())["v2"]
VALID = VECTORS["valid"]
INVALID = VECTORS["invalid"]


@pytest.mark.parametrize("case", VALID["get_conversation_key"])
def test_conversation_key_matches_the_vectors(case: dict[str, str]) -> None:
    key = nip44.conversation_key(case["sec1"], case["pub2"])
    assert key.hex() == case["conversation_key"]


@pytest.mark.parametrize("case", INVALID["get_conversation_key"], ids=lambda case: case["note"])
def test_invalid_keys_give_no_conversation_key(case: dict[str, str]) -> None:
    with pytest.raises(nip44.Nip44Error):
        nip44.conversation_key(case["sec1"], case["pub2"])


def test_message_keys_match_the_vectors() -> None:
    key = bytes.fromhex(VALID["get_message_keys"]["conversation_key"])
    for case in VALID["get_message_keys"]["keys"]:
        chacha_key, chacha_nonce, hmac_key = nip44.message_keys(key, bytes.fromhex(case["nonce"]))
        assert (chacha_key.hex(), chacha_nonce.hex(), hmac_key.hex()) == (
            case["chacha_key"],
            case["chacha_nonce"],
            case["hmac_key"],
        )


@pytest.mark.parametrize(("unpadded", "padded"), VALID["calc_padded_len"])
def test_padded_length_matches_the_vectors(unpadded: int, padded: int) -> None:
    assert nip44.padded_length(unpadded) == padded


@pytest.mark.parametrize("case", VALID["encrypt_decrypt"], ids=lambda case: case["plaintext"][:20])
def test_encrypt_and_decrypt_match_the_vectors(case: dict[str, str]) -> None:
    key = nip44.conversation_key(case["sec1"], public_key_of(case["sec2"]))
    assert key.hex() == case["conversation_key"]
    assert nip44.encrypt(case["plaintext"], key, bytes.fromhex(case["nonce"])) == case["payload"]
    assert nip44.decrypt(case["payload"], key) == case["plaintext"]
    other_way = nip44.conversation_key(case["sec2"], public_key_of(case["sec1"]))
    assert nip44.decrypt(case["payload"], other_way) == case["plaintext"]


@pytest.mark.parametrize("case", VALID["encrypt_decrypt_long_msg"], ids=lambda case: case["note"])
def test_long_messages_match_the_vectors(case: dict[str, str | int]) -> None:
    plaintext = str(case["letter"]) * int(case["repeat"])
    key = bytes.fromhex(str(case["conversation_key"]))
    if not case["payload_checksum_sha256"]:
        # The published long vector (65535 two-byte letters) is longer than a plaintext may be.
        with pytest.raises(nip44.Nip44Error):
            nip44.encrypt(plaintext, key, bytes.fromhex(str(case["nonce"])))
        return
    payload = nip44.encrypt(plaintext, key, bytes.fromhex(str(case["nonce"])))
    assert hashlib.sha256(payload.encode()).hexdigest() == case["payload_checksum_sha256"]
    assert nip44.decrypt(payload, key) == plaintext


@pytest.mark.parametrize("length", INVALID["encrypt_msg_lengths"])
def test_plaintexts_of_a_wrong_length_are_refused(length: int) -> None:
    with pytest.raises(nip44.Nip44Error):
        nip44.encrypt("a" * length, bytes(32))


@pytest.mark.parametrize("case", INVALID["decrypt"], ids=lambda case: case["note"])
def test_bad_payloads_are_refused(case: dict[str, str]) -> None:
    with pytest.raises(nip44.Nip44Error):
        nip44.decrypt(case["payload"], bytes.fromhex(case["conversation_key"]))


@pytest.mark.parametrize("length", INVALID["decrypt_msg_lengths"])
def test_payloads_of_a_wrong_length_are_refused(length: int) -> None:
    with pytest.raises(nip44.Nip44Error):
        nip44.decrypt("A" * length, bytes(32))


def test_a_fresh_nonce_each_time() -> None:
    key = bytes(range(32))
    first, second = nip44.encrypt("hello", key), nip44.encrypt("hello", key)
    assert first != second
    assert nip44.decrypt(first, key) == nip44.decrypt(second, key) == "hello"
