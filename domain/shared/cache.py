"""The cache port: short-lived shared state (query results, locks, counters, replay guards)."""

from typing import Protocol

from msgspec import Struct

from domain.shared.errors import DependencyUnavailable


class CacheUnavailable(DependencyUnavailable):
    """The cache could not be reached."""


class RateDecision(Struct, frozen=True, kw_only=True):
    """The answer of one rate-limited attempt (GCRA): whether it passed and the figures for headers.

    `retry_after` is the seconds until one more attempt would pass (0 when this one passed);
    `reset_after` the seconds until the whole quota is available again.
    """

    allowed: bool
    limit: int
    remaining: int
    retry_after: float
    reset_after: float


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

    async def acquire_rate(self, key: str, limit: int, period: float) -> RateDecision:
        """One attempt against a limit of `limit` per `period` seconds under the key (GCRA).

        Checking and recording are one atomic step across every process: of any number of
        concurrent attempts on a fresh key at one instant, exactly `limit` pass. A burst of
        `limit` is allowed; after that one attempt passes every `period / limit` seconds.
        """
        ...

    async def increment_field(self, key: str, field: str, amount: int = 1) -> int:
        """Adds to the integer counter `field` of the counter group `key` and returns its new value.

        Field names are non-empty. Groups never expire; they leave through `claim_fields`.
        """
        ...

    async def claim_fields(self, key: str, claim_key: str, token: str) -> tuple[str, dict[str, int]] | None:
        """Moves the whole counter group `key` to `claim_key` in one atomic step, marked with `token`.

        When `claim_key` still holds an earlier claim (its holder never released it), that claim is
        answered instead, with its own token, and `key` is left alone. None when there is nothing
        to claim. Counts added to `key` after the move start a new group.
        """
        ...

    async def release_claim(self, claim_key: str, token: str) -> bool:
        """Deletes the claim only when it is still marked with `token`; True when it was deleted."""
        ...

    async def ping(self) -> None:
        """Returns when the cache answers; raises CacheUnavailable otherwise."""
        ...

    async def close(self) -> None: ...
