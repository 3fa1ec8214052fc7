"""The secrets handed out carry at least 128 random bits (promises K1, N5, L1), checked as bits."""

from datetime import UTC, datetime
from uuid import uuid4

from domain.api_keys.keys import KEY_PREFIX, ApiKey
from domain.auth.challenges import new_challenge
from domain.auth.lnurl import new_k1
from tests.support.randomness import assert_random_bits

SAMPLES = 200
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_t5_k1_an_api_key_carries_at_least_128_random_bits() -> None:
    keys = [
        ApiKey.issue(user_id=uuid4(), name="bot", scopes=["wot:read"], now=NOW).key for _ in range(SAMPLES)
    ]
    assert all(key.startswith(KEY_PREFIX) for key in keys)
    assert_random_bits([key.removeprefix(KEY_PREFIX) for key in keys], 128)


def test_t5_n5_a_login_challenge_carries_at_least_128_random_bits() -> None:
    assert_random_bits([new_challenge() for _ in range(SAMPLES)], 128)


def test_t5_l1_a_k1_is_32_random_bytes() -> None:
    assert_random_bits([new_k1() for _ in range(SAMPLES)], 256)
