"""The relay port: the only way the core reads Nostr data."""

from collections.abc import Sequence
from typing import Protocol

from domain.nostr.event import Event, Filter
from domain.shared.errors import DependencyUnavailable


class RelayUnavailable(DependencyUnavailable):
    """No relay answered the query within its deadline."""


class RelayPort(Protocol):
    """Reads (and, for seeding, writes) Nostr events on the configured relays.

    Every event returned has had its id recomputed and its signature verified, and appears once.
    """

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        """Events matching any of the filters, verified and deduplicated by id."""
        ...

    async def count(self, filters: Sequence[Filter]) -> int | None:
        """NIP-45 count of events matching the filters, or None when no relay supports COUNT."""
        ...

    async def latest_replaceable(self, authors: Sequence[str], kind: int) -> dict[str, Event]:
        """The newest event of a replaceable kind per author (ties: lowest id wins)."""
        ...

    async def publish(self, events: Sequence[Event]) -> int:
        """Sends events to the relays; returns how many at least one relay accepted."""
        ...

    async def ping(self) -> None:
        """Returns when at least one relay is reachable; raises RelayUnavailable otherwise."""
        ...


class EventPublisher(Protocol):
    """Sends one event to relays named by someone else (a zap request's, a kind-10050 list's), each
    within a deadline."""

    async def publish(self, relays: Sequence[str], event: Event) -> int:
        """Sends the event to each relay; returns how many accepted it."""
        ...
