"""Compute an expensive value once and share it, within this process and across processes.

`SharedComputation.get_or_compute(key, ttl, compute)` answers from the cache when it can. On a miss:

- callers in this process that ask for the same key while a computation is running await that one
  computation (one asyncio task per key) instead of starting their own;
- across processes, a short lock (`set_if_absent(key + ":lock")`) lets one process compute while the
  others poll the cache until the value appears. A process that waits longer than `wait_timeout`
  computes by itself; a process that sees the lock released without a value takes the lock itself;
- the result is stored under `key` with `ttl`. A failing computation caches nothing, releases the
  lock and raises the same exception to every caller in the process that shared it;
- when every caller of a running computation has gone (cancelled, or past its own deadline), the
  computation is cancelled: no work runs on that nobody waits for;
- when the cache is unavailable the computation still runs (shared in-process) and its result is
  returned without being stored: a cache outage costs speed, never answers.
"""

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from domain.shared.cache import Cache, CacheUnavailable

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ":lock"

_T = TypeVar("_T")


class _CacheDown(Exception):
    """Raised inside the coordination when a cache call fails, so it is never confused with an
    exception from the computation itself."""


class SharedComputation:
    """Runs each keyed computation once and shares its bytes through the cache."""

    def __init__(self, cache: Cache, *, lock_ttl: float = 15.0, poll_interval: float = 0.05) -> None:
        if lock_ttl <= 0:
            raise ValueError(f"lock_ttl must be positive seconds, got {lock_ttl!r}")
        if poll_interval <= 0:
            raise ValueError(f"poll_interval must be positive seconds, got {poll_interval!r}")
        self._cache = cache
        self._lock_ttl = lock_ttl
        self._poll_interval = poll_interval
        self._in_flight: dict[str, asyncio.Task[bytes]] = {}
        self._waiting: dict[asyncio.Task[bytes], int] = {}

    async def get_or_compute(
        self,
        key: str,
        ttl: float,
        compute: Callable[[], Awaitable[bytes]],
        *,
        wait_timeout: float = 10.0,
    ) -> bytes:
        """Returns the cached bytes for `key`, computing and storing them with `ttl` when absent.

        Callers that join a running computation share its result or its exception; their own
        `compute` is not called. Cancelling one caller does not cancel the shared computation;
        cancelling the last one does, and returns once it has stopped.
        """
        if ttl <= 0:
            raise ValueError(f"ttl must be positive seconds, got {ttl!r}")
        if wait_timeout < 0:
            raise ValueError(f"wait_timeout must not be negative, got {wait_timeout!r}")
        task = self._in_flight.get(key)
        if task is None:
            task = asyncio.create_task(self._resolve(key, ttl, compute, wait_timeout))
            self._in_flight[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        self._waiting[task] = self._waiting.get(task, 0) + 1
        try:
            return await asyncio.shield(task)
        finally:
            left = self._waiting.pop(task) - 1
            if left:
                self._waiting[task] = left
            elif not task.done():
                # Only a cancelled caller leaves before the task is done, and it was the last one.
                task.cancel()
                await asyncio.wait([task])

    def _forget(self, key: str, done: asyncio.Task[bytes]) -> None:
        if self._in_flight.get(key) is done:
            del self._in_flight[key]
        if not done.cancelled():
            # Marks the exception as retrieved even when every caller was cancelled meanwhile.
            done.exception()

    async def _resolve(
        self, key: str, ttl: float, compute: Callable[[], Awaitable[bytes]], wait_timeout: float
    ) -> bytes:
        try:
            return await self._coordinate(key, ttl, compute, wait_timeout)
        except _CacheDown as down:
            logger.warning("cache unavailable, computing %s without it: %s", key, down.__cause__)
            return await self._run(compute)

    async def _coordinate(
        self, key: str, ttl: float, compute: Callable[[], Awaitable[bytes]], wait_timeout: float
    ) -> bytes:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_timeout
        lock_key = key + LOCK_SUFFIX
        token = secrets.token_hex(16).encode()
        while True:
            cached = await _cache_call(self._cache.get(key))
            if cached is not None:
                return cached
            if await _cache_call(self._cache.set_if_absent(lock_key, token, self._lock_ttl)):
                return await self._compute_holding_lock(key, lock_key, token, ttl, compute)
            if loop.time() >= deadline:
                logger.warning("waited %.2fs for %s computed elsewhere; computing it here", wait_timeout, key)
                value = await self._run(compute)
                await self._store(key, value, ttl)
                return value
            await asyncio.sleep(self._poll_interval)

    async def _compute_holding_lock(
        self, key: str, lock_key: str, token: bytes, ttl: float, compute: Callable[[], Awaitable[bytes]]
    ) -> bytes:
        try:
            # Another process may have stored the value between our miss and taking the lock.
            cached = await _cache_call(self._cache.get(key))
            if cached is not None:
                return cached
            value = await self._run(compute)
            await self._store(key, value, ttl)
            return value
        finally:
            await self._release(lock_key, token)

    async def _run(self, compute: Callable[[], Awaitable[bytes]]) -> bytes:
        value = await compute()
        if not isinstance(value, bytes):
            raise TypeError(f"compute must return bytes, got {type(value).__name__}")
        return value

    async def _store(self, key: str, value: bytes, ttl: float) -> None:
        try:
            await self._cache.set(key, value, ttl)
        except CacheUnavailable as error:
            logger.warning("cache unavailable, %s computed but not stored: %s", key, error)

    async def _release(self, lock_key: str, token: bytes) -> None:
        # The port has no compare-and-delete; checking the token first keeps us from releasing a lock
        # that expired and was taken by another process, apart from a narrow race that at worst
        # lets one more process compute the same value.
        try:
            if await self._cache.get(lock_key) == token:
                await self._cache.delete(lock_key)
        except CacheUnavailable as error:
            logger.warning("cache unavailable, lock %s left to expire: %s", lock_key, error)


async def _cache_call(call: Awaitable[_T]) -> _T:
    try:
        return await call
    except CacheUnavailable as error:
        raise _CacheDown(str(error)) from error
