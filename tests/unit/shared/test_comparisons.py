"""T2: comparisons of outside input are total: any string compares, none raises, none folds."""

import pytest

from adapters.payments.signatures import hmac_sha256_hex, matches
from domain.names.custom_domains import TXT_VALUE_PREFIX, domain_token_matches
from domain.shared.hashing import digests_match, same_secret, secret_digest

TOKEN = "5f" * 16
OUTSIDE = ["é", "nostr-id-verify=é", "\ud800", "\x00", "?", "ÿ" * 64, ""]


@pytest.mark.parametrize("value", OUTSIDE)
def test_t2_a_txt_value_of_any_characters_is_compared_never_raises(value: str) -> None:
    assert domain_token_matches(TOKEN, [value]) is False
    assert domain_token_matches(TOKEN, [value, TXT_VALUE_PREFIX + TOKEN]) is True


@pytest.mark.parametrize("value", OUTSIDE)
def test_t2_a_presented_webhook_signature_of_any_characters_is_refused(value: str) -> None:
    expected = hmac_sha256_hex("whsec", b"{}")
    assert matches(expected, value) is False
    assert matches(expected, expected.upper()) is True


def test_t2_distinct_strings_never_compare_equal() -> None:
    assert not same_secret("é", "?")
    assert not digests_match("é" * 64, "?" * 64)
    assert not same_secret("\ud800", "\ud801")
    assert same_secret("\ud800é", "\ud800é")
    assert digests_match(secret_digest("a"), secret_digest("a"))
