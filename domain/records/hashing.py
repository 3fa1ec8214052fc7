"""Secrets are stored only as their SHA-256 digest; the clear value is shown once and forgotten."""

import hashlib
import hmac
import re

SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def secret_digest(secret: str) -> str:
    """Lowercase hex SHA-256 of the secret's UTF-8 bytes: what the records store and look up by."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_secret_digest(value: str) -> bool:
    return SHA256_HEX.fullmatch(value) is not None


def digests_match(left: str, right: str) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(left.encode("ascii", "replace"), right.encode("ascii", "replace"))
