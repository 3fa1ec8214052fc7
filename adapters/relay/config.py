"""The relay pool's knobs in two groups, each default written once (see docs/relay.md)."""

import msgspec

MIB = 1024 * 1024


class RelayTimeouts(msgspec.Struct, frozen=True, kw_only=True):
    """Seconds. `deadline` bounds one call across every relay (for `publish`: the wait for progress);
    once one relay has answered, the others get `straggler_grace` more."""

    deadline: float = 5.0
    straggler_grace: float = 1.0
    connect: float = 3.0
    # Closing handshake of one socket.
    close: float = 2.0
    # Reading a relay's NIP-11 document at start.
    information: float = 3.0
    # An unanswered COUNT gives up after this (at most half the deadline), then COUNT is not sent to
    # that relay for `count_retry_after`.
    count: float = 2.0
    count_retry_after: float = 300.0
    # How long an open circuit breaker skips its relay before one trial call; each failed trial
    # doubles the wait, up to `breaker_max_trial_after`, which bounds how late a relay's return is
    # noticed (WoT answers again within 3 s of it: promise F3).
    breaker_first_trial_after: float = 1.0
    breaker_max_trial_after: float = 2.0

    def __post_init__(self) -> None:
        if self.deadline <= 0:
            raise ValueError("the deadline must be positive")
        if not 0 < self.breaker_first_trial_after <= self.breaker_max_trial_after:
            raise ValueError("breaker_first_trial_after must be positive and at most breaker_max_trial_after")


class RelayLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What one call may take from one relay (`max_events`, `max_bytes` of decoded events), how
    requests are cut (`page_size`, `chunk_size`, `parallel_windows`), how many connections and
    subscriptions a relay gets, and what verification may use."""

    max_events: int = 100_000
    max_bytes: int = 64 * MIB
    max_frame_bytes: int = 4 * MIB
    page_size: int = 500
    chunk_size: int = 256
    parallel_windows: int = 4
    connections_per_relay: int = 4
    max_concurrent_subscriptions: int = 8
    # Consecutive failed calls that open a relay's circuit breaker.
    breaker_failures: int = 3
    # Threads checking signatures: None is one per core, 0 checks on the event loop itself.
    verify_workers: int | None = None
    verified_cache_size: int = 200_000

    def __post_init__(self) -> None:
        if min(self.page_size, self.chunk_size, self.max_events, self.max_bytes) < 1:
            raise ValueError("page_size, chunk_size and the caps must be positive")


DEFAULT_TIMEOUTS = RelayTimeouts()
DEFAULT_LIMITS = RelayLimits()
