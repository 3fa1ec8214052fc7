"""Wiring of rate limits and usage metering: policies from settings, and the periodic flush."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

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


async def _flush_quietly(flush: Callable[[], Awaitable[int]]) -> None:
    try:
        added = await flush()
        if added:
            log.debug("flushed %d API key uses", added)
    except CacheUnavailable as error:
        # Uses held in the process were added; those in the cache wait for it to answer again.
        log.warning("flushing API key usage from the cache failed, retried on the next flush: %s", error)
    except Exception:
        # The counts stay claimed in the cache; the next flush adds them.
        log.exception("flushing API key usage failed; it is retried on the next flush")


async def run_usage_flusher(
    flush: Callable[[], Callable[[], Awaitable[int]]], interval: float, *_lifecycles: object
) -> AsyncIterator[None]:
    """Flushes usage every `interval` seconds while the app runs, and once more when it stops.

    `_lifecycles` are the cache and database resources, passed so they are shut down after this one.
    """

    async def loop() -> None:
        while True:
            await asyncio.sleep(interval)
            await _flush_quietly(flush())

    task = asyncio.create_task(loop(), name="usage-flusher")
    try:
        yield None
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await _flush_quietly(flush())
