"""Readiness: does every dependency the service needs answer right now, and does the database hold
the schema this version needs?"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import msgspec

from domain.shared.unit_of_work import SchemaVersion

Probe = Callable[[], Awaitable[None]]
SCHEMA_CHECK = "schema"


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    checks: dict[str, str]


class CheckReadiness:
    """Runs every dependency probe at once, each within `timeout` seconds, and the schema check.

    A probe passes when it returns and fails when it raises or runs out of time; the answer names
    each dependency with "ok" or "unavailable", so operators see which one is down. The schema check
    ("schema") is separate: "ok" when the database holds every migration this version ships,
    "missing: <ids>" when it is behind (run `nostr-id migrate`), "unavailable" when it cannot tell.
    """

    def __init__(
        self, probes: Mapping[str, Probe], timeout: float = 2.0, schema: SchemaVersion | None = None
    ) -> None:
        self._probes = dict(probes)
        self._timeout = timeout
        self._schema = schema

    async def __call__(self) -> Readiness:
        names = list(self._probes)
        results, schema = await asyncio.gather(
            asyncio.gather(*(self._run(self._probes[name]) for name in names)), self._check_schema()
        )
        checks = {
            name: "ok" if passed else "unavailable" for name, passed in zip(names, results, strict=True)
        }
        if schema is not None:
            checks[SCHEMA_CHECK] = schema
        return Readiness(ready=all(results) and schema in (None, "ok"), checks=checks)

    async def _run(self, probe: Probe) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                await probe()
        except Exception:  # any failure of a dependency means "not ready", never a crash
            return False
        return True

    async def _check_schema(self) -> str | None:
        if self._schema is None:
            return None
        try:
            async with asyncio.timeout(self._timeout):
                missing = await self._schema.missing_migrations()
        except Exception:  # the database cannot tell: the postgres check says why
            return "unavailable"
        return "ok" if not missing else "missing: " + ", ".join(missing)
