"""Readiness: does every dependency the service needs answer right now?"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import msgspec

Probe = Callable[[], Awaitable[None]]


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    checks: dict[str, str]


class CheckReadiness:
    """Runs every dependency probe at once, each within `timeout` seconds.

    A probe passes when it returns and fails when it raises or runs out of time; the answer names
    each dependency with "ok" or "unavailable", so operators see which one is down.
    """

    def __init__(self, probes: Mapping[str, Probe], timeout: float = 2.0) -> None:
        self._probes = dict(probes)
        self._timeout = timeout

    async def __call__(self) -> Readiness:
        names = list(self._probes)
        results = await asyncio.gather(*(self._run(self._probes[name]) for name in names))
        checks = {
            name: "ok" if passed else "unavailable" for name, passed in zip(names, results, strict=True)
        }
        return Readiness(ready=all(results), checks=checks)

    async def _run(self, probe: Probe) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                await probe()
        except Exception:  # any failure of a dependency means "not ready", never a crash
            return False
        return True
