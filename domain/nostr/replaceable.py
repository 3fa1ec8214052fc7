"""Replaceable events (NIP-01): for kinds 0, 3 and 10000-19999 only the newest per author counts."""

from collections.abc import Iterable

from domain.nostr.event import Event


def is_replaceable(kind: int) -> bool:
    return kind in (0, 3) or 10000 <= kind < 20000


def is_ephemeral(kind: int) -> bool:
    return 20000 <= kind < 30000


def is_addressable(kind: int) -> bool:
    """Parameterized replaceable kinds: the newest per author, kind and `d` tag counts."""
    return 30000 <= kind < 40000


def supersedes(candidate: Event, current: Event) -> bool:
    """True when `candidate` replaces `current`: newer `created_at`, or the same and a lower id."""
    if candidate.created_at != current.created_at:
        return candidate.created_at > current.created_at
    return candidate.id < current.id


def latest_per_author(events: Iterable[Event], kind: int) -> dict[str, Event]:
    """The winning event of the given kind for each author among the events."""
    latest: dict[str, Event] = {}
    for event in events:
        if event.kind != kind:
            continue
        current = latest.get(event.pubkey)
        if current is None or supersedes(event, current):
            latest[event.pubkey] = event
    return latest


def address_of(event: Event) -> tuple[int, str, str] | None:
    """The slot an event occupies in a relay's store when it replaces older ones, else None."""
    if is_replaceable(event.kind):
        return (event.kind, event.pubkey, "")
    if is_addressable(event.kind):
        d_tag = next((tag[1] for tag in event.tags if len(tag) >= 2 and tag[0] == "d"), "")
        return (event.kind, event.pubkey, d_tag)
    return None
