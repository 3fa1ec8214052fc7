"""A per-relay circuit breaker: after repeated failures a relay is skipped until a cool-down passes."""

import time
from collections.abc import Callable


class CircuitBreaker:
    """Closed: calls go through. Open: calls are refused for a cool-down. Half-open: one trial call
    goes through; its success closes the breaker, its failure reopens it for a longer cool-down.

    The first cool-down is `first_trial_after` seconds; each failed trial doubles it, up to
    `max_trial_after`, so a relay that blinked is tried again soon and one that stays down is tried
    less often, but never less than every `max_trial_after` seconds.
    """

    def __init__(
        self,
        *,
        failure_threshold: int,
        first_trial_after: float,
        max_trial_after: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if not 0 < first_trial_after <= max_trial_after:
            raise ValueError("the cool-downs must be positive, the first no longer than the longest")
        self._threshold = failure_threshold
        self._first_trial_after = first_trial_after
        self._max_trial_after = max_trial_after
        self._cool_down = first_trial_after
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    @property
    def cool_down(self) -> float:
        """Seconds the breaker stays open after its latest opening (the current backoff)."""
        return self._cool_down

    def seconds_until_trial(self) -> float:
        """How long until a call may go through again (0 when it may now)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self._cool_down - (self._clock() - self._opened_at))

    def allow(self) -> bool:
        """True when a call may go to the relay now; a half-open breaker lets one trial through."""
        if self._opened_at is None:
            return True
        if self._trial_running or self._clock() - self._opened_at < self._cool_down:
            return False
        self._trial_running = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False
        self._cool_down = self._first_trial_after

    def abandon(self) -> None:
        """The call ended without a verdict (it was cancelled); a half-open breaker may try again."""
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running:
            self._cool_down = min(self._cool_down * 2, self._max_trial_after)
            self._opened_at = self._clock()
        elif self._failures >= self._threshold and self._opened_at is None:
            self._opened_at = self._clock()
        self._trial_running = False
