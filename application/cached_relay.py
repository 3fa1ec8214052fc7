"""Relay reads cached for a short time, with concurrent identical reads sharing one round trip."""

import hashlib
from collections.abc import Awaitable, Callable, Sequence

import msgspec

from application.shared_computation import SharedComputation
from domain.nostr.event import Event, Filter
from domain.nostr.ports import RelayPort
from domain.nostr.replaceable import latest_per_author
from domain.shared.cache import Cache

_MIB = 1024 * 1024


class _TooLargeToCache(Exception):
    """Carries a result out of the shared computation so it is shared in-process but not stored."""

    def __init__(self, payload: bytes) -> None:
        super().__init__("result too large to cache")
        self.payload = payload


def canonical_filters(filters: Sequence[Filter]) -> bytes:
    """The same bytes for any filters that select the same events by the same rules: lists sorted
    and deduplicated, empty tag maps dropped, filters sorted and deduplicated."""
    encoder = msgspec.json.Encoder(order="sorted")
    normalized = {encoder.encode(_normalized(filter_)) for filter_ in filters}
    return b"[" + b",".join(sorted(normalized)) + b"]"


def _normalized(filter_: Filter) -> Filter:
    tags = {name: tuple(sorted(set(values))) for name, values in (filter_.tags or {}).items()}
    return Filter(
        ids=_sorted(filter_.ids),
        authors=_sorted(filter_.authors),
        kinds=tuple(sorted(set(filter_.kinds))) if filter_.kinds is not None else None,
        tags=tags or None,
        since=filter_.since,
        until=filter_.until,
        limit=filter_.limit,
    )


def _sorted(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return tuple(sorted(set(values))) if values is not None else None


class CachedRelay:
    """A RelayPort that answers `query`, `count` and `latest_replaceable` from the cache for `ttl`
    seconds. Keys are a hash of the canonical filters. Writes go straight to the inner relay and do
    not invalidate: a read may be up to `ttl` seconds old. Results over `max_cached_bytes` are shared
    by concurrent callers but not stored.
    """

    def __init__(
        self,
        inner: RelayPort,
        cache: Cache,
        ttl: float,
        *,
        shared: SharedComputation | None = None,
        key_prefix: str = "relay:",
        max_cached_bytes: int = 16 * _MIB,
    ) -> None:
        if ttl <= 0:
            raise ValueError(f"ttl must be positive seconds, got {ttl!r}")
        self._inner = inner
        self._ttl = ttl
        self._shared = shared or SharedComputation(cache)
        self._prefix = key_prefix
        self._max_cached_bytes = max_cached_bytes
        self._events = msgspec.json.Decoder(list[Event])
        self._count = msgspec.json.Decoder(int | None)

    async def query(self, filters: Sequence[Filter]) -> list[Event]:
        async def fetch() -> bytes:
            return msgspec.json.encode(await self._inner.query(filters))

        return self._events.decode(await self._shared_bytes("query", filters, fetch))

    async def count(self, filters: Sequence[Filter]) -> int | None:
        async def fetch() -> bytes:
            return msgspec.json.encode(await self._inner.count(filters))

        return self._count.decode(await self._shared_bytes("count", filters, fetch))

    async def latest_replaceable(self, authors: Sequence[str], kind: int) -> dict[str, Event]:
        unique = tuple(dict.fromkeys(authors))
        if not unique:
            return {}
        return latest_per_author(await self.query([Filter(authors=unique, kinds=(kind,))]), kind)

    async def publish(self, events: Sequence[Event]) -> int:
        return await self._inner.publish(events)

    async def ping(self) -> None:
        await self._inner.ping()

    async def _shared_bytes(
        self, what: str, filters: Sequence[Filter], fetch: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        key = f"{self._prefix}{what}:{hashlib.sha256(canonical_filters(filters)).hexdigest()}"

        async def compute() -> bytes:
            payload = await fetch()
            if len(payload) > self._max_cached_bytes:
                raise _TooLargeToCache(payload)
            return payload

        try:
            return await self._shared.get_or_compute(key, self._ttl, compute)
        except _TooLargeToCache as large:
            return large.payload
