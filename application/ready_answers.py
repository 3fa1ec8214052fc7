"""Ready answers for hot reads: this process's memory in front of the Cache port.

Values are stored in the Cache with the generation they were built under. Every invalidation
deletes the key and increments one generation counter in the Cache; each process reads that
counter at most every `sync_interval` seconds and forgets its memory when it moved, and an entry
built under an older generation is never served. So every process stops serving a changed answer
within `sync_interval` of the change, and an answer built from data read before a change (and
stored after it) is never served. When the Cache is unreachable, nothing cached is trusted:
callers read their source of truth until the counter can be read again.
"""

import struct
import time

from domain.ports.cache import Cache, CacheUnavailable

GENERATION_KEY = "ready-answers:generation"
_HEADER = struct.Struct(">qd")  # generation, expiry (seconds since the epoch)


class ReadyAnswers:
    def __init__(
        self,
        cache: Cache,
        *,
        prefix: str = "ready-answers:",
        sync_interval: float = 0.5,
        max_entries: int = 100_000,
    ) -> None:
        self._cache = cache
        self._prefix = prefix
        self._sync_interval = sync_interval
        self._max_entries = max_entries
        self._local: dict[str, tuple[bytes, float]] = {}
        self._generation: int | None = None
        self._synced_at = float("-inf")
        self._pending: set[str] = set()

    def peek(self, key: str) -> bytes | None:
        if time.monotonic() - self._synced_at > self._sync_interval:
            return None
        entry = self._local.get(key)
        if entry is None or entry[1] <= time.time():
            return None
        return entry[0]

    async def get(self, key: str) -> bytes | None:
        if not await self._sync():
            return None
        if (value := self.peek(key)) is not None:
            return value
        try:
            raw = await self._cache.get(self._prefix + key)
        except CacheUnavailable:
            self._untrust()
            return None
        if raw is None or len(raw) < _HEADER.size:
            return None
        generation, expires_at = _HEADER.unpack_from(raw)
        if generation != self._generation or expires_at <= time.time():
            return None
        value = raw[_HEADER.size :]
        self._remember(key, value, expires_at)
        return value

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        """Stores an answer built after the last `get`; kept only if nothing was invalidated since."""
        generation = self._generation
        if generation is None:
            return
        expires_at = time.time() + ttl
        try:
            await self._cache.set(self._prefix + key, _HEADER.pack(generation, expires_at) + value, ttl)
        except CacheUnavailable:
            self._untrust()
            return
        self._remember(key, value, expires_at)

    async def invalidate(self, key: str) -> None:
        """Forgets the answer here and, through the Cache, in every process. When the Cache cannot
        be told, this process trusts nothing cached until it has told it (on a later sync)."""
        self._local.pop(key, None)
        self._pending.add(key)
        self._synced_at = float("-inf")
        await self._sync()

    async def _flush_pending(self) -> None:
        for key in list(self._pending):
            await self._cache.delete(self._prefix + key)
            self._pending.discard(key)
        await self._cache.increment(GENERATION_KEY)

    async def _sync(self) -> bool:
        if time.monotonic() - self._synced_at <= self._sync_interval:
            return True
        try:
            if self._pending:
                await self._flush_pending()
            raw = await self._cache.get(GENERATION_KEY)
        except CacheUnavailable:
            self._untrust()
            return False
        generation = int(raw) if raw is not None else 0
        if generation != self._generation:
            self._local.clear()
            self._generation = generation
        self._synced_at = time.monotonic()
        return True

    def _untrust(self) -> None:
        self._local.clear()
        self._generation = None
        self._synced_at = float("-inf")

    def _remember(self, key: str, value: bytes, expires_at: float) -> None:
        if len(self._local) >= self._max_entries:
            self._local.clear()
        self._local[key] = (value, expires_at)
