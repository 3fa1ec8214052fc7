"""Waiting for a condition another task or process brings about, in tests (under the test's guard)."""

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], bool], interval: float = 0.01) -> None:
    """Returns once `condition()` holds; the caller bounds the wait (asyncio.timeout)."""
    while not condition():  # noqa: ASYNC110 - the condition is not ours to signal
        await asyncio.sleep(interval)
