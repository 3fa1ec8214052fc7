"""The Cache port held in this process's memory: same semantics as Redis, for one process.

Expiry is judged by the injected Clock, so tests freeze time at the boundaries. Expired keys leave
lazily when read and eagerly on every call through a heap ordered by expiry time, so memory follows
the live keys. `max_entries` bounds it: a new key beyond the bound evicts the key closest to expiry,
or the oldest key when none expires (as Redis does under its `volatile-ttl` policy).
"""

import heapq
import logging
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from adapters.cache.expiry import (
    MAX_COUNTER,
    MIN_COUNTER,
    check_amount,
    check_field,
    rate_interval,
    ttl_milliseconds,
)
from domain.shared.cache import RateDecision
from domain.shared.clock import Clock, SystemClock

logger = logging.getLogger(__name__)

_INTEGER = re.compile(rb"0|-?[1-9][0-9]*")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class _Entry(NamedTuple):
    value: bytes
    expires_at: datetime | None


class MemoryCache:
    """In-process Cache adapter; atomic under asyncio and across threads of one process."""

    def __init__(self, clock: Clock | None = None, *, max_entries: int = 100_000) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries!r}")
        self._clock = clock or SystemClock()
        self._max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._expiries: list[tuple[datetime, str]] = []
        # Every method runs without awaiting while holding this lock, so each is one atomic step.
        self._lock = threading.Lock()
        self._evictions = 0
        # Counter groups (Redis hashes): they never expire and leave only through claims.
        self._groups: dict[str, dict[str, int]] = {}
        self._claim_tokens: dict[str, str] = {}

    def __len__(self) -> int:
        with self._lock:
            self._purge(self._clock.now())
            return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._live(key, self._clock.now())
            return None if entry is None else entry.value

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        with self._lock:
            now = self._clock.now()
            entries = [self._live(key, now) for key in keys]
            return [None if entry is None else entry.value for entry in entries]

    async def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        _check_value(value)
        with self._lock:
            now = self._clock.now()
            self._purge(now)
            self._put(key, value, _expiry(now, ttl))

    async def delete(self, key: str) -> bool:
        with self._lock:
            existed = self._live(key, self._clock.now()) is not None
            self._entries.pop(key, None)
            if self._groups.pop(key, None) is not None:
                existed = True
                self._claim_tokens.pop(key, None)
            return existed

    async def set_if_absent(self, key: str, value: bytes, ttl: float | None = None) -> bool:
        _check_value(value)
        with self._lock:
            now = self._clock.now()
            expires_at = _expiry(now, ttl)
            if self._live(key, now) is not None:
                return False
            self._put(key, value, expires_at)
            return True

    async def increment(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        check_amount(amount)
        with self._lock:
            now = self._clock.now()
            expires_at = _expiry(now, ttl)
            entry = self._live(key, now)
            if entry is None:
                self._put(key, str(amount).encode(), expires_at)
                return amount
            total = _counter(entry.value) + amount
            if not MIN_COUNTER <= total <= MAX_COUNTER:
                raise ValueError(f"increment of {key!r} would overflow the 64-bit counter range")
            self._entries[key] = _Entry(str(total).encode(), entry.expires_at)
            return total

    async def ttl(self, key: str) -> float | None:
        with self._lock:
            now = self._clock.now()
            entry = self._live(key, now)
            if entry is None or entry.expires_at is None:
                return None
            microseconds = (entry.expires_at - now) // timedelta(microseconds=1)
            return -(-microseconds // 1000) / 1000

    async def acquire_rate(self, key: str, limit: int, period: float) -> RateDecision:
        interval = rate_interval(limit, period)
        tolerance = interval * limit
        with self._lock:
            now_dt = self._clock.now()
            now = (now_dt - _EPOCH) // _MICROSECOND
            entry = self._live(key, now_dt)
            tat = max(int(entry.value), now) if entry is not None else now
            new_tat = tat + interval
            allow_at = new_tat - tolerance
            if now < allow_at:
                return RateDecision(
                    allowed=False,
                    limit=limit,
                    remaining=0,
                    retry_after=(allow_at - now) / 1e6,
                    reset_after=(tat - now) / 1e6,
                )
            expires_at = now_dt + timedelta(milliseconds=-(-(new_tat - now) // 1000))
            self._put(key, str(new_tat).encode(), expires_at)
            return RateDecision(
                allowed=True,
                limit=limit,
                remaining=(now - allow_at) // interval,
                retry_after=0.0,
                reset_after=(new_tat - now) / 1e6,
            )

    async def increment_field(self, key: str, field: str, amount: int = 1) -> int:
        check_field(field)
        check_amount(amount)
        with self._lock:
            group = self._groups.setdefault(key, {})
            total = group.get(field, 0) + amount
            if not MIN_COUNTER <= total <= MAX_COUNTER:
                raise ValueError(f"increment of {key!r} would overflow the 64-bit counter range")
            group[field] = total
            return total

    async def claim_fields(self, key: str, claim_key: str, token: str) -> tuple[str, dict[str, int]] | None:
        with self._lock:
            if claim_key in self._groups:
                return self._claim_tokens[claim_key], dict(self._groups[claim_key])
            group = self._groups.pop(key, None)
            if group is None:
                return None
            self._groups[claim_key] = group
            self._claim_tokens[claim_key] = token
            return token, dict(group)

    async def release_claim(self, claim_key: str, token: str) -> bool:
        with self._lock:
            if self._claim_tokens.get(claim_key) != token:
                return False
            del self._claim_tokens[claim_key]
            del self._groups[claim_key]
            return True

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        with self._lock:
            self._entries.clear()
            self._expiries.clear()
            self._groups.clear()
            self._claim_tokens.clear()

    def _live(self, key: str, now: datetime) -> _Entry | None:
        self._purge(now)
        return self._entries.get(key)

    def _purge(self, now: datetime) -> None:
        expiries = self._expiries
        while expiries and expiries[0][0] <= now:
            expires_at, key = heapq.heappop(expiries)
            entry = self._entries.get(key)
            # The heap keeps stale times for keys that were since overwritten; only a match counts.
            if entry is not None and entry.expires_at == expires_at:
                del self._entries[key]

    def _put(self, key: str, value: bytes, expires_at: datetime | None) -> None:
        if key not in self._entries and len(self._entries) >= self._max_entries:
            self._evict_one()
        self._entries[key] = _Entry(value, expires_at)
        if expires_at is not None:
            heapq.heappush(self._expiries, (expires_at, key))
            if len(self._expiries) > 2 * len(self._entries) + 1024:
                self._compact()

    def _evict_one(self) -> None:
        self._evictions += 1
        if self._evictions == 1:
            logger.warning(
                "memory cache full at %d entries; evicting the keys nearest expiry", self._max_entries
            )
        while self._expiries:
            expires_at, key = heapq.heappop(self._expiries)
            entry = self._entries.get(key)
            if entry is not None and entry.expires_at == expires_at:
                del self._entries[key]
                return
        del self._entries[next(iter(self._entries))]

    def _compact(self) -> None:
        self._expiries = [
            (entry.expires_at, key) for key, entry in self._entries.items() if entry.expires_at is not None
        ]
        heapq.heapify(self._expiries)


def _expiry(now: datetime, ttl: float | None) -> datetime | None:
    if ttl is None:
        return None
    return now + timedelta(milliseconds=ttl_milliseconds(ttl))


def _check_value(value: bytes) -> None:
    if not isinstance(value, bytes):
        raise TypeError(f"cache values are bytes, got {type(value).__name__}")


def _counter(value: bytes) -> int:
    if _INTEGER.fullmatch(value) is None:
        raise ValueError("value is not an integer counter")
    number = int(value)
    if not MIN_COUNTER <= number <= MAX_COUNTER:
        raise ValueError("value is not an integer counter")
    return number
