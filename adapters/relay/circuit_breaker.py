"""A per-relay circuit breaker: after repeated failures a relay is skipped until a cool-down passes."""

import time
from collections.abc import Callable


class CircuitBreaker:
    """Closed: calls go through. Open: calls are refused until `reset_after` seconds pass.
    Half-open: one trial call goes through; its success closes the breaker, its failure reopens it.
    """

    def __init__(
        self,
        *,
        failure_threshold: int,
        reset_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self._threshold = failure_threshold
        self._reset_after = reset_after
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def seconds_until_trial(self) -> float:
        """How long until a call may go through again (0 when it may now)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._reset_after - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """True when a call may go to the relay now; a half-open breaker lets one trial through."""
        if self._opened_at is None:
            return True
        if self._trial_running or self._clock() - self._opened_at < self._reset_after:
            return False
        self._trial_running = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def abandon(self) -> None:
        """The call ended without a verdict (it was cancelled); a half-open breaker may try again."""
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self._threshold:
            self._opened_at = self._clock()
        self._trial_running = False
