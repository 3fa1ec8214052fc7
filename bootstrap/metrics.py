"""Which Prometheus registry `/metrics` exposes: the process's own, or every worker's summed.

With several workers (`nostr-id serve --workers N`), prometheus_client's multiprocess mode keeps each
worker's values in files under PROMETHEUS_MULTIPROC_DIR, and any worker answers with the totals of all.
"""

from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector


def exposition_registry(multiprocess_dir: Path | None, registry: CollectorRegistry) -> CollectorRegistry:
    """What `/metrics` shows: this process's registry, or the sum over every worker's files."""
    if multiprocess_dir is None:
        return registry
    combined = CollectorRegistry()
    MultiProcessCollector(combined, path=str(multiprocess_dir))
    return combined
