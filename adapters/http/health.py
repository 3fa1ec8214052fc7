"""Liveness and readiness probes for load balancers and orchestrators."""

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import SkipValidation

from application.check_readiness import CheckReadiness


class Readiness(msgspec.Struct):
    status: str
    checks: dict[str, str]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", sync_to_thread=False)
    def live(self) -> dict[str, str]:
        """200 while the process runs."""
        return {"status": "ok"}

    @get(
        "/ready",
        responses={
            503: ResponseSpec(
                Readiness,
                description="The database is behind this version's migrations, or the process is draining",
            )
        },
    )
    async def ready(
        self, check_readiness: NamedDependency[SkipValidation[CheckReadiness]]
    ) -> Response[Readiness]:
        """Whether this process can take traffic: 200 (`status` "ok", or "degraded" naming the shared
        stores that do not answer now: their features answer 503 on their own), or 503 when the
        database is behind the migrations this version needs ("unavailable") or the process is
        stopping ("draining": it still serves what it is sent for a few seconds)."""
        readiness = await check_readiness()
        if readiness.draining:
            status = "draining"
        elif not readiness.ready:
            status = "unavailable"
        else:
            status = "degraded" if readiness.degraded else "ok"
        body = Readiness(status=status, checks=dict(readiness.checks))
        return Response(body, status_code=200 if readiness.ready else 503)
