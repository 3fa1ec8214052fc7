"""NIP-01 canonical serialization and event id computation."""

import hashlib
from collections.abc import Sequence

import msgspec

from domain.nostr.event import Event

_encoder = msgspec.json.Encoder()


def canonical_bytes(
    pubkey: str, created_at: int, kind: int, tags: Sequence[Sequence[str]], content: str
) -> bytes:
    """UTF-8 JSON of `[0, pubkey, created_at, kind, tags, content]` exactly as NIP-01 hashes it.

    msgspec writes no whitespace, escapes only `"`, `\\` and control characters (the short forms
    `\\b \\f \\n \\r \\t`, `\\u00XX` for the rest, as JSON.stringify does) and leaves every other
    character as raw UTF-8. Raises msgspec.EncodeError on strings that are not valid Unicode.
    """
    return _encoder.encode((0, pubkey, created_at, kind, tags, content))


def compute_id(pubkey: str, created_at: int, kind: int, tags: Sequence[Sequence[str]], content: str) -> str:
    """The lowercase hex sha256 of the canonical serialization."""
    return hashlib.sha256(canonical_bytes(pubkey, created_at, kind, tags, content)).hexdigest()


def event_id(event: Event) -> str:
    """Recomputes the id of an event from its content; never trusts `event.id`."""
    return compute_id(event.pubkey, event.created_at, event.kind, event.tags, event.content)
