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


def _exact_bytes(value: str) -> bytes:
    # Every str encodes this way, lone surrogates included, and distinct strings stay distinct.
    return value.encode("utf-8", "surrogatepass")


def same_secret(left: str, right: str) -> bool:
    """Constant-time equality of two strings, whatever characters an outside party put in them."""
    return hmac.compare_digest(_exact_bytes(left), _exact_bytes(right))


def digests_match(left: str, right: str) -> bool:
    """Constant-time comparison of two digests."""
    return same_secret(left, right)
