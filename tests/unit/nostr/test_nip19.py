import pytest

from domain.nostr.nip19 import (
    Profile,
    decode_nprofile,
    decode_npub,
    decode_nsec,
    encode_nprofile,
    encode_npub,
    encode_nsec,
    parse_pubkey,
)
from domain.shared.errors import InvalidInput

# Examples from the NIP-19 text.
NPUB = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
NPUB_HEX = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
NSEC = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
NSEC_HEX = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa"
NPROFILE = (
    "nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gpp4mhxue69uhhytnc9e3k7mgpz4mhxue69uhkg6nzv9"
    "ejuumpv34kytnrdaksjlyr9p"
)
NPROFILE_HEX = "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d"


def test_spec_examples_decode() -> None:
    assert decode_npub(NPUB) == NPUB_HEX
    assert decode_nsec(NSEC) == NSEC_HEX
    assert decode_nprofile(NPROFILE) == Profile(
        pubkey=NPROFILE_HEX, relays=("wss://r.x.com", "wss://djbas.sadkb.com")
    )


def test_spec_examples_encode() -> None:
    assert encode_npub(NPUB_HEX) == NPUB
    assert encode_nsec(NSEC_HEX) == NSEC
    assert encode_nprofile(Profile(NPROFILE_HEX, ("wss://r.x.com", "wss://djbas.sadkb.com"))) == NPROFILE


def test_upper_case_npub_is_accepted_mixed_case_is_not() -> None:
    assert decode_npub(NPUB.upper()) == NPUB_HEX
    with pytest.raises(InvalidInput):
        decode_npub(NPUB[:10] + NPUB[10:].upper())


@pytest.mark.parametrize(
    "text",
    [
        NPUB[:-1] + ("q" if NPUB[-1] != "q" else "p"),  # checksum broken
        NSEC,  # wrong prefix
        "npub1",
        "",
        NPUB + "q",
        encode_npub(NPUB_HEX).replace("npub", "nsec"),
    ],
)
def test_invalid_npub_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        decode_npub(text)


def test_bech32m_checksum_is_refused() -> None:
    from bech32 import CHARSET, bech32_hrp_expand, bech32_polymod, convertbits

    words = convertbits(bytes.fromhex(NPUB_HEX), 8, 5)
    polymod = bech32_polymod(bech32_hrp_expand("npub") + words + [0] * 6) ^ 0x2BC830A3
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    bech32m = "npub1" + "".join(CHARSET[d] for d in words + checksum)
    with pytest.raises(InvalidInput):
        decode_npub(bech32m)


def test_wrong_payload_length_is_refused() -> None:
    from bech32 import bech32_encode, convertbits

    short = bech32_encode("npub", convertbits(bytes(31), 8, 5))
    with pytest.raises(InvalidInput):
        decode_npub(short)


def test_nsec_outside_the_curve_order_is_refused() -> None:
    with pytest.raises(InvalidInput):
        decode_nsec(encode_nsec("ff" * 32))


def test_nprofile_without_a_key_or_with_a_truncated_record_is_refused() -> None:
    from bech32 import bech32_encode, convertbits

    only_relay = bytes([1, 3]) + b"wss"
    truncated = bytes([0, 32]) + bytes(10)
    for payload in (only_relay, truncated):
        with pytest.raises(InvalidInput):
            decode_nprofile(bech32_encode("nprofile", convertbits(payload, 8, 5)))


@pytest.mark.parametrize("text", [NPUB_HEX, NPUB_HEX.upper(), f"  {NPUB_HEX} ", NPUB])
def test_parse_pubkey_accepts_hex_and_npub(text: str) -> None:
    assert parse_pubkey(text) == NPUB_HEX


def test_parse_pubkey_accepts_nprofile() -> None:
    assert parse_pubkey(NPROFILE) == NPROFILE_HEX


@pytest.mark.parametrize("text", ["", "abc", NPUB_HEX[:-1], NPUB_HEX + "0", NSEC, "g" * 64])
def test_parse_pubkey_refuses_anything_else(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_pubkey(text)
