"""HMAC-SHA256 webhook signatures, compared in constant time."""

import hashlib
import hmac

from domain.shared.hashing import same_secret


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def matches(expected_hex: str, presented: str) -> bool:
    return same_secret(expected_hex, presented.strip().lower())
