"""Nostr public keys as the records store them: 64 lowercase hex characters."""

import re

from domain.shared.errors import InvalidInput

HEX_PUBKEY = re.compile(r"[0-9a-f]{64}")


def is_hex_pubkey(value: str) -> bool:
    """64 lowercase hex characters: a pubkey as Nostr writes it. Event ids and secret keys, also 32
    bytes written in lowercase hex, are held to the same rule."""
    return HEX_PUBKEY.fullmatch(value) is not None


def parse_hex_pubkey(value: str, field: str = "pubkey") -> str:
    """Returns the pubkey when it is 64 lowercase hex characters; raises InvalidInput otherwise."""
    if not isinstance(value, str) or not is_hex_pubkey(value):
        raise InvalidInput(
            f"{field} must be 64 lowercase hexadecimal characters",
            {field: "expected 64 lowercase hexadecimal characters"},
        )
    return value


def parse_pubkey_prefix(value: str, field: str = "query") -> str:
    """The start of a hex pubkey (1 to 64 hex characters), lowercased; InvalidInput otherwise."""
    prefix = value.strip().lower() if isinstance(value, str) else ""
    if not 1 <= len(prefix) <= 64 or HEX_PUBKEY.fullmatch(prefix.ljust(64, "0")) is None:
        raise InvalidInput(f"{field} must be the start of a hex pubkey", {field: "not hexadecimal"})
    return prefix
