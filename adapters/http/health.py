"""Liveness and readiness probes for load balancers and orchestrators."""

import msgspec
from litestar import Controller, Response, get
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
        responses={503: ResponseSpec(Readiness, description="A dependency does not answer")},
    )
    async def ready(self, check_readiness: SkipValidation[CheckReadiness]) -> Response[Readiness]:
        """200 when PostgreSQL, the cache and the relay all answer; 503 naming the ones that do not."""
        readiness = await check_readiness()
        body = Readiness(status="ok" if readiness.ready else "unavailable", checks=dict(readiness.checks))
        return Response(body, status_code=200 if readiness.ready else 503)
