"""BIP-340 Schnorr signing and verification of Nostr events (NIP-01)."""

import hashlib
import os
import re
from collections.abc import Sequence

import msgspec
from coincurve import PrivateKey, PublicKeyXOnly

from domain.nostr.event import Event
from domain.nostr.pubkeys import is_hex_pubkey
from domain.nostr.serialization import canonical_bytes

_HEX128 = re.compile(r"[0-9a-f]{128}")


def generate_secret_key() -> str:
    """A fresh random secret key as 64 lowercase hex characters."""
    return str(PrivateKey().secret.hex())


def public_key_of(secret_key_hex: str) -> str:
    """The x-only public key (64 lowercase hex) of a secret key; ValueError when the key is invalid."""
    if not is_hex_pubkey(secret_key_hex):
        raise ValueError("a secret key is 64 lowercase hex characters")
    return str(PublicKeyXOnly.from_secret(bytes.fromhex(secret_key_hex)).format().hex())


def is_public_key(pubkey_hex: str) -> bool:
    """Whether 64 lowercase hex characters are an x-only public key on secp256k1 (about half of all
    such strings are not): only such a key can sign, or be sent an encrypted message."""
    if not is_hex_pubkey(pubkey_hex):
        return False
    try:
        PublicKeyXOnly(bytes.fromhex(pubkey_hex))
    except ValueError:
        return False
    return True


def sign_event(
    secret_key_hex: str,
    *,
    kind: int,
    tags: Sequence[Sequence[str]],
    content: str,
    created_at: int,
) -> Event:
    """Builds and signs an event; the pubkey is derived from the secret key."""
    pubkey = public_key_of(secret_key_hex)
    digest = _sha256(canonical_bytes(pubkey, created_at, kind, tags, content))
    return Event(
        id=digest.hex(),
        pubkey=pubkey,
        created_at=created_at,
        kind=kind,
        tags=tuple(tuple(tag) for tag in tags),
        content=content,
        sig=sign_schnorr(secret_key_hex, digest, os.urandom(32)),
    )


def verify_event(event: Event) -> bool:
    """True only when the recomputed id equals `event.id` and the sig verifies against that id.

    Malformed fields (wrong length, upper-case hex, a pubkey off the curve, strings that are not
    valid Unicode) make the event invalid rather than raising.
    """
    if not (is_hex_pubkey(event.id) and is_hex_pubkey(event.pubkey) and _HEX128.fullmatch(event.sig)):
        return False
    try:
        digest = _sha256(
            canonical_bytes(event.pubkey, event.created_at, event.kind, event.tags, event.content)
        )
    except (msgspec.EncodeError, UnicodeEncodeError):
        return False
    if digest.hex() != event.id:
        return False
    return verify_schnorr(event.pubkey, digest, event.sig)


def sign_schnorr(secret_key_hex: str, message: bytes, aux_rand: bytes) -> str:
    """BIP-340 signature (128 lowercase hex) of a message, with 32 bytes of auxiliary randomness."""
    if len(aux_rand) != 32:
        raise ValueError("BIP-340 auxiliary randomness is 32 bytes")
    return str(PrivateKey(bytes.fromhex(secret_key_hex)).sign_schnorr(message, aux_rand).hex())


def verify_schnorr(pubkey_hex: str, message: bytes, signature_hex: str) -> bool:
    """BIP-340 verification of a 64-byte signature over a message by an x-only public key."""
    try:
        public_key = PublicKeyXOnly(bytes.fromhex(pubkey_hex))
        return bool(public_key.verify(bytes.fromhex(signature_hex), message))
    except ValueError:
        return False


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
