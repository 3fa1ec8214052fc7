"""NIP-19 bech32 entities: npub, nsec and nprofile, with strict validation."""

import msgspec
from bech32 import bech32_decode, bech32_encode, convertbits
from coincurve import PrivateKey

from domain.nostr.pubkeys import is_hex_pubkey
from domain.shared.errors import InvalidInput

_TLV_SPECIAL = 0
_TLV_RELAY = 1


class Profile(msgspec.Struct, frozen=True):
    """The content of an nprofile: a public key and relays where it may be found."""

    pubkey: str
    relays: tuple[str, ...] = ()


def encode_npub(pubkey_hex: str) -> str:
    return _encode("npub", _key_bytes(pubkey_hex, "public key"))


def encode_nsec(secret_key_hex: str) -> str:
    return _encode("nsec", _key_bytes(secret_key_hex, "secret key"))


def decode_npub(text: str) -> str:
    """The lowercase hex public key inside an npub; InvalidInput for anything else."""
    return _decode_key("npub", text)


def decode_nsec(text: str) -> str:
    secret = _decode_key("nsec", text)
    try:
        PrivateKey(bytes.fromhex(secret))
    except ValueError as error:
        raise InvalidInput("nsec holds a value that is not a valid secret key") from error
    return secret


def encode_nprofile(profile: Profile) -> str:
    payload = bytearray([_TLV_SPECIAL, 32]) + _key_bytes(profile.pubkey, "public key")
    for relay in profile.relays:
        encoded = relay.encode()
        if len(encoded) > 255:
            raise InvalidInput("a relay URL in an nprofile is at most 255 bytes")
        payload += bytes([_TLV_RELAY, len(encoded)]) + encoded
    return _encode("nprofile", bytes(payload))


def decode_nprofile(text: str) -> Profile:
    """Reads the TLV records of an nprofile; unknown record types are skipped as NIP-19 asks."""
    payload = _decode("nprofile", text)
    pubkey: str | None = None
    relays: list[str] = []
    position = 0
    while position < len(payload):
        if position + 2 > len(payload):
            raise InvalidInput("nprofile has a truncated TLV record")
        record_type, length = payload[position], payload[position + 1]
        value = payload[position + 2 : position + 2 + length]
        if len(value) != length:
            raise InvalidInput("nprofile has a truncated TLV record")
        position += 2 + length
        if record_type == _TLV_SPECIAL:
            if length != 32 or pubkey is not None:
                raise InvalidInput("nprofile must hold exactly one 32-byte public key")
            pubkey = value.hex()
        elif record_type == _TLV_RELAY:
            try:
                relays.append(value.decode())
            except UnicodeDecodeError as error:
                raise InvalidInput("nprofile relay is not valid UTF-8") from error
    if pubkey is None:
        raise InvalidInput("nprofile has no public key")
    return Profile(pubkey=pubkey, relays=tuple(relays))


# The text forms of a public key the API accepts: 64 hex characters or an npub (bech32, 63 characters).
PUBKEY_TEXT_PATTERN = r"^([0-9a-fA-F]{64}|npub1[02-9ac-hj-np-z]{58})$"


def parse_pubkey(text: str) -> str:
    """Accepts a 64-character hex key, an npub or an nprofile; returns lowercase hex."""
    candidate = text.strip()
    if is_hex_pubkey(candidate.lower()):
        return candidate.lower()
    prefix = candidate[:8].lower()
    if prefix.startswith("npub1"):
        return decode_npub(candidate)
    if prefix.startswith("nprofile"):
        return decode_nprofile(candidate).pubkey
    raise InvalidInput("expected a 64-character hex public key or an npub")


def _key_bytes(key_hex: str, what: str) -> bytes:
    if not is_hex_pubkey(key_hex.lower()):
        raise InvalidInput(f"a {what} is 64 hex characters")
    return bytes.fromhex(key_hex)


def _encode(hrp: str, payload: bytes) -> str:
    words = convertbits(payload, 8, 5, pad=True)
    assert words is not None
    return bech32_encode(hrp, words)


def _decode(expected_hrp: str, text: str) -> bytes:
    hrp, words = bech32_decode(text.strip())
    if hrp is None or words is None:
        raise InvalidInput(f"not a valid bech32 {expected_hrp}")
    if hrp != expected_hrp:
        raise InvalidInput(f"expected an {expected_hrp}, got {hrp}")
    data = convertbits(words, 5, 8, pad=False)
    if data is None:
        raise InvalidInput(f"{expected_hrp} has invalid padding")
    return bytes(data)


def _decode_key(hrp: str, text: str) -> str:
    data = _decode(hrp, text)
    if len(data) != 32:
        raise InvalidInput(f"{hrp} must hold 32 bytes, found {len(data)}")
    return data.hex()
