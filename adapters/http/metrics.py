"""Prometheus metrics for HTTP traffic, kept in the registry the container owns.

With several workers (`nostr-id serve --workers N`), prometheus_client's multiprocess mode keeps each
worker's values in files under PROMETHEUS_MULTIPROC_DIR; `/metrics` then shows the registry the
container's `metrics_exposition` provider builds (bootstrap/metrics.py), which adds them up.
"""

from litestar import Response, get
from litestar.params import SkipValidation
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

# Litestar adds the charset to text/* media types itself; a second one makes the header invalid.
METRICS_MEDIA_TYPE = "; ".join(
    part for part in CONTENT_TYPE_LATEST.split("; ") if not part.lower().startswith("charset=")
)


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

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(metrics_exposition: SkipValidation[CollectorRegistry]) -> Response[bytes]:
    """Prometheus text exposition of this service's metrics."""
    return Response(generate_latest(metrics_exposition), media_type=METRICS_MEDIA_TYPE)
