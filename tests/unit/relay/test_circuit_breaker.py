import itertools

import pytest

from adapters.relay.circuit_breaker import CircuitBreaker


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_opens_after_consecutive_failures_only(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=3, first_trial_after=10, max_trial_after=10, clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.allow() and not breaker.is_open
    breaker.record_failure()
    assert breaker.is_open and not breaker.allow()


def test_half_open_lets_one_trial_through_after_the_cool_down(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=1, first_trial_after=10, max_trial_after=10, clock=clock)
    breaker.record_failure()
    clock.now = 9.9
    assert not breaker.allow()
    assert breaker.seconds_until_trial() == pytest.approx(0.1)
    clock.now = 10
    assert breaker.allow()
    assert not breaker.allow()  # only one trial at a time
    breaker.record_success()
    assert not breaker.is_open and breaker.allow()


def test_a_failed_trial_reopens_for_a_full_cool_down(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=5, first_trial_after=10, max_trial_after=10, clock=clock)
    for _ in range(5):
        breaker.record_failure()
    clock.now = 10
    assert breaker.allow()
    breaker.record_failure()
    clock.now = 19
    assert not breaker.allow()
    clock.now = 20
    assert breaker.allow()


def test_an_abandoned_trial_frees_the_slot(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=1, first_trial_after=1, max_trial_after=1, clock=clock)
    breaker.record_failure()
    clock.now = 1
    assert breaker.allow()
    breaker.abandon()
    assert breaker.allow()


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=0, first_trial_after=1, max_trial_after=2)


def test_f3_a_failed_relay_is_tried_after_a_second_then_less_often_up_to_the_longest_wait(
    clock: FakeClock,
) -> None:
    breaker = CircuitBreaker(failure_threshold=1, first_trial_after=1, max_trial_after=4, clock=clock)
    breaker.record_failure()
    trials = []
    while clock.now < 20:
        clock.now += 0.25
        if breaker.allow():
            trials.append(clock.now)
            breaker.record_failure()

    assert trials[:4] == [1, 3, 7, 11]
    assert all(later - earlier == 4 for earlier, later in itertools.pairwise(trials[2:]))


def test_f3_a_successful_trial_brings_the_first_wait_back(clock: FakeClock) -> None:
    breaker = CircuitBreaker(failure_threshold=1, first_trial_after=1, max_trial_after=8, clock=clock)
    breaker.record_failure()
    for now in (1, 3, 7):
        clock.now = now
        assert breaker.allow()
        breaker.record_failure()
    assert breaker.cool_down == 8
    clock.now = 15
    assert breaker.allow()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.cool_down == 1 and breaker.seconds_until_trial() == 1


def test_a_late_failure_of_a_call_sent_before_the_opening_does_not_push_the_trial_back(
    clock: FakeClock,
) -> None:
    breaker = CircuitBreaker(failure_threshold=1, first_trial_after=1, max_trial_after=8, clock=clock)
    breaker.record_failure()
    clock.now = 0.9
    breaker.record_failure()
    assert breaker.seconds_until_trial() == pytest.approx(0.1)


def test_cool_downs_must_be_positive_and_ordered() -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=1, first_trial_after=0, max_trial_after=2)
    with pytest.raises(ValueError):
        CircuitBreaker(failure_threshold=1, first_trial_after=3, max_trial_after=2)
