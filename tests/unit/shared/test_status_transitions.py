"""Every status pair of every record: allowed exactly when the rules table below says so."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest
from msgspec import structs

from domain.auth.users import UserStatus
from domain.billing.subscriptions import PaymentStatus, SubscriptionStatus
from domain.names.custom_domains import CustomDomainStatus
from domain.names.nip05 import Nip05Status
from domain.shared.errors import InvalidTransition
from tests import builders

NOW = datetime(2030, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(days=60)

ALLOWED: dict[str, set[tuple[str, str]]] = {
    "user": {("active", "suspended"), ("suspended", "active")},
    "nip05": {
        ("pending_payment", "active"),
        ("pending_payment", "suspended"),
        ("pending_payment", "released"),
        ("active", "suspended"),
        ("active", "expired"),
        ("active", "released"),
        ("expired", "active"),
        ("expired", "suspended"),
        ("expired", "released"),
        ("suspended", "active"),
        ("released", "active"),
    },
    "domain": {
        ("pending", "verified"),
        ("pending", "failed"),
        ("verified", "failed"),
        ("verified", "suspended"),
        ("failed", "verified"),
        ("suspended", "verified"),
        # Another user proved the domain while this claim was suspended.
        ("suspended", "failed"),
    },
    "subscription": {("pending", "active"), ("active", "expired"), ("active", "canceled")},
    "payment": {
        ("pending", "paid"),
        ("pending", "expired"),
        ("pending", "failed"),
        ("paid", "refunded"),
    },
}


def _moves() -> dict[str, tuple[Callable[[str], Any], dict[str, Callable[[Any], Any]], list[str]]]:
    user_id = builders.user().id
    period = timedelta(days=30)

    def subscription_in(status: str) -> Any:
        started = {"starts_at": NOW - period, "expires_at": NOW} if status != "pending" else {}
        return builders.subscription(user_id, status=SubscriptionStatus(status), **started)

    return {
        "user": (
            lambda status: builders.user(status=UserStatus(status)),
            {"suspended": lambda r: r.suspend(LATER), "active": lambda r: r.unsuspend(LATER)},
            [s.value for s in UserStatus],
        ),
        "nip05": (
            lambda status: builders.nip05(user_id, status=Nip05Status(status)),
            {
                "suspended": lambda r: r.suspend(LATER),
                "active": lambda r: r.activate(LATER),
                "expired": lambda r: r.expire(LATER),
                "released": lambda r: r.release(LATER),
            },
            [s.value for s in Nip05Status],
        ),
        "domain": (
            lambda status: builders.domain(user_id, status=CustomDomainStatus(status)),
            {
                "verified": lambda r: r.mark_verified(LATER),
                "failed": lambda r: r.mark_failed(LATER),
                "suspended": lambda r: r.suspend(LATER),
            },
            [s.value for s in CustomDomainStatus],
        ),
        "subscription": (
            subscription_in,
            {
                "active": lambda r: r.activate(LATER, period),
                "expired": lambda r: r.expire(LATER),
                "canceled": lambda r: r.cancel(LATER),
            },
            [s.value for s in SubscriptionStatus],
        ),
        "payment": (
            lambda status: builders.payment(
                user_id, status=PaymentStatus(status), paid_at=NOW, receipt_number="R"
            ),
            {
                "paid": lambda r: r.mark_paid(LATER, "NID-00000001"),
                "expired": lambda r: r.mark_expired(LATER),
                "failed": lambda r: r.mark_failed(LATER),
                "refunded": lambda r: r.refund(LATER),
            },
            [s.value for s in PaymentStatus],
        ),
    }


CASES = [
    (record, current, target)
    for record, (_, moves, statuses) in _moves().items()
    for current, target in product(statuses, moves)
]


@pytest.mark.parametrize(("record", "current", "target"), CASES)
def test_a_transition_is_allowed_exactly_when_the_rules_say_so(
    record: str, current: str, target: str
) -> None:
    make, moves, _ = _moves()[record]
    before = make(current)

    if (current, target) in ALLOWED[record]:
        after = moves[target](before)
        assert after.status.value == target
        assert after.updated_at == LATER
        assert before.status.value == current
    else:
        with pytest.raises(InvalidTransition):
            moves[target](before)


def test_every_status_of_every_record_has_a_move_into_it() -> None:
    for record, (_, moves, statuses) in _moves().items():
        targets = {target for _, target in ALLOWED[record]}
        assert targets <= set(moves), record
        assert set(moves) <= set(statuses), record


def test_transitions_record_their_times() -> None:
    user_id = builders.user().id
    verified = builders.domain(user_id).mark_verified(LATER)
    assert (verified.verified_at, verified.last_checked_at) == (LATER, LATER)
    paid = builders.payment(user_id).mark_paid(LATER, "NID-2026-000007")
    assert (paid.paid_at, paid.receipt_number) == (LATER, "NID-2026-000007")
    assert paid.refund(LATER).refunded_at == LATER
    active = builders.subscription(user_id).activate(NOW, timedelta(days=30))
    assert (active.starts_at, active.expires_at) == (NOW, NOW + timedelta(days=30))
    assert active.cancel(LATER).canceled_at == LATER
    assert structs.replace(active, status=SubscriptionStatus.ACTIVE).is_current(NOW)
