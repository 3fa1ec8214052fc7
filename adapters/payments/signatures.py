"""HMAC-SHA256 webhook signatures, compared in constant time."""

import hashlib
import hmac


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def matches(expected_hex: str, presented: str) -> bool:
    return hmac.compare_digest(expected_hex.encode(), presented.strip().lower().encode())
