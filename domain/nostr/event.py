"""NIP-01 events and filters as they travel on the wire."""

import msgspec


class Event(msgspec.Struct, frozen=True):
    """A signed Nostr event. Only trust one whose id and sig were checked (see `verify`)."""

    id: str
    pubkey: str
    created_at: int
    kind: int
    # Tuples, not lists: the struct is immutable, and Python's cyclic GC stops tracking a tuple of
    # strings, which matters when a query holds thousands of events of a hundred tags each.
    tags: tuple[tuple[str, ...], ...]
    content: str
    sig: str


class Filter(msgspec.Struct, frozen=True, omit_defaults=True):
    """A NIP-01 filter. `tags` maps a single letter to the values of its `#<letter>` condition."""

    ids: tuple[str, ...] | None = None
    authors: tuple[str, ...] | None = None
    kinds: tuple[int, ...] | None = None
    tags: dict[str, tuple[str, ...]] | None = None
    since: int | None = None
    until: int | None = None
    limit: int | None = None
