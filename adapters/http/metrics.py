"""Prometheus metrics for HTTP traffic, kept in the registry the container owns.

With several workers (`nostr-id serve --workers N`), prometheus_client's multiprocess mode keeps each
worker's values in files under PROMETHEUS_MULTIPROC_DIR; `/metrics` then adds them up, so any worker
answers with the totals of all.
"""

from pathlib import Path

from litestar import Response, get
from litestar.params import SkipValidation
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

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


def exposition_registry(multiprocess_dir: Path | None, registry: CollectorRegistry) -> CollectorRegistry:
    """What `/metrics` shows: this process's registry, or the sum over every worker's files."""
    if multiprocess_dir is None:
        return registry
    combined = CollectorRegistry()
    MultiProcessCollector(combined, path=str(multiprocess_dir))
    return combined


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics(metrics_exposition: SkipValidation[CollectorRegistry]) -> Response[bytes]:
    """Prometheus text exposition of this service's metrics."""
    return Response(generate_latest(metrics_exposition), media_type=METRICS_MEDIA_TYPE)
