"""Expiry at the boundary: a record is expired from the first instant of its expiry time."""

from datetime import timedelta

import pytest

from domain.auth.challenges import AuthChallenge
from domain.auth.lnurl import LnurlAction, LnurlSession, LnurlStatus
from domain.billing.subscriptions import PaymentStatus
from domain.shared.errors import InvalidInput, InvalidTransition
from tests import builders
from tests.builders import NOW

JUST_BEFORE = timedelta(microseconds=1)


def test_a_session_expires_at_its_expiry_instant() -> None:
    session = builders.session(builders.user().id)
    assert session.is_usable(session.expires_at - JUST_BEFORE)
    assert session.is_expired(session.expires_at)
    assert not session.is_usable(session.expires_at)


def test_a_challenge_is_single_use_and_expires() -> None:
    challenge = AuthChallenge.issue(NOW, timedelta(minutes=5))
    assert challenge.is_usable(challenge.expires_at - JUST_BEFORE)
    assert not challenge.is_usable(challenge.expires_at)
    used = challenge.consume(NOW)
    assert used.used_at == NOW and not used.is_usable(NOW)
    with pytest.raises(InvalidTransition):
        used.consume(NOW)
    with pytest.raises(InvalidTransition):
        challenge.consume(challenge.expires_at)


def test_challenges_carry_at_least_128_random_bits() -> None:
    challenges = {AuthChallenge.issue(NOW, timedelta(minutes=1)).challenge for _ in range(100)}
    assert len(challenges) == 100
    assert all(len(c) * 4 >= 128 for c in challenges)
    with pytest.raises(InvalidInput):
        AuthChallenge.issue(NOW, timedelta(minutes=1), challenge="ab" * 8)
    with pytest.raises(InvalidInput):
        AuthChallenge.issue(NOW, timedelta(0))


def test_an_lnurl_session_is_pending_then_ok_or_expired() -> None:
    session = LnurlSession.start(LnurlAction.LOGIN, NOW, timedelta(minutes=5))[0]
    user_id = builders.user().id
    key = builders.linking_key()
    assert session.status_at(session.expires_at - JUST_BEFORE) is LnurlStatus.PENDING
    assert session.status_at(session.expires_at) is LnurlStatus.EXPIRED
    with pytest.raises(InvalidTransition):
        session.complete(key, user_id, session.expires_at)
    done = session.complete(key, user_id, NOW)
    assert done.status_at(session.expires_at + timedelta(days=1)) is LnurlStatus.OK
    assert (done.linking_key, done.user_id, done.completed_at) == (key, user_id, NOW)


def test_an_lnurl_session_completes_once_and_hands_out_tokens_once() -> None:
    session = LnurlSession.start(LnurlAction.LOGIN, NOW, timedelta(minutes=5))[0]
    user_id = builders.user().id
    with pytest.raises(InvalidTransition):
        session.claim_tokens(NOW)
    done = session.complete(builders.linking_key(), user_id, NOW)
    with pytest.raises(InvalidTransition):
        done.complete(builders.linking_key(), user_id, NOW)
    claimed = done.claim_tokens(NOW)
    assert claimed.tokens_claimed_at == NOW
    with pytest.raises(InvalidTransition):
        claimed.claim_tokens(NOW)


def test_an_lnurl_link_belongs_to_the_user_who_started_it() -> None:
    owner, stranger = builders.user().id, builders.user().id
    with pytest.raises(InvalidInput):
        LnurlSession.start(LnurlAction.LINK, NOW, timedelta(minutes=5))[0]
    link = LnurlSession.start(LnurlAction.LINK, NOW, timedelta(minutes=5), user_id=owner)[0]
    with pytest.raises(InvalidTransition):
        link.complete(builders.linking_key(), stranger, NOW)
    with pytest.raises(InvalidInput):
        link.complete("04" + "ab" * 32, owner, NOW)
    assert link.complete(builders.linking_key(), owner, NOW).user_id == owner


def test_a_subscription_expires_only_once_its_period_is_over() -> None:
    period = timedelta(days=30)
    active = builders.subscription(builders.user().id).activate(NOW, period)
    end = NOW + period
    assert active.is_current(end - JUST_BEFORE)
    assert not active.is_current(end)
    with pytest.raises(InvalidTransition):
        active.expire(end - JUST_BEFORE)
    assert active.expire(end).status.value == "expired"
    with pytest.raises(InvalidInput):
        builders.subscription(builders.user().id).activate(NOW, timedelta(0))


def test_a_pending_payment_is_overdue_from_its_expiry() -> None:
    payment = builders.payment(builders.user().id)
    assert payment.expires_at is not None
    assert not payment.is_overdue(payment.expires_at - JUST_BEFORE)
    assert payment.is_overdue(payment.expires_at)
    assert not payment.mark_paid(NOW, "NID-00000001").is_overdue(payment.expires_at)
    assert (
        builders.payment(builders.user().id, expires_at=None, status=PaymentStatus.PENDING).is_overdue(NOW)
        is False
    )


def test_a_nip05_name_is_served_while_active_and_unexpired() -> None:
    name = builders.nip05(builders.user().id, expires_at=NOW + timedelta(days=1))
    assert name.is_served(NOW + timedelta(days=1) - JUST_BEFORE)
    assert not name.is_served(NOW + timedelta(days=1))
    assert not name.suspend(NOW).is_served(NOW)
    assert builders.nip05(builders.user().id).is_served(NOW + timedelta(days=10_000))
    assert name.renewed_until(None, NOW).is_served(NOW + timedelta(days=2))
