"""The trust neighbourhood, built once per TTL and shared by every request and every process.

The packed neighbourhood lives in the cache under a data key (kept for TTL + stale window) next to
a small stamp key (its `built_at`), so a process only decodes it when another process built a
newer one. A marker key that lives for one TTL says "fresh"; when it is gone the next request
starts one rebuild (single flight here and across processes through SharedComputation) and, while
it runs, requests keep using the previous neighbourhood as long as it is within the stale window.
"""

import asyncio
import logging

from application.shared_computation import SharedComputation
from application.wot.calculator import WotCalculator
from domain.shared.cache import Cache, CacheUnavailable
from domain.shared.clock import Clock
from domain.shared.errors import DependencyUnavailable
from domain.wot.neighbourhood import Neighbourhood
from domain.wot.settings import WotSettings

logger = logging.getLogger(__name__)


class NeighbourhoodUnavailable(DependencyUnavailable):
    """No usable trust neighbourhood: none built yet, or the relays could not answer in time."""


class SharedNeighbourhood:
    """Hands out the current trust neighbourhood; one instance per process (it keeps the decoded one)."""

    def __init__(self, calculator: WotCalculator, cache: Cache, clock: Clock, settings: WotSettings) -> None:
        self._calculator = calculator
        self._cache = cache
        self._clock = clock
        self._damping = settings.damping
        self._ttl = settings.cache_ttl
        self._keep_for = settings.cache_ttl + settings.stale_for
        self._request_deadline = settings.request_deadline
        self._build_deadline = settings.build_deadline
        prefix = f"wot:neighbourhood:{settings.fingerprint()}"
        self._data_key = f"{prefix}:data"
        self._stamp_key = f"{prefix}:built_at"
        self._fresh_key = f"{prefix}:fresh"
        self._shared = SharedComputation(cache, lock_ttl=settings.build_deadline + 5)
        self._current: Neighbourhood | None = None
        self._refresh: asyncio.Task[None] | None = None
        self._next_attempt = 0.0

    async def get(self) -> Neighbourhood:
        """The freshest neighbourhood at hand, or one within the stale window while a rebuild runs.

        Raises NeighbourhoodUnavailable when neither exists and no rebuild finishes within the
        request deadline (the rebuild goes on for later requests).
        """
        if self._is_fresh(self._current):
            return self._require(self._current)
        await self._adopt_newer_from_cache()
        if self._is_fresh(self._current):
            return self._require(self._current)
        refresh = self._start_refresh()
        if self._is_usable(self._current):
            return self._require(self._current)
        try:
            async with asyncio.timeout(self._request_deadline):
                await asyncio.shield(refresh)
        except TimeoutError:
            raise NeighbourhoodUnavailable(
                "the trust neighbourhood is still being built from the relays",
                retry_after=self._retry_after(),
            ) from None
        except DependencyUnavailable as error:
            raise NeighbourhoodUnavailable(f"the trust neighbourhood could not be built: {error}") from error
        return self._require(self._current)

    async def ready(self, wait_for: float) -> Neighbourhood:
        """A fresh neighbourhood, waiting up to `wait_for` seconds for a rebuild when needed."""
        if not self._is_fresh(self._current):
            await self._adopt_newer_from_cache()
        if not self._is_fresh(self._current):
            try:
                async with asyncio.timeout(wait_for):
                    await asyncio.shield(self._start_refresh(force=True))
            except TimeoutError:
                raise NeighbourhoodUnavailable(
                    f"the trust neighbourhood was not built within {wait_for:g} s",
                    retry_after=self._retry_after(),
                ) from None
        return self._require(self._current)

    def _start_refresh(self, *, force: bool = False) -> asyncio.Task[None]:
        now = self._clock.now().timestamp()
        if self._refresh is None or (self._refresh.done() and (force or now >= self._next_attempt)):
            # A failed rebuild is not retried by every request: at most once per back-off period.
            self._next_attempt = now + min(30.0, self._ttl / 10)
            self._refresh = asyncio.create_task(self._run_refresh())
            self._refresh.add_done_callback(_consume_failure)
        return self._refresh

    async def _run_refresh(self) -> None:
        stamp = await self._shared.get_or_compute(
            self._fresh_key, self._ttl, self._build_and_store, wait_timeout=self._build_deadline
        )
        if self._current is None or str(self._current.built_at).encode() != stamp:
            await self._adopt_newer_from_cache()

    async def _build_and_store(self) -> bytes:
        try:
            async with asyncio.timeout(self._build_deadline):
                built = await self._calculator.build_neighbourhood(self._clock.now())
        except TimeoutError:
            raise DependencyUnavailable("the relays did not answer within the build deadline") from None
        self._current = built
        stamp = str(built.built_at).encode()
        try:
            await self._cache.set(self._data_key, built.to_bytes(), self._keep_for)
            await self._cache.set(self._stamp_key, stamp, self._keep_for)
        except CacheUnavailable as error:
            logger.warning("cache unavailable, trust neighbourhood kept in this process only: %s", error)
        return stamp

    async def _adopt_newer_from_cache(self) -> None:
        try:
            stamp = await self._cache.get(self._stamp_key)
            if stamp is None or (self._current is not None and int(stamp) <= self._current.built_at):
                return
            data = await self._cache.get(self._data_key)
        except CacheUnavailable as error:
            logger.warning("cache unavailable, using this process's trust neighbourhood: %s", error)
            return
        if data is not None:
            self._current = Neighbourhood.from_bytes(data, self._damping)

    def _age(self, neighbourhood: Neighbourhood) -> float:
        return self._clock.now().timestamp() - neighbourhood.built_at

    def _is_fresh(self, neighbourhood: Neighbourhood | None) -> bool:
        return neighbourhood is not None and self._age(neighbourhood) < self._ttl

    def _is_usable(self, neighbourhood: Neighbourhood | None) -> bool:
        return neighbourhood is not None and self._age(neighbourhood) < self._keep_for

    def _retry_after(self) -> int:
        return max(1, int(min(self._build_deadline, 30)))

    @staticmethod
    def _require(neighbourhood: Neighbourhood | None) -> Neighbourhood:
        if neighbourhood is None:
            raise NeighbourhoodUnavailable("no trust neighbourhood has been built yet")
        return neighbourhood


def _consume_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("trust neighbourhood rebuild failed: %s", task.exception())
