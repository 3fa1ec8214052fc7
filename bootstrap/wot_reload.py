"""Reloading the Web of Trust seeds in a running service, without a restart and without a look at
DATA_DIR per request.

The seeds are resolved at start-up (`WotContainer.wot_settings`). `nostr-id demo seed` records new
ones, reloads its own container and stores a new random token under `SEEDS_CHANGED_KEY` through the
Cache port; every process of a service sharing that cache (Redis) checks the token once a second
(`watch_wot_seeds`, a resource of the container) and reloads when it moved. `nostr-id serve`
answers SIGHUP by starting fresh workers, which resolve the seeds again.
"""

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable

from bootstrap.wiring.wot import WotContainer, reload_wot_settings
from domain.ports.cache import Cache, CacheUnavailable

logger = logging.getLogger(__name__)

SEEDS_CHANGED_KEY = "wot-seeds:changed"
CHECK_EVERY = 1.0


async def tell_seeds_changed(cache: Cache) -> None:
    """Tells every process sharing the cache that the recorded seeds changed."""
    await cache.set(SEEDS_CHANGED_KEY, secrets.token_hex(8).encode())


async def _token(cache: Cache) -> bytes | None:
    try:
        return await cache.get(SEEDS_CHANGED_KEY)
    except CacheUnavailable:
        return None


async def watch_wot_seeds(
    cache_of: Callable[[], Cache], wot: WotContainer, interval: float, *_lifecycles: object
) -> AsyncIterator[None]:
    """Reloads the seeds when the token moves; `_lifecycles` (the cache's) stop after this one."""
    cache = cache_of()
    seen = await _token(cache)

    async def loop() -> None:
        nonlocal seen
        while True:
            await asyncio.sleep(interval)
            token = await _token(cache)
            if token is not None and token != seen:
                seen = token
                reload_wot_settings(wot)

    task = asyncio.create_task(loop(), name="wot-seeds-watch")
    try:
        yield None
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
