"""LNURL-auth (LUD-04) rules: the wallet's DER ECDSA signature over the raw 32-byte k1, by a
compressed secp256k1 key, and the bech32 `lnurl` encoding of the callback URL.

Signatures must be strict DER (BIP-66 rules: minimal lengths, no padding, no negative numbers).
libsecp256k1 verifies low-S signatures only; a high-S signature is the same signature mirrored, so
it is normalized to low S before verifying rather than refused. The message is k1 itself, never a
hash of it.
"""

import re

from bech32 import bech32_encode, convertbits
from coincurve import PublicKey

from domain.auth.lnurl import K1_SHAPE
from domain.shared.errors import DomainError

# The order of the secp256k1 group.
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
LNURL_HRP = "lnurl"
UNLINKED_WALLET = "no account is linked to this wallet; sign in with Nostr and link it first"


class LnurlRefused(DomainError):
    """A wallet's callback was refused; `reason` is what the wallet shows its user."""

    title = "LNURL-auth refused"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _der_integer(data: bytes, at: int) -> tuple[int, int]:
    """Reads one strict DER INTEGER at `at`; answers (value, position after it)."""
    if at + 2 > len(data) or data[at] != 0x02:
        raise LnurlRefused("sig is not a DER signature")
    length = data[at + 1]
    body = data[at + 2 : at + 2 + length]
    if length == 0 or len(body) != length:
        raise LnurlRefused("sig is not a DER signature")
    if body[0] & 0x80:
        raise LnurlRefused("sig is not a strict DER signature (negative number)")
    if length > 1 and body[0] == 0 and not body[1] & 0x80:
        raise LnurlRefused("sig is not a strict DER signature (padded number)")
    return int.from_bytes(body, "big"), at + 2 + length


def parse_der_signature(der: bytes) -> tuple[int, int]:
    """(r, s) of a strict DER ECDSA signature; raises LnurlRefused for anything else."""
    if not 8 <= len(der) <= 72 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise LnurlRefused("sig is not a DER signature")
    r, after_r = _der_integer(der, 2)
    s, after_s = _der_integer(der, after_r)
    if after_s != len(der):
        raise LnurlRefused("sig is not a DER signature (trailing bytes)")
    if not (0 < r < CURVE_ORDER and 0 < s < CURVE_ORDER):
        raise LnurlRefused("sig is out of range")
    return r, s


def _der_of(r: int, s: int) -> bytes:
    def integer(value: int) -> bytes:
        body = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return bytes([0x02, len(body)]) + body

    content = integer(r) + integer(s)
    return bytes([0x30, len(content)]) + content


def _bytes(value: str, what: str) -> bytes:
    if not isinstance(value, str) or HEX.fullmatch(value) is None:
        raise LnurlRefused(f"{what} must be hex")
    return bytes.fromhex(value)


def parse_k1(k1: str) -> str:
    if not isinstance(k1, str) or K1_SHAPE.fullmatch(k1) is None:
        raise LnurlRefused("k1 must be 64 lowercase hex characters")
    return k1


def verify_wallet_signature(k1: str, sig: str, key: str) -> str:
    """Checks LUD-04's `sig` over the raw k1 by `key`; answers the linking key in lowercase hex."""
    message = bytes.fromhex(parse_k1(k1))
    key_bytes = _bytes(key, "key")
    if len(key_bytes) != 33 or key_bytes[0] not in (2, 3):
        raise LnurlRefused("key must be a 33-byte compressed public key")
    try:
        public_key = PublicKey(key_bytes)
    except ValueError:
        raise LnurlRefused("key is not a point on secp256k1") from None
    r, s = parse_der_signature(_bytes(sig, "sig"))
    low_s = min(s, CURVE_ORDER - s)
    if not public_key.verify(_der_of(r, low_s), message, hasher=None):
        raise LnurlRefused("sig does not verify over k1 with key")
    return key_bytes.hex()


def encode_lnurl(url: str) -> str:
    """The bech32 `lnurl` encoding of a URL, upper-cased as QR codes carry it (no length limit)."""
    data = convertbits(url.encode("utf-8"), 8, 5)
    assert data is not None
    return str(bech32_encode(LNURL_HRP, data)).upper()
