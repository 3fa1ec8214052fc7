"""Prometheus metrics for HTTP traffic, kept in the registry the container owns.

With several workers (`nostr-id serve --workers N`), prometheus_client's multiprocess mode keeps each
worker's values in files under PROMETHEUS_MULTIPROC_DIR; `/metrics` then shows the registry the
container's `metrics_exposition` provider builds (bootstrap/metrics.py), which adds them up.
"""

import asyncio
from bisect import bisect_left

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import SkipValidation
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

# Litestar adds the charset to text/* media types itself; a second one makes the header invalid.
METRICS_MEDIA_TYPE = "; ".join(
    part for part in CONTENT_TYPE_LATEST.split("; ") if not part.lower().startswith("charset=")
)
# Methods are labelled as sent only when HTTP defines them: any other token a client sends is
# counted as OTHER, so nobody can grow the series without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"})
LATENCY_BUCKETS: tuple[float, ...] = Histogram.DEFAULT_BUCKETS  # ends with +Inf
# How long the observations of the hot path may wait in this process before they are written.
FLUSH_INTERVAL = 1.0


class HttpMetrics:
    """Request counts and latencies by method, route template and status.

    `observe` writes at once. `observe_soon` is for the hottest path: with several workers every
    write goes to a memory-mapped file under a lock (prometheus_client's multiprocess mode), which
    costs more than a cached nostr.json answer, so its observations are added up here and written
    in one go within FLUSH_INTERVAL, when `/metrics` is asked in this process, and at shutdown.
    """

    def __init__(self, registry: CollectorRegistry, flush_interval: float | None = None) -> None:
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
            buckets=LATENCY_BUCKETS,
        )
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        # Per series: [count, sum of seconds, count in each latency bucket...].
        self._pending: dict[tuple[str, str, int], list[float]] = {}
        self._flush_interval = FLUSH_INTERVAL if flush_interval is None else flush_interval
        self._flush_timer: asyncio.TimerHandle | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        series = self._series.get((method, route, status)) or self._resolve(method, route, status)
        series[0].inc()
        series[1].observe(seconds)

    def observe_soon(self, method: str, route: str, status: int, seconds: float) -> None:
        """Counts the request now and writes it within the flush interval. Needs a running loop."""
        tally = self._pending.get((method, route, status)) or self._start_tally(method, route, status)
        tally[0] += 1
        tally[1] += seconds
        tally[2 + bisect_left(LATENCY_BUCKETS, seconds)] += 1  # the first bucket whose bound holds it

    def _start_tally(self, method: str, route: str, status: int) -> list[float]:
        if method not in KNOWN_METHODS:
            method = "OTHER"
        tally = self._pending.setdefault((method, route, status), [0.0] * (2 + len(LATENCY_BUCKETS)))
        if self._flush_timer is None:
            self._flush_timer = asyncio.get_running_loop().call_later(self._flush_interval, self.flush)
        return tally

    def flush(self) -> None:
        """Writes what `observe_soon` added up."""
        if self._flush_timer is not None:
            self._flush_timer.cancel()
            self._flush_timer = None
        pending, self._pending = self._pending, {}
        for (method, route, status), tally in pending.items():
            counter, histogram = self._resolve(method, route, status)
            counter.inc(tally[0])
            _observe_many(histogram, tally[1], tally[2:])

    def _resolve(self, method: str, route: str, status: int) -> tuple[Counter, Histogram]:
        """The labelled series, looked up once: `labels()` costs more than counting and observing."""
        if method not in KNOWN_METHODS:
            method = "OTHER"
        series = self._series.get((method, route, status))
        if series is None:
            series = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            self._series[(method, route, status)] = series
        return series


def _observe_many(histogram: Histogram, seconds: float, per_bucket: list[float]) -> None:
    """Adds many observations to a labelled histogram at once, as `observe` adds one: to its sum and
    to the one bucket that holds each (prometheus_client sums the buckets cumulatively when read).
    prometheus_client offers no call for it; tests/unit/http/test_metrics.py holds this to `observe`."""
    histogram._sum.inc(seconds)
    for bucket, count in zip(histogram._buckets, per_bucket, strict=True):
        if count:
            bucket.inc(count)


def metrics_route(http_metrics: HttpMetrics) -> HTTPRouteHandler:
    """GET /metrics: what this process added up is written first, so the answer includes it."""

    @get("/metrics", include_in_schema=False, sync_to_thread=False)
    def metrics(metrics_exposition: NamedDependency[SkipValidation[CollectorRegistry]]) -> Response[bytes]:
        """Prometheus text exposition of this service's metrics."""
        http_metrics.flush()
        return Response(generate_latest(metrics_exposition), media_type=METRICS_MEDIA_TYPE)

    return metrics
