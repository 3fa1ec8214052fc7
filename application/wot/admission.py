"""Admission of cold score computations, one gate per process.

At most `capacity` computations run at once; the others queue. A computation that would wait in
the queue past the caller's deadline is refused at once (`Overloaded`, with a Retry-After from the
same estimate) instead of waiting the deadline out: under overload the answer comes early, and the
computations admitted still finish in time. The wait is estimated from the running mean time of
recent computations.
"""

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from domain.shared.errors import DependencyUnavailable

_T = TypeVar("_T")

# Weight of the latest computation in the running mean of computation times.
SMOOTHING = 0.2


class Overloaded(DependencyUnavailable):
    """Too many computations are queued to start this one within its deadline."""


class ComputeAdmission:
    """Bounds the cold computations in flight and refuses those that could not start in time."""

    def __init__(self, capacity: int, *, typical_seconds: float = 0.5) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        if typical_seconds <= 0:
            raise ValueError(f"typical_seconds must be positive, got {typical_seconds!r}")
        self._capacity = capacity
        self._slots = asyncio.Semaphore(capacity)
        self._admitted = 0  # running or queued
        self._mean = typical_seconds

    @property
    def in_flight(self) -> int:
        """Computations admitted and not finished (running or queued)."""
        return self._admitted

    def expected_wait(self) -> float:
        """Seconds a computation admitted now would queue before it starts."""
        ahead = self._admitted - self._capacity + 1
        if ahead <= 0:
            return 0.0
        return math.ceil(ahead / self._capacity) * self._mean

    async def run(self, compute: Callable[[], Awaitable[_T]], *, deadline: float) -> _T:
        """Runs `compute` in a slot, or raises Overloaded at once if it could not start within `deadline`."""
        async with self._slot(deadline):
            return await compute()

    @asynccontextmanager
    async def _slot(self, deadline: float) -> AsyncIterator[None]:
        wait = self.expected_wait()
        if wait >= deadline:
            raise Overloaded(
                f"{self._admitted} score computations are in flight; this one could not start in time",
                retry_after=max(1, math.ceil(wait)),
            )
        self._admitted += 1
        try:
            async with self._slots:
                loop = asyncio.get_running_loop()
                started = loop.time()
                try:
                    yield
                finally:
                    took = loop.time() - started
                    self._mean += SMOOTHING * (took - self._mean)
        finally:
            self._admitted -= 1
