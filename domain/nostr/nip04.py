"""NIP-04 encrypted content (AES-256-CBC with the ECDH x coordinate), for wallets that lack NIP-44."""

import base64
import binascii
import os

from coincurve import PrivateKey, PublicKey
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from domain.nostr.pubkeys import is_hex_pubkey


class Nip04Error(ValueError):
    """Content that cannot be decrypted, or keys that cannot be used."""


def shared_key(secret_key_hex: str, public_key_hex: str) -> bytes:
    """The unhashed x coordinate of the ECDH point, as NIP-04 uses it for the AES key."""
    if not (is_hex_pubkey(secret_key_hex) and is_hex_pubkey(public_key_hex)):
        raise Nip04Error("keys are 64 lowercase hex characters")
    try:
        secret = PrivateKey(bytes.fromhex(secret_key_hex)).secret
        point = PublicKey(b"\x02" + bytes.fromhex(public_key_hex)).multiply(secret)
    except ValueError as error:
        raise Nip04Error("not a valid secp256k1 key") from error
    return bytes(point.format(compressed=True)[1:])


def encrypt(plaintext: str, key: bytes, iv: bytes | None = None) -> str:
    """`base64(ciphertext)?iv=base64(iv)`."""
    iv = os.urandom(16) if iv is None else iv
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return f"{base64.b64encode(ciphertext).decode()}?iv={base64.b64encode(iv).decode()}"


def decrypt(content: str, key: bytes) -> str:
    """The plaintext of NIP-04 content; Nip04Error when it is malformed or the key is wrong."""
    body, separator, iv_text = content.partition("?iv=")
    try:
        if not separator:
            raise ValueError("no iv")
        ciphertext, iv = base64.b64decode(body, validate=True), base64.b64decode(iv_text, validate=True)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise Nip04Error("cannot decrypt NIP-04 content") from error
