"""Prometheus counters of Lightning address invoices and zaps."""

from prometheus_client import CollectorRegistry, Counter


class PrometheusZapCounters:
    """The ZapCounters port: `nostr_id_lnurlp_invoices_total{outcome}` (asked, made, failed, paid)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._invoices = Counter(
            "nostr_id_lnurlp_invoices",
            "Lightning address invoices by outcome: asked, made, failed, paid",
            ["outcome"],
            registry=registry,
        )

    def count(self, outcome: str) -> None:
        self._invoices.labels(outcome=outcome).inc()
