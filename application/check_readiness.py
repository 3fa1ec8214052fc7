"""Readiness: can this process serve? Its shared stores' answers are reported beside it.

PostgreSQL, the cache and the relays are shared by every process behind the load balancer: when one
of them is out, every process sees the same outage, and failing readiness would take them all out
of the balancer at once, though nostr.json (from the cache or memory) and cached figures could still
answer. So an unavailable store is reported ("degraded") and the features that need it answer their
own 503 with Retry-After; only what is wrong with this process's own deployment, a database behind
the migrations this version needs, makes it not ready.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import msgspec

from domain.shared.unit_of_work import SchemaVersion

Probe = Callable[[], Awaitable[None]]
SCHEMA_CHECK = "schema"
DRAIN_CHECK = "drain"


class Readiness(msgspec.Struct, frozen=True):
    ready: bool
    checks: dict[str, str]

    @property
    def degraded(self) -> bool:
        """Ready, with a shared store that does not answer now."""
        return self.ready and any(value != "ok" for value in self.checks.values())

    @property
    def draining(self) -> bool:
        """The process is stopping: it still serves, but the balancer should send it nothing new."""
        return self.checks.get(DRAIN_CHECK) == "draining"


class CheckReadiness:
    """Runs every dependency probe at once, each within `timeout` seconds, and the schema check.

    A probe passes when it returns and fails when it raises or runs out of time; the answer names
    each dependency with "ok" or "unavailable", so operators see which one is down, without making
    the process unready. The schema check ("schema") is "ok" when the database holds every migration
    this version ships, "missing: <ids>" when it is behind (run `nostr-id migrate`: the one answer
    that makes the process not ready), "unavailable" when the database cannot tell. While the
    process drains before it stops (`draining` says so), it is not ready ("drain": "draining"),
    whatever its stores answer.
    """

    def __init__(
        self,
        probes: Mapping[str, Probe],
        timeout: float = 2.0,
        schema: SchemaVersion | None = None,
        draining: Callable[[], bool] | None = None,
    ) -> None:
        self._probes = dict(probes)
        self._timeout = timeout
        self._schema = schema
        self._draining = draining

    async def __call__(self) -> Readiness:
        if self._draining is not None and self._draining():
            return Readiness(ready=False, checks={DRAIN_CHECK: "draining"})
        names = list(self._probes)
        results, schema = await asyncio.gather(
            asyncio.gather(*(self._run(self._probes[name]) for name in names)), self._check_schema()
        )
        checks = {
            name: "ok" if passed else "unavailable" for name, passed in zip(names, results, strict=True)
        }
        if schema is not None:
            checks[SCHEMA_CHECK] = schema
        behind = schema is not None and schema.startswith("missing")
        return Readiness(ready=not behind, checks=checks)

    async def _run(self, probe: Probe) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                await probe()
        except Exception:  # any failure of a dependency is reported, never a crash
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
