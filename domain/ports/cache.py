"""The cache port: short-lived shared state (query results, locks, counters, replay guards)."""

from typing import Protocol

from domain.errors import DependencyUnavailable


class CacheUnavailable(DependencyUnavailable):
    """The cache could not be reached."""


class Cache(Protocol):
    """A key/value store of bytes with expiry. Keys are plain strings; TTLs are seconds.

    Every adapter has the same semantics: a key past its TTL is absent; `set_if_absent` and
    `increment` are atomic across every process sharing the cache. Failures raise CacheUnavailable.
    A TTL is a positive finite number of seconds kept to the millisecond (None: no expiry); any
    other TTL raises ValueError, and a value that is not bytes raises TypeError.
    """

    async def get(self, key: str) -> bytes | None: ...

    async def get_many(self, keys: list[str]) -> list[bytes | None]: ...

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None: ...

    async def delete(self, key: str) -> bool:
        """Removes the key; True when it existed."""
        ...

    async def set_if_absent(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        """Stores the value only when the key is absent; True when it was stored."""
        ...

    async def increment(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Adds to an integer counter (absent counts as 0) and returns the new value.

        The TTL is set when the increment creates the key and left alone otherwise. Raises
        ValueError when the stored value is not a 64-bit integer or the total would leave that range.
        """
        ...

    async def ttl(self, key: str) -> float | None:
        """Seconds left before the key expires; None when it is absent or never expires."""
        ...

    async def ping(self) -> None:
        """Returns when the cache answers; raises CacheUnavailable otherwise."""
        ...

    async def close(self) -> None: ...
