"""Refresh-token rotation within a family, reuse detection, revocation."""

from datetime import timedelta

import pytest

from domain.audit.entries import RequestOrigin
from domain.auth.sessions import MAX_USER_AGENT_LENGTH, Session
from domain.shared.errors import InvalidInput, InvalidTransition
from domain.shared.hashing import digests_match, secret_digest
from tests import builders
from tests.builders import NOW

LIFETIME = timedelta(days=30)


def test_rotation_keeps_the_family_and_retires_the_old_token() -> None:
    session = builders.session(builders.user().id)
    later = NOW + timedelta(hours=1)

    old, new = session.rotate(secret_digest("next"), later, LIFETIME)

    assert (old.rotated_at, old.last_used_at) == (later, later)
    assert old.is_reuse() and not old.is_usable(later)
    assert new.family_id == session.family_id and new.id != session.id
    assert new.user_id == session.user_id
    assert new.refresh_token_hash == secret_digest("next")
    assert (new.created_at, new.expires_at) == (later, session.expires_at)
    assert new.is_usable(later) and not new.is_reuse()


def test_a_rotation_never_extends_the_family_past_its_first_token_and_may_shorten_it() -> None:
    session = builders.session(builders.user().id)

    _, long_lived = session.rotate(secret_digest("a"), NOW, LIFETIME * 2)
    _, short_lived = session.rotate(secret_digest("b"), NOW, timedelta(days=1))

    assert long_lived.expires_at == session.expires_at
    assert short_lived.expires_at == NOW + timedelta(days=1)


def test_the_new_token_records_who_presented_the_old_one_else_keeps_the_old_ones() -> None:
    session = builders.session(builders.user().id)

    _, kept = session.rotate(secret_digest("a"), NOW, LIFETIME)
    _, moved = session.rotate(
        secret_digest("b"), NOW, LIFETIME, origin=RequestOrigin(user_agent="x" * 600, ip="198.51.100.1")
    )

    assert (kept.user_agent, kept.ip) == (session.user_agent, session.ip)
    assert (moved.user_agent, moved.ip) == ("x" * MAX_USER_AGENT_LENGTH, "198.51.100.1")


def test_a_rotated_revoked_or_expired_token_cannot_rotate() -> None:
    session = builders.session(builders.user().id)
    rotated, _ = session.rotate(secret_digest("a"), NOW, LIFETIME)
    for unusable, at in [
        (rotated, NOW),
        (session.revoke(NOW), NOW),
        (session, session.expires_at),
    ]:
        with pytest.raises(InvalidTransition):
            unusable.rotate(secret_digest("b"), at, LIFETIME)


def test_revocation_keeps_its_first_time() -> None:
    session = builders.session(builders.user().id)
    revoked = session.revoke(NOW)
    assert revoked.revoked_at == NOW
    assert revoked.revoke(NOW + timedelta(days=1)) is revoked


def test_a_session_stores_only_a_digest_and_a_bounded_user_agent() -> None:
    user_id = builders.user().id
    with pytest.raises(InvalidInput):
        Session.start(user_id=user_id, refresh_token_hash="clear-token", now=NOW, lifetime=LIFETIME)
    with pytest.raises(InvalidInput):
        Session.start(user_id=user_id, refresh_token_hash=secret_digest("t"), now=NOW, lifetime=timedelta(0))
    long_agent = Session.start(
        user_id=user_id,
        refresh_token_hash=secret_digest("t"),
        now=NOW,
        lifetime=LIFETIME,
        origin=RequestOrigin(user_agent="x" * 2000),
    )
    assert len(long_agent.user_agent or "") == MAX_USER_AGENT_LENGTH


def test_digests_compare_by_value() -> None:
    assert digests_match(secret_digest("a"), secret_digest("a"))
    assert not digests_match(secret_digest("a"), secret_digest("b"))
