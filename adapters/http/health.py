"""Liveness and readiness probes for load balancers and orchestrators."""

from litestar import Controller, Response, get
from litestar.params import SkipValidation

from application.check_readiness import CheckReadiness


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", sync_to_thread=False)
    def live(self) -> dict[str, str]:
        """200 while the process runs."""
        return {"status": "ok"}

    @get("/ready")
    async def ready(self, check_readiness: SkipValidation[CheckReadiness]) -> Response[dict[str, object]]:
        """200 when PostgreSQL, the cache and the relay all answer; 503 naming the ones that do not."""
        readiness = await check_readiness()
        body: dict[str, object] = {
            "status": "ok" if readiness.ready else "unavailable",
            "checks": readiness.checks,
        }
        return Response(body, status_code=200 if readiness.ready else 503)
