"""Wiring of rate limits and usage metering: policies from settings, and the periodic flush."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from prometheus_client import CollectorRegistry, Gauge

from application.api_keys.metering import HeldUsage
from application.rate_limits import RatePolicies, RatePolicy
from bootstrap.settings import Settings
from domain.shared.cache import CacheUnavailable

log = logging.getLogger(__name__)
MINUTE = 60.0


def rate_policies(settings: Settings) -> RatePolicies:
    return RatePolicies(
        api_key=RatePolicy(name="key", limit=settings.rate_limit_api_key, period=MINUTE),
        anonymous=RatePolicy(name="ip", limit=settings.rate_limit_anonymous, period=MINUTE),
        sign_in=RatePolicy(name="sign-in", limit=settings.rate_limit_sign_in, period=MINUTE),
    )


class UsageFlushMetrics:
    """What the alerting rules read of the flusher: when it last went through, and what it holds."""

    def __init__(self, registry: CollectorRegistry, held: HeldUsage) -> None:
        self._held = held
        # With several workers the oldest counts: the process furthest behind.
        self.last_flush = Gauge(
            "nostr_id_usage_last_flush_timestamp_seconds",
            "When this process last flushed API key usage completely (Unix time)",
            registry=registry,
            multiprocess_mode="livemin",
        )
        self.held_uses = Gauge(
            "nostr_id_usage_held",
            "API key uses held in the process because the cache could not take them",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.last_flush.set_to_current_time()

    def flushed(self, completely: bool) -> None:
        self.held_uses.set(len(self._held))
        if completely:
            self.last_flush.set_to_current_time()


async def _flush_quietly(flush: Callable[[], Awaitable[int]]) -> bool:
    """Whether the flush went through completely."""
    try:
        added = await flush()
        if added:
            log.debug("flushed %d API key uses", added)
    except CacheUnavailable as error:
        # Uses held in the process were added; those in the cache wait for it to answer again.
        log.warning("flushing API key usage from the cache failed, retried on the next flush: %s", error)
        return False
    except Exception:
        # The counts stay claimed in the cache; the next flush adds them.
        log.exception("flushing API key usage failed; it is retried on the next flush")
        return False
    return True


async def run_usage_flusher(
    flush: Callable[[], Callable[[], Awaitable[int]]],
    interval: float,
    metrics: UsageFlushMetrics,
    *_lifecycles: object,
) -> AsyncIterator[None]:
    """Flushes usage every `interval` seconds while the app runs, and once more when it stops.

    `_lifecycles` are the cache and database resources, passed so they are shut down after this one.
    """

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            metrics.flushed(await _flush_quietly(flush()))

    task = asyncio.create_task(loop(), name="usage-flusher")
    try:
        yield None
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        metrics.flushed(await _flush_quietly(flush()))
