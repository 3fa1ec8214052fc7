"""HttpMetrics: observations added up for the hot path read exactly as ones written one by one."""

import asyncio

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from adapters.http.metrics import HttpMetrics
from tests.support.polling import eventually

HANG_GUARD = 10
# Latencies on both sides of bucket bounds, on a bound itself, and beyond the last finite bound.
SECONDS = [0.0001, 0.005, 0.0050001, 0.02, 0.3, 0.3, 2.5, 11.0, 0.0, 7.5]


def _samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample but the `_created` timestamps, which differ between any two registries."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(generate_latest(registry).decode())
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


async def test_observations_written_at_once_read_as_those_written_one_by_one():
    one_by_one, at_once = CollectorRegistry(), CollectorRegistry()
    single, batched = HttpMetrics(one_by_one), HttpMetrics(at_once, flush_interval=3600)
    for index, seconds in enumerate(SECONDS):
        status = 200 if index % 3 else 304
        single.observe("GET", "/.well-known/nostr.json", status, seconds)
        batched.observe_soon("GET", "/.well-known/nostr.json", status, seconds)
    assert _samples(at_once) != _samples(one_by_one), "nothing is written before the flush"
    batched.flush()
    assert _samples(at_once) == _samples(one_by_one)
    assert _samples(at_once)[
        ("nostr_id_http_request_seconds_count", (("method", "GET"), ("route", "/.well-known/nostr.json")))
    ] == len(SECONDS)


async def test_observations_are_written_within_the_interval_without_a_scrape():
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry, flush_interval=0.01)
    labels = {"method": "GET", "route": "/.well-known/nostr.json", "status": "200"}

    def written() -> float | None:
        return registry.get_sample_value("nostr_id_http_requests_total", labels)

    metrics.observe_soon("GET", "/.well-known/nostr.json", 200, 0.001)
    metrics.observe_soon("GET", "/.well-known/nostr.json", 200, 0.002)
    async with asyncio.timeout(HANG_GUARD):
        await eventually(lambda: written() is not None)
    assert written() == 2
    # The next observation starts a new interval and is written in its turn.
    metrics.observe_soon("GET", "/.well-known/nostr.json", 200, 0.001)
    async with asyncio.timeout(HANG_GUARD):
        await eventually(lambda: written() != 2)
    assert written() == 3


async def test_methods_http_does_not_define_are_counted_as_other():
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry)
    for method in ("BREW", "PROPFIND", "X" * 200):
        metrics.observe(method, "unmatched", 405, 0.001)
        metrics.observe_soon(method, "/.well-known/nostr.json", 405, 0.001)
    metrics.flush()
    samples = _samples(registry)
    methods = {dict(labels)["method"] for name, labels in samples if name.startswith("nostr_id_http")}
    assert methods == {"OTHER"}
    other = {"method": "OTHER", "route": "/.well-known/nostr.json", "status": "405"}
    assert registry.get_sample_value("nostr_id_http_requests_total", other) == 3
