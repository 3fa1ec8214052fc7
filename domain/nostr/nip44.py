"""NIP-44 v2 payload encryption: secp256k1 ECDH, HKDF-SHA256, ChaCha20, HMAC-SHA256, padded plaintext.

Nostr Wallet Connect (NIP-47) encrypts its requests and answers this way.
"""

import base64
import binascii
import hmac
import os

from coincurve import PrivateKey, PublicKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from domain.nostr.pubkeys import is_hex_pubkey

VERSION = 2
_SALT = b"nip44-v2"
_MIN_PLAINTEXT = 1
_MAX_PLAINTEXT = 65535


class Nip44Error(ValueError):
    """A payload that cannot be decrypted, or a plaintext or key that cannot be used."""


def conversation_key(secret_key_hex: str, public_key_hex: str) -> bytes:
    """The key two parties share: HKDF-extract("nip44-v2", x of the ECDH point), the same both ways."""
    if not (is_hex_pubkey(secret_key_hex) and is_hex_pubkey(public_key_hex)):
        raise Nip44Error("keys are 64 lowercase hex characters")
    try:
        secret = PrivateKey(bytes.fromhex(secret_key_hex)).secret
        point = PublicKey(b"\x02" + bytes.fromhex(public_key_hex)).multiply(secret)
    except ValueError as error:
        raise Nip44Error("not a valid secp256k1 key") from error
    shared_x = point.format(compressed=True)[1:]
    return hmac.digest(_SALT, shared_x, "sha256")


def message_keys(key: bytes, nonce: bytes) -> tuple[bytes, bytes, bytes]:
    """ChaCha20 key, ChaCha20 nonce and HMAC key for one message: HKDF-expand(key, info=nonce, 76)."""
    if len(key) != 32 or len(nonce) != 32:
        raise Nip44Error("the conversation key and the nonce are 32 bytes")
    keys = HKDFExpand(algorithm=hashes.SHA256(), length=76, info=nonce).derive(key)
    return keys[0:32], keys[32:44], keys[44:76]


def padded_length(unpadded: int) -> int:
    """The length a plaintext is padded to: 32 at least, then in chunks that grow with the size."""
    if unpadded <= 32:
        return 32
    next_power = 1 << (unpadded - 1).bit_length()
    chunk = 32 if next_power <= 256 else next_power // 8
    return chunk * ((unpadded - 1) // chunk + 1)


def encrypt(plaintext: str, key: bytes, nonce: bytes | None = None) -> str:
    """The base64 payload `02 || nonce || ciphertext || mac` of a plaintext of 1 to 65535 bytes."""
    nonce = os.urandom(32) if nonce is None else nonce
    raw = plaintext.encode("utf-8")
    if not _MIN_PLAINTEXT <= len(raw) <= _MAX_PLAINTEXT:
        raise Nip44Error("a plaintext is 1 to 65535 bytes")
    chacha_key, chacha_nonce, hmac_key = message_keys(key, nonce)
    padded = len(raw).to_bytes(2, "big") + raw + bytes(padded_length(len(raw)) - len(raw))
    ciphertext = _chacha20(chacha_key, chacha_nonce, padded)
    mac = hmac.digest(hmac_key, nonce + ciphertext, "sha256")
    return base64.b64encode(bytes([VERSION]) + nonce + ciphertext + mac).decode("ascii")


def decrypt(payload: str, key: bytes) -> str:
    """The plaintext of a payload; Nip44Error when its version, length, MAC or padding is wrong."""
    if not payload or payload[0] == "#":
        raise Nip44Error("unknown encryption version")
    if not 132 <= len(payload) <= 87472:
        raise Nip44Error("invalid payload length")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Nip44Error("invalid base64") from error
    if not 99 <= len(data) <= 65603:
        raise Nip44Error("invalid data length")
    if data[0] != VERSION:
        raise Nip44Error("unknown encryption version")
    nonce, ciphertext, mac = data[1:33], data[33:-32], data[-32:]
    chacha_key, chacha_nonce, hmac_key = message_keys(key, nonce)
    if not hmac.compare_digest(hmac.digest(hmac_key, nonce + ciphertext, "sha256"), mac):
        raise Nip44Error("invalid MAC")
    padded = _chacha20(chacha_key, chacha_nonce, ciphertext)
    length = int.from_bytes(padded[0:2], "big")
    if not _MIN_PLAINTEXT <= length <= _MAX_PLAINTEXT or len(padded) != 2 + padded_length(length):
        raise Nip44Error("invalid padding")
    try:
        return padded[2 : 2 + length].decode("utf-8")
    except UnicodeDecodeError as error:
        raise Nip44Error("the plaintext is not UTF-8") from error


def _chacha20(key: bytes, nonce: bytes, data: bytes) -> bytes:
    # cryptography's ChaCha20 takes a 16-byte nonce: the 32-bit little-endian block counter (0) first.
    cipher = Cipher(algorithms.ChaCha20(key, bytes(4) + nonce), mode=None)
    return cipher.encryptor().update(data)
