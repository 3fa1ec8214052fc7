"""Test doubles of the relay port for Web of Trust tests, built around the real MemoryRelay."""

import asyncio
from collections import Counter
from collections.abc import Sequence

from adapters.relay.memory_relay import MemoryRelay
from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayUnavailable
from domain.nostr.signing import sign_event


class ControllableRelay:
    """A MemoryRelay that can be switched down or slow, can refuse COUNT, and counts its calls."""

    def __init__(self, events: Sequence[Event] = (), *, supports_count: bool = True) -> None:
        self.store = MemoryRelay(events)
        self.supports_count = supports_count
        self.mode = "up"
        self.calls: Counter[str] = Counter()
        self.released = asyncio.Event()

    async def _gate(self, name: str) -> None:
        self.calls[name] += 1
        if self.mode == "down":
            raise RelayUnavailable("every relay is down")
        if self.mode == "slow":
            await self.released.wait()

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        await self._gate("query")
        return await self.store.query(filters)

    async def count(self, filters: Sequence[Filter]) -> int | None:
        await self._gate("count")
        return await self.store.count(filters) if self.supports_count else None

    async def latest_replaceable(self, authors: Sequence[str], kind: int) -> dict[str, Event]:
        await self._gate("latest_replaceable")
        return await self.store.latest_replaceable(authors, kind)

    def recover(self) -> None:
        """Back up; calls held by slow mode go on."""
        self.mode = "up"
        self.released.set()

    async def publish(self, events: Sequence[Event]) -> int:
        return await self.store.publish(events)

    async def ping(self) -> None:
        await self._gate("ping")


def contacts(secret: str, followed: Sequence[str], created_at: int, extra: Sequence[list[str]] = ()) -> Event:
    tags = [["p", pubkey] for pubkey in followed] + [list(tag) for tag in extra]
    return sign_event(secret, kind=3, tags=tags, content="", created_at=created_at)


def profile(secret: str, created_at: int) -> Event:
    return sign_event(secret, kind=0, tags=[], content='{"name":"someone"}', created_at=created_at)


def note(secret: str, created_at: int) -> Event:
    return sign_event(secret, kind=1, tags=[], content="hello", created_at=created_at)
