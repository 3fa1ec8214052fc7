"""NIP-01 filter semantics: which events a filter selects, and in what order relays return them."""

from collections.abc import Iterable, Sequence

from domain.nostr.event import Event, Filter


def matches(filter_: Filter, event: Event) -> bool:
    """True when the event satisfies every condition of the filter (`limit` aside).

    A list condition holds when the event's value is in the list, so an empty list matches nothing.
    A `#x` condition holds when some tag named `x` has one of the values as its first value.
    """
    if filter_.ids is not None and event.id not in filter_.ids:
        return False
    if filter_.authors is not None and event.pubkey not in filter_.authors:
        return False
    if filter_.kinds is not None and event.kind not in filter_.kinds:
        return False
    if filter_.since is not None and event.created_at < filter_.since:
        return False
    if filter_.until is not None and event.created_at > filter_.until:
        return False
    if filter_.tags:
        for name, values in filter_.tags.items():
            if not any(len(tag) >= 2 and tag[0] == name and tag[1] in values for tag in event.tags):
                return False
    return True


def relay_order_key(event: Event) -> tuple[int, str]:
    """Newest first; on equal `created_at`, the lowest id first (the order NIP-01 asks for)."""
    return (-event.created_at, event.id)


def select(filter_: Filter, events: Iterable[Event]) -> list[Event]:
    """The events a relay returns for one filter: matching, newest first, at most `limit` of them."""
    selected = sorted((event for event in events if matches(filter_, event)), key=relay_order_key)
    if filter_.limit is not None:
        return selected[: max(filter_.limit, 0)]
    return selected


def select_any(filters: Sequence[Filter], events: Sequence[Event]) -> list[Event]:
    """The union of `select` over several filters, each event once, newest first."""
    by_id: dict[str, Event] = {}
    for filter_ in filters:
        for event in select(filter_, events):
            by_id.setdefault(event.id, event)
    return sorted(by_id.values(), key=relay_order_key)


def can_match(filter_: Filter) -> bool:
    """False when the filter provably selects nothing (an empty list condition or `limit` 0)."""
    lists: list[Sequence[object] | None] = [filter_.ids, filter_.authors, filter_.kinds]
    if filter_.tags:
        lists.extend(filter_.tags.values())
    if any(values is not None and len(values) == 0 for values in lists):
        return False
    if filter_.limit is not None and filter_.limit <= 0:
        return False
    return not (filter_.since is not None and filter_.until is not None and filter_.since > filter_.until)
