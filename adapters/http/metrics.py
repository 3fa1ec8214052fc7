"""Prometheus metrics for HTTP traffic, kept in the registry the container owns."""

import time

from litestar import Response, get
from litestar.params import SkipValidation
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest


class HttpMetrics:
    """Request counts and latencies by method, route template and status."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "nostr_id_http_requests_total",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "nostr_id_http_request_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=registry,
        )

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def measured(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500

            async def remember_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                await send(message)

            try:
                await app(scope, receive, remember_status)
            finally:
                route = scope.get("path_template") or "unmatched"
                method = str(scope.get("method", ""))
                self.requests.labels(method, route, str(status)).inc()
                self.latency.labels(method, route).observe(time.perf_counter() - started)

        return measured


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(
    metrics_registry: SkipValidation[CollectorRegistry],
) -> Response[bytes]:
    """Prometheus text exposition of this process's metrics."""
    return Response(generate_latest(metrics_registry), media_type=CONTENT_TYPE_LATEST)
