"""Which Prometheus registry `/metrics` exposes: the process's own, or every worker's summed.

With several workers (`nostr-id serve --workers N`), prometheus_client's multiprocess mode keeps each
worker's values in files under PROMETHEUS_MULTIPROC_DIR, and any worker answers with the totals of all.
"""

from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector


def exposition_registry(
    multiprocess_dir: Path | None, registry: CollectorRegistry, *shared: Collector
) -> CollectorRegistry:
    """What `/metrics` shows: this process's registry, or the sum over every worker's files; with
    the `shared` collectors, whose values are the same in every process (read from PostgreSQL)."""
    if multiprocess_dir is None:
        exposed = registry
    else:
        exposed = CollectorRegistry()
        MultiProcessCollector(exposed, path=str(multiprocess_dir))
    for collector in shared:
        exposed.register(collector)
    return exposed
