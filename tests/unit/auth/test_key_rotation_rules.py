"""The consent rule of key rotation: both sign-in events answer one challenge for this service, the
old one is the account key's and names the new key in its only `p` tag; each check refuses alone."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.auth.key_rotation import (
    RECOVERY_WAIT,
    KeyRecovery,
    KeyRecoveryStatus,
    KeyRotationRefused,
    check_consent,
)
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.errors import InvalidTransition

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
URL = "https://id.example.com"
CHALLENGE = "ab" * 32
OLD, NEW = generate_secret_key(), generate_secret_key()


def _event(secret: str, *extra: list[str], challenge: str = CHALLENGE, relay: str = URL, kind: int = 22242):
    tags = [["relay", relay], ["challenge", challenge], *extra]
    return sign_event(secret, kind=kind, tags=tags, content="", created_at=int(NOW.timestamp()))


def _check(new_event, old_event, old_pubkey: str = public_key_of(OLD)) -> str:
    return check_consent(new_event, old_event, old_pubkey=old_pubkey, public_url=URL, now=NOW)


def test_both_keys_over_one_challenge_with_the_old_naming_the_new_is_consent():
    assert _check(_event(NEW), _event(OLD, ["p", public_key_of(NEW)])) == CHALLENGE


@pytest.mark.parametrize(
    ("case", "new_event", "old_event", "old_pubkey"),
    [
        (
            "old event by another key",
            _event(NEW),
            _event(generate_secret_key(), ["p", public_key_of(NEW)]),
            None,
        ),
        ("new key is the account's", _event(OLD), _event(OLD, ["p", public_key_of(OLD)]), None),
        ("two challenges", _event(NEW, challenge="cd" * 32), _event(OLD, ["p", public_key_of(NEW)]), None),
        ("no p tag", _event(NEW), _event(OLD), None),
        ("p names another key", _event(NEW), _event(OLD, ["p", public_key_of(generate_secret_key())]), None),
        ("two p tags", _event(NEW), _event(OLD, ["p", public_key_of(NEW)], ["p", public_key_of(NEW)]), None),
        (
            "new event for another service",
            _event(NEW, relay="https://other.example"),
            _event(OLD, ["p", public_key_of(NEW)]),
            None,
        ),
        ("old event of another kind", _event(NEW), _event(OLD, ["p", public_key_of(NEW)], kind=1), None),
        (
            "the account is on another key",
            _event(NEW),
            _event(OLD, ["p", public_key_of(NEW)]),
            public_key_of(NEW),
        ),
    ],
)
def test_each_missing_piece_of_consent_is_refused(case, new_event, old_event, old_pubkey):
    with pytest.raises(KeyRotationRefused):
        _check(new_event, old_event, old_pubkey or public_key_of(OLD))


def test_a_tampered_signature_is_refused():
    old_event = _event(OLD, ["p", public_key_of(NEW)])
    forged = type(old_event)(
        **{**{f: getattr(old_event, f) for f in old_event.__struct_fields__}, "sig": "0" * 128}
    )
    with pytest.raises(KeyRotationRefused):
        _check(_event(NEW), forged)


def test_a_recovery_takes_effect_after_the_waiting_period_and_ends_once():
    recovery = KeyRecovery.request(user_id=uuid4(), wallet_id=uuid4(), new_pubkey=public_key_of(NEW), now=NOW)

    assert recovery.effective_at == NOW + RECOVERY_WAIT
    assert not recovery.is_due(NOW + RECOVERY_WAIT - timedelta(seconds=1))
    assert recovery.is_due(NOW + RECOVERY_WAIT)
    canceled = recovery.ended(KeyRecoveryStatus.CANCELED, NOW)
    assert not canceled.is_due(NOW + RECOVERY_WAIT)
    with pytest.raises(InvalidTransition):
        canceled.ended(KeyRecoveryStatus.COMPLETED, NOW)
