"""LUD-06 / LUD-16 shapes."""

import msgspec
import pytest

from domain.shared.errors import InvalidInput
from domain.zaps.pay_request import PayLimits, PayRequest, address_metadata, check_amount, check_comment


def test_z1_the_metadata_names_the_address_as_its_identifier() -> None:
    metadata = msgspec.json.decode(address_metadata("alice", "example.com"))
    assert ["text/identifier", "alice@example.com"] in metadata
    assert any(entry[0] == "text/plain" for entry in metadata)


def test_z1_the_pay_request_speaks_lud06_and_nip57_names() -> None:
    answer = msgspec.json.decode(
        msgspec.json.encode(
            PayRequest(
                callback="https://x/cb",
                min_sendable=1000,
                max_sendable=2000,
                metadata="[]",
                comment_allowed=10,
                allows_nostr=True,
                nostr_pubkey="ab" * 32,
            )
        )
    )
    assert answer == {
        "callback": "https://x/cb",
        "minSendable": 1000,
        "maxSendable": 2000,
        "metadata": "[]",
        "commentAllowed": 10,
        "allowsNostr": True,
        "nostrPubkey": "ab" * 32,
        "tag": "payRequest",
    }


@pytest.mark.parametrize("amount", [0, 999, 1_000_000_001])
def test_amounts_outside_the_bounds_are_refused(amount: int) -> None:
    with pytest.raises(InvalidInput):
        check_amount(amount, PayLimits())


def test_a_comment_longer_than_allowed_is_refused() -> None:
    assert check_comment("x" * 10, PayLimits(comment_allowed=10)) == "x" * 10
    with pytest.raises(InvalidInput):
        check_comment("x" * 11, PayLimits(comment_allowed=10))
