"""An in-memory relay with the same filter semantics as a real one, for tests and embedding."""

from collections.abc import Iterable, Sequence

from domain.nostr.event import Event, Filter
from domain.nostr.filters import matches, select_any
from domain.nostr.replaceable import address_of, is_ephemeral, latest_per_author, supersedes
from domain.nostr.signing import verify_event


class MemoryRelay:
    """RelayPort over a list of events held in memory.

    Stores like a relay does: invalid events are rejected, ephemeral kinds are not kept, and a
    replaceable or addressable event replaces the older one in its slot.
    """

    def __init__(self, events: Iterable[Event] = ()) -> None:
        self._by_id: dict[str, Event] = {}
        self._by_address: dict[tuple[int, str, str], Event] = {}
        self.rejected = 0
        for event in events:
            self._store(event)

    @property
    def events(self) -> list[Event]:
        return list(self._by_id.values())

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        return select_any(filters, list(self._by_id.values()))

    async def count(self, filters: Sequence[Filter]) -> int | None:
        return sum(1 for event in self._by_id.values() if any(matches(f, event) for f in filters))

    async def latest_replaceable(self, authors: Sequence[str], kind: int) -> dict[str, Event]:
        wanted = set(authors)
        return latest_per_author((event for event in self._by_id.values() if event.pubkey in wanted), kind)

    async def publish(self, events: Sequence[Event]) -> int:
        return sum(1 for event in events if self._store(event))

    async def ping(self) -> None:
        return None

    def _store(self, event: Event) -> bool:
        if not verify_event(event):
            self.rejected += 1
            return False
        if event.id in self._by_id:
            return True
        if is_ephemeral(event.kind):
            return True
        address = address_of(event)
        if address is not None:
            current = self._by_address.get(address)
            if current is not None:
                if not supersedes(event, current):
                    return True
                del self._by_id[current.id]
            self._by_address[address] = event
        self._by_id[event.id] = event
        return True
