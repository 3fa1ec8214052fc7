"""Prometheus counters of one relay pool, registered in the registry the pool is given."""

from prometheus_client import CollectorRegistry, Counter, Gauge


class RelayMetrics:
    """Every series is labelled with the relay URL (a short, configured list)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "nostr_relay_events", "Events received and verified", ["relay"], registry=registry
        )
        self.invalid_events = Counter(
            "nostr_relay_invalid_events",
            "Events dropped because the recomputed id or the signature did not check",
            ["relay"],
            registry=registry,
        )
        self.unrequested_events = Counter(
            "nostr_relay_unrequested_events",
            "Events dropped because they did not match the filter they were sent for",
            ["relay"],
            registry=registry,
        )
        self.invalid_frames = Counter(
            "nostr_relay_invalid_frames", "Frames that were not NIP-01 messages", ["relay"], registry=registry
        )
        self.received_bytes = Counter(
            "nostr_relay_received_bytes", "Bytes of frames received", ["relay"], registry=registry
        )
        self.failures = Counter(
            "nostr_relay_failures",
            "Calls a relay did not complete, by reason",
            ["relay", "reason"],
            registry=registry,
        )
        self.skipped = Counter(
            "nostr_relay_skipped",
            "Calls not sent because the relay's breaker was open",
            ["relay"],
            registry=registry,
        )
        self.notices = Counter(
            "nostr_relay_notices", "NOTICE messages received", ["relay"], registry=registry
        )
        self.connected = Gauge(
            "nostr_relay_connected",
            "Connections open to the relay",
            ["relay"],
            registry=registry,
        )
        self.breaker_open = Gauge(
            "nostr_relay_breaker_open",
            "1 while the relay's circuit breaker is open",
            ["relay"],
            registry=registry,
        )
        self.breaker_cool_down = Gauge(
            "nostr_relay_breaker_cool_down_seconds",
            "How long the relay's breaker waits after its latest opening before a trial call",
            ["relay"],
            registry=registry,
        )
