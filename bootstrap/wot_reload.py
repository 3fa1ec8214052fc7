"""Reloading the Web of Trust seeds in a running service, without a restart and without a look at
DATA_DIR per request.

The seeds are resolved at start-up (`WotContainer.wot_settings`). `nostr-id demo seed` records new
ones, reloads its own container and stores a new random token under `SEEDS_CHANGED_KEY` through the
Cache port; every process of a service sharing that cache (Redis) checks the token once a second
(`watch_wot_seeds`, a resource of the container) and reloads when it moved. `nostr-id serve`
answers SIGHUP by starting fresh workers, which resolve the seeds again; it writes its process id
to `DATA_DIR/serve.pid` while it runs, and `demo seed` on the same DATA_DIR sends it SIGHUP, so a
service with the in-process cache takes the seeds too.
"""

import asyncio
import contextlib
import logging
import os
import secrets
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

from bootstrap.wiring.wot import WotContainer, reload_wot_settings
from domain.shared.cache import Cache, CacheUnavailable

logger = logging.getLogger(__name__)

SEEDS_CHANGED_KEY = "wot-seeds:changed"
CHECK_EVERY = 1.0
SERVE_PID_FILE = "serve.pid"


@contextlib.contextmanager
def serving_pid(data_dir: Path) -> Iterator[None]:
    """Records this process as the `nostr-id serve` of DATA_DIR while it runs."""
    path = Path(data_dir) / SERVE_PID_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(os.getpid()))
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if path.read_text() == str(os.getpid()):
                path.unlink()


def _is_serve(pid: int) -> bool:
    """Whether the process is a running `nostr-id serve` (a stale file may name another process)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"serve" in arguments and any(
        b"nostr-id" in part or b"bootstrap.cli" in part for part in arguments
    )


def signal_serve(data_dir: Path) -> int | None:
    """Sends SIGHUP to the `nostr-id serve` of DATA_DIR, if one runs; its process id, or None."""
    try:
        pid = int((Path(data_dir) / SERVE_PID_FILE).read_text())
    except (OSError, ValueError):
        return None
    if pid == os.getpid() or not _is_serve(pid):
        return None
    os.kill(pid, signal.SIGHUP)
    return pid


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
